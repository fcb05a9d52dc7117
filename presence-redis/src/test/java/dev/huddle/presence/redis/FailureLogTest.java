package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

/**
 * What an operator reads while a probe fails every few seconds (Redis away): the first failure with its
 * cause, then at most one line a minute, then one line when it works again — never a stack trace per probe.
 * Time is a hand-moved nanosecond counter.
 */
class FailureLogTest {
    private final Queue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final FailureLog log = new FailureLog(
            new EventRecordingLogger(new SubstituteLogger("probe", events, false), events), Duration.ofMinutes(1),
            nanos::get);

    @Test
    @DisplayName("Ten failed probes within a minute (connection refused): one WARN, carrying the cause")
    void aRunOfFailuresIsLoggedOnceWithItsCause() {
        RedisConnectionException refused = new RedisConnectionException("Connection refused: 127.0.0.1:6379");
        for (int i = 0; i < 10; i++) {
            log.failed("could not publish the probe", refused);
            nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        }
        List<SubstituteLoggingEvent> seen = drain();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(text(seen.get(0))).isEqualTo("could not publish the probe");
        assertThat(seen.get(0).getThrowable()).isSameAs(refused);
    }

    @Test
    @DisplayName("A run that lasts: one line a minute, with how many failed since and the latest cause, no stack")
    void aLongRunReportsOnceAMinute() {
        log.failed("could not publish the probe", new RedisConnectionException("Connection refused"));
        drain();
        for (int i = 0; i < 12; i++) { // a minute of probes every 5 s
            nanos.addAndGet(Duration.ofSeconds(5).toNanos());
            log.failed("could not publish the probe", new RedisCommandTimeoutException("timed out after 5s"));
        }
        List<SubstituteLoggingEvent> seen = drain();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(text(seen.get(0))).isEqualTo("could not publish the probe (still failing: 12 failure(s) since the last"
                + " report; latest: io.lettuce.core.RedisCommandTimeoutException: timed out after 5s)");
        assertThat(seen.get(0).getThrowable()).isNull();
    }

    @Test
    @DisplayName("The first success ends the run with one INFO line; a later failure starts a new run, logged again")
    void recoveryEndsTheRun() {
        log.failed("the subscription did not deliver a probe; resubscribing", null);
        log.failed("could not replace the subscription", new RedisConnectionException("Connection refused"));
        log.succeeded("the subscription delivers again");
        log.succeeded("the subscription delivers again");
        log.failed("the subscription did not deliver a probe; resubscribing", null);
        List<SubstituteLoggingEvent> seen = drain();
        assertThat(seen).extracting(SubstituteLoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO, Level.WARN);
        assertThat(seen).extracting(FailureLogTest::text).containsExactly(
                "the subscription did not deliver a probe; resubscribing",
                "the subscription delivers again after 2 failure(s)",
                "the subscription did not deliver a probe; resubscribing");
        assertThat(seen.get(0).getThrowable()).as("an outcome, not an exception").isNull();
    }

    @Test
    @DisplayName("Successes without failures log nothing")
    void successesAloneAreQuiet() {
        for (int i = 0; i < 5; i++) {
            log.succeeded("the subscription delivers again");
        }
        assertThat(drain()).isEmpty();
    }

    private List<SubstituteLoggingEvent> drain() {
        List<SubstituteLoggingEvent> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    private static String text(SubstituteLoggingEvent e) {
        return MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray());
    }
}
