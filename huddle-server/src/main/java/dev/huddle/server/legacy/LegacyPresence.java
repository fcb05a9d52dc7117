package dev.huddle.server.legacy;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.Presence;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.RolloutSettings;
import dev.huddle.server.http.Args;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The legacy tracker and its rollout (L1–L3, H8). {@code upsertPresence}/{@code clearPresence} and the
 * detail's {@code presence} array go through here, and the rollout flag decides what they touch:
 * <ul>
 * <li>{@code legacy}: the table only;
 * <li>{@code shadow}: the table serves; the engine is fed the same heartbeat (the legacy session of the (huddle, user) pair,
 * {@code SessionIds.legacy},
 * interval = the legacy interval) and the {@link ShadowComparator} checks the room after every change
 * and on a timer;
 * <li>{@code component}: the engine only: upsert is a heartbeat of that legacy session,
 * clear its disconnect; the stale-row job does nothing.
 * </ul>
 * This class wires the parts and starts their timers: the flag ({@link RolloutFlag}) and its switches
 * ({@link RolloutSwitches}: made here and recorded, or adopted from the database), the calls in each mode
 * ({@link LegacyCalls}), the shadow comparisons ({@link ShadowChecks}) and the stale-row job
 * ({@link StaleRowJob}). Their events are logged under this class's logger name.
 */
public final class LegacyPresence implements ChangeListener, AutoCloseable {

    private final LegacyPresenceTable table;
    private final RolloutSettings settings;
    private final RolloutFlag flag;
    private final ShadowChecks shadow;
    private final LegacyCalls calls;
    private final StaleRowJob staleRows;
    private final RolloutSwitches switches;
    /** The stale-row job and the shadow comparisons, one at a time. */
    private final ScheduledExecutorService jobs = daemonScheduler("legacy-presence");
    /** This node's reports of its source (L3), on a thread of their own so a long comparison never delays them. */
    private final ScheduledExecutorService reporter = daemonScheduler("presence-node-report");
    private volatile NodeReports reports;
    private volatile boolean rereads;

    /**
     * @param retiredNow asks the database whether the retirement migration has been applied (it may be
     *     applied by the command while this server runs)
     * @param sharedEngine whether {@code presence} is shared by every node (cluster mode) rather than this node's own
     */
    public LegacyPresence(LegacyPresenceTable table, BooleanSupplier retiredNow, Presence presence, PresenceFunctions functions,
            HuddleService huddles, TimeSource time, RolloutSettings settings, MeterRegistry metrics, boolean sharedEngine) {
        this.table = table;
        this.settings = settings;
        this.flag = new RolloutFlag(table, retiredNow.getAsBoolean(), settings, metrics);
        this.shadow = new ShadowChecks(new ShadowComparator(presence, metrics), table, flag, time, settings, jobs);
        this.calls = new LegacyCalls(table, presence, functions, huddles, time, settings, flag, shadow, retiredNow);
        this.staleRows = new StaleRowJob(table, flag, time, settings);
        this.switches = new RolloutSwitches(flag, table, retiredNow, calls, shadow, time, settings, metrics, sharedEngine);
    }

    /**
     * Starts the timers: the stale-row job every heartbeat interval, the shadow comparison every compare
     * interval, and, when other nodes can share the database ({@code databaseShared}), the re-read of the
     * recorded flag every {@code sourceRefreshMs}. On a database of its own the node made every switch
     * recorded there itself, so it does not re-read: on an idle node that query, once a second, was about a
     * tenth of its CPU (docs/BENCHMARKS.md, idle members).
     */
    public LegacyPresence start(boolean databaseShared) {
        if (databaseShared) {
            switches.start();
            rereads = true;
        }
        jobs.scheduleWithFixedDelay(staleRows::sweepQuietly, settings.heartbeatIntervalMs(), settings.heartbeatIntervalMs(),
                TimeUnit.MILLISECONDS);
        jobs.scheduleWithFixedDelay(shadow::compareAllQuietly, settings.compareIntervalMs(), settings.compareIntervalMs(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Starts reporting this node's source as {@code nodeId} (L3): now, every {@link NodeReports#EVERY},
     * and at each switch; {@link #close} withdraws the report.
     */
    public void startReporting(String nodeId) {
        NodeReports r = new NodeReports(table.jdbi(), nodeId, flag::current);
        this.reports = r;
        switches.onSwitched(r::report);
        r.report();
        long every = NodeReports.EVERY.toMillis();
        reporter.scheduleWithFixedDelay(r::report, every, every, TimeUnit.MILLISECONDS);
    }

    public PresenceSource source() {
        return flag.current();
    }

    /** Whether this node re-reads the flag recorded in the database, to follow switches made through other nodes. */
    public boolean rereadsRecordedFlag() {
        return rereads;
    }

    /**
     * Whether the legacy table is retired, asking the database when this node does not know it yet, so
     * a retirement made by the command while this node runs shows at once.
     */
    public boolean retired() {
        return calls.checkRetired();
    }

    /** upsertPresence {isSpeaking?, isRecording?} for the caller in huddle {@code huddleId} (canonical id). */
    public Map<String, Object> upsert(Caller caller, String huddleId, Args args) {
        return calls.upsert(caller, huddleId, args);
    }

    /** clearPresence for the caller in huddle {@code huddleId}: the row and/or the legacy session end at once. */
    public Map<String, Object> clear(Caller caller, String huddleId) {
        return calls.clear(caller, huddleId);
    }

    /** The detail's transitional {@code presence} array (H8); empty when the key is left out. */
    public Optional<List<Map<String, Object>>> detailPresence(String huddleId) {
        return calls.detailPresence(huddleId);
    }

    /** The stale-row job (L1): deletes rows older than 2.5 intervals; does nothing in {@code component} (L3). */
    public int sweep() {
        return staleRows.sweep();
    }

    /**
     * Switches the rollout flag at runtime and records it (L2), for every node sharing the database to
     * adopt ({@link #refreshSource()}); returns the previous value.
     */
    public PresenceSource switchTo(PresenceSource next) {
        return switches.switchTo(next);
    }

    /**
     * Re-reads the rollout flag recorded in the database and adopts it if it differs from this node's
     * (see {@link RolloutSwitches}). Runs every {@code sourceRefreshMs}; may be called to adopt at once.
     * Never throws.
     *
     * @return the mode this node runs after the call
     */
    public PresenceSource refreshSource() {
        return switches.refresh();
    }

    @Override
    public void onChange(Change change) {
        shadow.onChange(change);
    }

    /**
     * Runs the timer's comparison of every known room now, after every comparison already queued
     * (tests and operators use it to settle the shadow view).
     */
    public void compareNow() {
        shadow.compareAllNow();
    }

    public LegacyPresenceTable table() {
        return table;
    }

    @Override
    public void close() {
        switches.close();
        jobs.shutdownNow();
        reporter.shutdownNow();
        try {
            reporter.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NodeReports r = reports;
        if (r != null) {
            r.withdraw();
        }
    }

    /** A single daemon thread named {@code name} for the tracker's timers. */
    static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
