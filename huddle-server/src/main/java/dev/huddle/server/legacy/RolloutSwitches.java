package dev.huddle.server.legacy;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.RolloutSettings;
import dev.huddle.server.http.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves this node's {@link RolloutFlag} between modes (L2). A switch made here (the admin API) is
 * recorded in the one row of {@code rollout_settings} that every node on the database shares; every
 * node re-reads that row every {@code sourceRefreshMs} and adopts a value that differs from its own, so
 * the whole fleet follows a switch made through any node. A failed re-read keeps the node's mode.
 *
 * <p>Leaving {@code legacy}, the table's fresh rows are carried into the engine first, so the engine
 * holds what the table does before it is compared or serves — by the switching node only when the
 * engine is shared by every node (cluster mode); a node adopting the switch then only learns the rooms.
 * Moving back from {@code component} to a mode that reads the table rebuilds the table's rows from the
 * engine first, flags included ({@link LegacyCalls#rebuildTableFromEngine}), on every node (the rows are
 * upserts, so twice is harmless). A retired table refuses {@code legacy} and {@code shadow}, whether
 * switched here or recorded.
 */
final class RolloutSwitches implements AutoCloseable {
    // The rollout's events share one logger, the one docs/operations.md names.
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);

    private final RolloutFlag flag;
    private final LegacyPresenceTable table;
    private final BooleanSupplier retiredNow;
    private final LegacyCalls calls;
    private final ShadowChecks shadow;
    private final TimeSource time;
    private final RolloutSettings settings;
    private final boolean sharedEngine;
    /**
     * Re-reads the recorded flag on its own thread, so a long comparison or sweep on the tracker's job
     * thread never delays a switch, and a slow database never holds up those jobs.
     */
    private final ScheduledExecutorService refresher = LegacyPresence.daemonScheduler("presence-source-refresh");
    /** Serialises switches made here and switches adopted from the database; taken before the shadow lock. */
    private final ReentrantLock switchLock = new ReentrantLock();
    private final Counter refreshFailures;
    /** Failed re-reads in a row (guarded by {@link #switchLock}); only the first of a run is logged. */
    private int failedRefreshes;
    /** A recorded legacy/shadow value this node refuses because the table is retired (logged once). */
    private PresenceSource refusedRecorded;
    /** Runs after every move of the flag, made here or adopted (the node reports its new source, L3). */
    private volatile Runnable onSwitched = () -> { };

    /**
     * @param retiredNow asks the database whether the retirement migration has been applied (it may be
     *     applied by the command while this server runs)
     * @param sharedEngine whether the engine is shared by every node (cluster mode) rather than this node's own
     */
    RolloutSwitches(RolloutFlag flag, LegacyPresenceTable table, BooleanSupplier retiredNow, LegacyCalls calls,
            ShadowChecks shadow, TimeSource time, RolloutSettings settings, MeterRegistry metrics, boolean sharedEngine) {
        this.flag = flag;
        this.table = table;
        this.retiredNow = retiredNow;
        this.calls = calls;
        this.shadow = shadow;
        this.time = time;
        this.settings = settings;
        this.sharedEngine = sharedEngine;
        this.refreshFailures = Counter.builder("presence.source.refresh.failures")
                .description("Re-reads of the recorded rollout flag that failed (the node kept its mode)").register(metrics);
    }

    /** {@code action} runs after every move of the flag, made here or adopted. */
    void onSwitched(Runnable action) {
        this.onSwitched = action;
    }

    /** Starts re-reading the recorded flag every {@code sourceRefreshMs}. */
    void start() {
        refresher.scheduleWithFixedDelay(this::refresh, settings.sourceRefreshMs(), settings.sourceRefreshMs(),
                TimeUnit.MILLISECONDS);
    }

    /** Switches the flag here and records it for every node sharing the database; returns the previous value. */
    PresenceSource switchTo(PresenceSource next) {
        switchLock.lock();
        try {
            if (next.usesLegacyTable() && !flag.retired() && retiredNow.getAsBoolean()) {
                flag.markRetired();
            }
            if (next.usesLegacyTable() && flag.retired()) {
                throw new ApiException(409, "legacy_retired", "the legacy presence table has been retired; only component remains");
            }
            PresenceSource prev = apply(next, true);
            LOG.info("event=presence_source_switched from={} to={}", prev.wire(), next.wire());
            return prev;
        } finally {
            switchLock.unlock();
        }
    }

    /**
     * Re-reads the recorded flag and, when it differs from this node's, adopts it: the same move as a
     * switch made here, except that it is not recorded again, and that with a shared engine the table's
     * rows are not carried into it again (the switching node did that). Logs
     * {@code event=presence_source_adopted} once per adopted switch. Never throws: a failed read or
     * adoption keeps this node's mode, is counted, logged (the first of a run, and the recovery), and
     * retried on the next call.
     *
     * @return the mode this node runs after the call
     */
    PresenceSource refresh() {
        switchLock.lock();
        try {
            Optional<PresenceSource> recorded = table.recordedSource();
            if (recorded.isPresent() && recorded.get() != flag.current()) {
                adopt(recorded.get());
            }
            if (failedRefreshes > 0) {
                LOG.info("event=presence_source_refresh_recovered source={} failed_refreshes={}", flag.current().wire(),
                        failedRefreshes);
                failedRefreshes = 0;
            }
        } catch (RuntimeException e) {
            if (refresher.isShutdown()) {
                return flag.current(); // interrupted by close(): not a failure of the database
            }
            refreshFailures.increment();
            if (failedRefreshes++ == 0) {
                LOG.warn("event=presence_source_refresh_failed source={} kept=true error={}", flag.current().wire(),
                        e.toString());
            }
        } finally {
            switchLock.unlock();
        }
        return flag.current();
    }

    /** Stops the re-reads, waiting up to 2 s for one under way. */
    @Override
    public void close() {
        refresher.shutdownNow();
        try {
            refresher.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adopts a switch recorded by another node (under {@link #switchLock}). */
    private void adopt(PresenceSource next) {
        if (next.usesLegacyTable() && (flag.retired() || retiredNow.getAsBoolean())) {
            flag.markRetired();
            if (refusedRecorded != next) {
                refusedRecorded = next;
                LOG.warn("event=presence_source_not_adopted recorded={} source={} reason=legacy_table_retired", next.wire(),
                        flag.current().wire());
            }
            return;
        }
        PresenceSource prev = apply(next, false);
        LOG.info("event=presence_source_adopted from={} to={}", prev.wire(), next.wire());
    }

    /**
     * Moves this node to {@code next} (under {@link #switchLock}, and the shadow lock so that no shadow
     * write or comparison sees half a move); {@code record} writes the switch to the database for the
     * other nodes. Returns the previous mode.
     */
    private PresenceSource apply(PresenceSource next, boolean record) {
        PresenceSource prev = shadow.exclusive(() -> {
            PresenceSource was = flag.current();
            if (!was.usesLegacyTable() && next.usesLegacyTable()) {
                calls.rebuildTableFromEngine(shadow.knownRooms()); // a rollback keeps everybody's flags
            }
            if (was == PresenceSource.LEGACY && next != PresenceSource.LEGACY) {
                if (record || !sharedEngine) {
                    calls.carryTableIntoEngine();
                } else {
                    shadow.learnTableRooms();
                }
            }
            if (record) {
                table.recordSource(next, time.millis());
            }
            flag.set(next);
            if (next != PresenceSource.SHADOW) {
                shadow.forgetMismatches();
            }
            return was;
        });
        onSwitched.run();
        if (next == PresenceSource.SHADOW) {
            shadow.compareAllSoon();
        }
        return prev;
    }
}
