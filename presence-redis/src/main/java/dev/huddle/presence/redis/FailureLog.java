package dev.huddle.presence.redis;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a failure that may repeat on every run of a periodic task (a probe every few seconds while Redis
 * is away) at a bounded rate. A <i>run</i> of failures starts with the first failure after a success:
 * that one is logged at WARN with its cause, stack trace included (or only the cause's one-line
 * description, when built without stack traces). Later failures of the run are counted
 * and reported at most once per {@code every}, in one line with the latest cause. The first success
 * after a run ends it with one INFO line. So an outage of any length costs a few lines, and its cause is
 * always in the log.
 */
final class FailureLog {
    private final Logger log;
    private final long everyNanos;
    private final LongSupplier nanoTime;
    /** Failures in the current run; 0 when the last outcome was a success. */
    private long failures;
    /** Failures since the last line logged, and when that line was logged. */
    private long unreported;
    private long lastReport;

    /** Whether the first line of a run carries the cause's stack trace, or only its one-line description. */
    private final boolean stackTraces;

    /** {@code nanoTime} is {@code System::nanoTime} but in tests. */
    FailureLog(Logger log, Duration every, LongSupplier nanoTime) {
        this(log, every, nanoTime, true);
    }

    /**
     * As {@link #FailureLog(Logger, Duration, LongSupplier)}; with {@code stackTraces} false the first line
     * names its cause in one line ({@code toString}), for failures whose cause is plain from that (a
     * connection refused, a command timed out) and that may repeat on every request.
     */
    FailureLog(Logger log, Duration every, LongSupplier nanoTime, boolean stackTraces) {
        this.log = log;
        this.everyNanos = every.toNanos();
        this.nanoTime = nanoTime;
        this.stackTraces = stackTraces;
    }

    /** One failure of {@code what}; {@code cause} may be null when the failure is an outcome, not an exception. */
    synchronized void failed(String what, Throwable cause) {
        long now = nanoTime.getAsLong();
        failures++;
        if (failures == 1) {
            if (cause == null) {
                log.warn("{}", what);
            } else if (!stackTraces) {
                log.warn("{}: {}", what, cause.toString());
            } else {
                log.warn("{}", what, cause);
            }
            lastReport = now;
            unreported = 0;
            return;
        }
        unreported++;
        if (now - lastReport >= everyNanos) {
            log.warn("{} (still failing: {} failure(s) since the last report{})", what, unreported,
                    cause == null ? "" : "; latest: " + cause);
            lastReport = now;
            unreported = 0;
        }
    }

    /** A success: ends a run of failures, if one is under way, with one line saying {@code what}. */
    synchronized void succeeded(String what) {
        if (failures > 0) {
            log.info("{} after {} failure(s)", what, failures);
            failures = 0;
        }
    }
}
