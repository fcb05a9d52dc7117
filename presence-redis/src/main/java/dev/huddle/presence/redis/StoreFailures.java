package dev.huddle.presence.redis;

import dev.huddle.presence.StoreUnavailableException;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Redis being out of reach into the engine's one failure, {@link StoreUnavailableException}
 * (R1, R3), and keeps account of it: counted per kind (a metric), and logged at a bounded rate — per
 * kind, the first failure of a run in one line with its cause, then at most one line per
 * {@link #REPORT_EVERY} with how many failed since, then one line when calls succeed again
 * ({@link FailureLog}). So an outage of any length costs a few lines, however many requests it fails.
 *
 * <p>What counts as "out of reach": a command that timed out ({@code timeout}); no connection, or one
 * lost with the command in flight ({@code disconnected}); a command refused because Lettuce's bounded
 * request queue is full ({@code overloaded}, R3); Redis answering that it cannot serve now — LOADING,
 * BUSY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN, OOM, READONLY ({@code busy}). Any other error Redis answers
 * (a script error: a bug) passes through unchanged.
 */
final class StoreFailures {
    /** How often a run of failures of one kind is reported after its first line. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(StoreFailures.class);

    /** The kinds of failure, in metrics and logs by their lower-case name. */
    enum Kind {
        TIMEOUT, DISCONNECTED, OVERLOADED, BUSY;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);
    private final Map<Kind, FailureLog> logs = new EnumMap<>(Kind.class);
    /** Whether some kind has a run of failures under way (read on every success, so it must be cheap). */
    private volatile boolean failing;

    StoreFailures() {
        this(LOG, System::nanoTime);
    }

    StoreFailures(Logger log, LongSupplier nanoTime) {
        for (Kind k : Kind.values()) {
            counts.put(k, new LongAdder());
            logs.put(k, new FailureLog(log, REPORT_EVERY, nanoTime, false));
        }
    }

    /** Runs one store call: Redis out of reach becomes {@link StoreUnavailableException}, counted and logged. */
    <T> T call(Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (RedisException e) {
            throw translate(e);
        }
        if (failing) {
            recovered();
        }
        return result;
    }

    /**
     * {@code e} as the engine's failure, counted and logged, when it means Redis is out of reach; else
     * {@code e} itself (a bug, for the caller's own handling).
     */
    RuntimeException translate(RedisException e) {
        Kind kind = kindOf(e);
        if (kind == null) {
            return e;
        }
        counts.get(kind).increment();
        failing = true;
        logs.get(kind).failed("Redis is unavailable (" + kind.label() + "); presence calls answer 'unavailable'", e);
        return new StoreUnavailableException(kind.label(), String.valueOf(e.getMessage()), e);
    }

    /** How many calls failed with {@code kind} so far. */
    long count(Kind kind) {
        return counts.get(kind).sum();
    }

    /** The kind of {@code e} when it means Redis is out of reach; null for any other error. */
    static Kind kindOf(RedisException e) {
        if (e instanceof RedisCommandTimeoutException) {
            return Kind.TIMEOUT;
        }
        if (e instanceof RedisConnectionException) {
            return Kind.DISCONNECTED;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof RedisBusyException || e instanceof RedisLoadingException) {
            return Kind.BUSY;
        }
        if (e instanceof RedisCommandExecutionException) {
            for (String busy : new String[] {"LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "OOM", "READONLY"}) {
                if (message.startsWith(busy)) {
                    return Kind.BUSY;
                }
            }
            return null;
        }
        if (message.contains("queue size exceeded") || message.contains("stack size exceeded")
                || message.contains("not accepted")) {
            return Kind.OVERLOADED;
        }
        // Not connected, connection closed (with the command in flight), interrupted while waiting.
        return Kind.DISCONNECTED;
    }

    private void recovered() {
        failing = false;
        for (Kind k : Kind.values()) {
            logs.get(k).succeeded("Redis answers again (" + k.label() + " failures ended)");
        }
    }
}
