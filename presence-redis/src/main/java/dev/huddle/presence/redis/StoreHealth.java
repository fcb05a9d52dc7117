package dev.huddle.presence.redis;

import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a health check asks of the store: whether Redis answers, and whether this node's change
 * subscription still delivers. A subscription can die silently (a detached replica keeps answering
 * pings), so every {@code probeInterval} a probe goes round it ({@link Subscription#probe}); a probe that
 * does not come back within the command timeout replaces the subscription, which catches up from the
 * logs. Failures that repeat with every probe (Redis away) are logged at a bounded rate, with their cause
 * ({@link FailureLog}), each in one line without a stack trace.
 */
public final class StoreHealth {
    private static final Logger LOG = LoggerFactory.getLogger(StoreHealth.class);
    /** How often a run of probe failures is reported after its first line. */
    private static final Duration REPORT_EVERY = Duration.ofMinutes(1);

    private final Commands redis;
    private final Subscription subscription;
    private final Duration timeout;
    private final FailureLog probeFailures = new FailureLog(LOG, REPORT_EVERY, System::nanoTime, false);
    private final ScheduledExecutorService probes;
    private volatile boolean subscriptionHealthy = true;

    /** Starts probing every {@code probeInterval} (zero: never), waiting {@code timeout} for each probe. */
    StoreHealth(Commands redis, Subscription subscription, Duration probeInterval, Duration timeout) {
        this.redis = redis;
        this.subscription = subscription;
        this.timeout = timeout;
        if (probeInterval.isZero()) {
            this.probes = null;
            return;
        }
        this.probes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "presence-redis-probe");
            t.setDaemon(true);
            return t;
        });
        long every = probeInterval.toMillis();
        probes.scheduleWithFixedDelay(this::probeAndRepair, every, every, TimeUnit.MILLISECONDS);
    }

    /** Whether Redis answers a PING within the command timeout. */
    public boolean ping() {
        try {
            return "PONG".equals(redis.sync().ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Publishes a probe on this node's own probe channel and waits up to {@code wait} to receive it on
     * the subscription connection. False means the subscription is not delivering — a connection can die
     * silently — or the probe could not be published (logged, at a bounded rate); {@link #resubscribe()}
     * should repair it.
     */
    public boolean probeSubscription(Duration wait) {
        try {
            return subscription.probe(wait);
        } catch (RedisException e) {
            probeFailures.failed("could not publish the change subscription's probe", e);
            return false;
        }
    }

    /**
     * Replaces the subscription connection with a new one, then checks every room this node knows
     * against its log, so that nothing published while the old one was deaf is missed.
     */
    public void resubscribe() {
        subscription.resubscribe();
    }

    /** False after a failed probe, until a probe succeeds again. */
    public boolean subscriptionHealthy() {
        return subscriptionHealthy;
    }

    /** Stops probing (the store's close). */
    void stop() {
        if (probes != null) {
            probes.shutdownNow();
        }
    }

    private void probeAndRepair() {
        try {
            boolean delivered = probeSubscription(timeout);
            if (!delivered) {
                subscriptionHealthy = false;
                probeFailures.failed("the change subscription did not deliver a probe within " + timeout
                        + "; resubscribing", null);
                resubscribe();
                delivered = probeSubscription(timeout);
            }
            subscriptionHealthy = delivered;
            if (delivered) {
                probeFailures.succeeded("the change subscription delivers its probes again");
            }
        } catch (RuntimeException e) {
            // The top of a scheduled task: anything thrown here would cancel every later probe.
            probeFailures.failed("could not replace the change subscription", e);
        }
    }
}
