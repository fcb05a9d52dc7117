package dev.huddle.server.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what one logger writes at INFO and above, for tests that assert on H7 log lines; close() restores it. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final boolean additive;

    private LogCapture(Logger logger, boolean alone) {
        this.logger = logger;
        this.additive = logger.isAdditive();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        if (alone) {
            logger.setAdditive(false);
        }
    }

    /** Captures {@code type}'s logger; its lines still reach the console. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type), false);
    }

    /** Captures the logger {@code name}, whose lines then reach only this capture. */
    public static LogCapture alone(String name) {
        return new LogCapture((Logger) LoggerFactory.getLogger(name), true);
    }

    /** Every message so far, formatted, in order. */
    public List<String> messages() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The class name of the exception logged with each message (null when none), in order. */
    public List<String> causes() {
        return appender.list.stream().map(e -> e.getThrowableProxy() == null ? null : e.getThrowableProxy().getClassName()).toList();
    }

    /** The level of each message ({@code WARN}, {@code ERROR}…), in order. */
    public List<String> levels() {
        return appender.list.stream().map(e -> e.getLevel().toString()).toList();
    }

    /** The messages of one H7 event: those starting {@code event=<event> }. */
    public List<String> events(String event) {
        return messages().stream().filter(m -> m.startsWith("event=" + event + " ")).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(null);
        logger.setAdditive(additive);
    }
}
