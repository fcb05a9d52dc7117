package dev.huddle.server.legacy;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.Entry;
import dev.huddle.presence.Presence;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.RolloutSettings;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;
import dev.huddle.server.presence.SessionData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy tracker and its rollout (L1–L3, H8). {@code upsertPresence}/{@code clearPresence} and the
 * detail's {@code presence} array go through here, and the rollout flag decides what they touch:
 * <ul>
 * <li>{@code legacy}: the table only;
 * <li>{@code shadow}: the table serves; the engine is fed the same heartbeat (session {@code legacy:<userId>},
 * interval = the legacy interval) and the {@link ShadowComparator} checks the room after every change
 * and on a timer;
 * <li>{@code component}: the engine only: upsert is a heartbeat of the session {@code legacy:<userId>},
 * clear its disconnect; the stale-row job does nothing.
 * </ul>
 * Membership, roles and flags follow exactly the new API's rules ({@link PresenceFunctions}); arguments
 * and membership are checked before anything changes.
 *
 * <p>The flag is one row of {@code rollout_settings}, shared by every node on the database. A switch
 * through the admin API records it there; every node re-reads that row every {@code sourceRefreshMs}
 * ({@link #refreshSource()}) and adopts a value that differs from its own, so the whole fleet follows a
 * switch made through any node. A failed re-read keeps the node's mode.
 */
public final class LegacyPresence implements ChangeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);
    /** The synthetic session id prefix of legacy clients in the engine. */
    public static final String SESSION_PREFIX = "legacy:";

    private final LegacyPresenceTable table;
    private final Presence presence;
    private final PresenceFunctions functions;
    private final HuddleService huddles;
    private final TimeSource time;
    private final RolloutSettings settings;
    private final ShadowComparator comparator;
    private final AtomicReference<PresenceSource> source = new AtomicReference<>();
    private volatile boolean retired;
    /** Held while a shadow write touches both views, and while comparing, so no comparison sees half a write. */
    private final ReentrantLock shadowLock = new ReentrantLock();
    private final Set<String> knownRooms = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService jobs = daemonScheduler("legacy-presence");
    /**
     * Re-reads the recorded flag on its own thread, so a long comparison or sweep on {@link #jobs} never
     * delays a switch, and a slow database never holds up those jobs.
     */
    private final ScheduledExecutorService refresher = daemonScheduler("presence-source-refresh");
    /** Serialises switches made here and switches adopted from the database; taken before {@link #shadowLock}. */
    private final ReentrantLock switchLock = new ReentrantLock();
    /**
     * Whether the engine's store is shared by every node (cluster mode): then the node that switches away
     * from {@code legacy} carries the table into it for all, and the nodes that adopt the switch do not.
     */
    private final boolean sharedEngine;
    private final Counter refreshFailures;
    /** Failed re-reads in a row (guarded by {@link #switchLock}); only the first of a run is logged. */
    private int failedRefreshes;
    /** A recorded legacy/shadow value this node refuses because the table is retired (logged once). */
    private PresenceSource refusedRecorded;

    private final java.util.function.BooleanSupplier retiredNow;

    /**
     * @param retiredNow asks the database whether the retirement migration has been applied (it may be
     *     applied by the command while this server runs)
     * @param sharedEngine whether {@code presence} is shared by every node (cluster mode) rather than this node's own
     */
    public LegacyPresence(LegacyPresenceTable table, java.util.function.BooleanSupplier retiredNow, Presence presence, PresenceFunctions functions,
            HuddleService huddles, TimeSource time, RolloutSettings settings, MeterRegistry metrics, boolean sharedEngine) {
        this.table = table;
        this.sharedEngine = sharedEngine;
        this.retiredNow = retiredNow;
        boolean retired = retiredNow.getAsBoolean();
        this.retired = retired;
        this.presence = presence;
        this.functions = functions;
        this.huddles = huddles;
        this.time = time;
        this.settings = settings;
        this.comparator = new ShadowComparator(presence, metrics);
        huddles.onLeave((room, user) -> {
            if (!this.retired && source.get().usesLegacyTable()) {
                table.clear(room, user); // a member who leaves the huddle leaves its legacy view too
            }
        });
        PresenceSource initial = retired ? PresenceSource.COMPONENT : table.recordedSource().orElse(settings.source());
        if (retired && settings.source() != PresenceSource.COMPONENT) {
            LOG.warn("event=presence_source_overridden configured={} effective=component reason=legacy_table_retired",
                    settings.source().wire());
        }
        source.set(initial);
        LOG.info("event=presence_source source={} configured={}", initial.wire(), settings.source().wire());
        io.micrometer.core.instrument.Gauge.builder("presence.source", source, s -> s.get().ordinal())
                .description("The rollout flag: 0 legacy, 1 shadow, 2 component").register(metrics);
        this.refreshFailures = Counter.builder("presence.source.refresh.failures")
                .description("Re-reads of the recorded rollout flag that failed (the node kept its mode)").register(metrics);
    }

    /**
     * Starts the timers: the stale-row job every heartbeat interval, the shadow comparison every compare
     * interval, and the re-read of the recorded flag every {@code sourceRefreshMs}.
     */
    public LegacyPresence start() {
        refresher.scheduleWithFixedDelay(this::refreshSource, settings.sourceRefreshMs(), settings.sourceRefreshMs(),
                TimeUnit.MILLISECONDS);
        jobs.scheduleWithFixedDelay(this::sweepQuietly, settings.heartbeatIntervalMs(), settings.heartbeatIntervalMs(),
                TimeUnit.MILLISECONDS);
        jobs.scheduleWithFixedDelay(this::compareAllQuietly, settings.compareIntervalMs(), settings.compareIntervalMs(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    public PresenceSource source() {
        return source.get();
    }

    public boolean retired() {
        return retired;
    }

    /** upsertPresence {isSpeaking?, isRecording?} for the caller in huddle {@code huddleId} (canonical id). */
    public Map<String, Object> upsert(Caller caller, String huddleId, Args args) {
        Optional<Boolean> speaking = args.optionalBoolean(SessionData.IS_SPEAKING);
        Optional<Boolean> recording = args.optionalBoolean(SessionData.IS_RECORDING);
        String me = caller.requireUserId();
        HuddleService.Membership m = huddles.requireMember(huddleId, me);
        if (speaking.isPresent() || recording.isPresent()) {
            PresenceFunctions.flagPatch(m.role(), speaking, recording); // observers: 403 before anything changes
        }
        String room = m.huddle().id();
        knownRooms.add(room);
        long interval = settings.heartbeatIntervalMs();
        switch (source.get()) {
            case LEGACY -> table.upsert(room, me, speaking.orElse(null), recording.orElse(null), time.millis());
            case SHADOW -> {
                shadowLock.lock();
                try {
                    functions.join(me, room, SESSION_PREFIX + me, interval, speaking, recording);
                    table.upsert(room, me, speaking.orElse(null), recording.orElse(null), time.millis());
                } finally {
                    shadowLock.unlock();
                }
                scheduleCompare(room);
            }
            case COMPONENT -> functions.join(me, room, SESSION_PREFIX + me, interval, speaking, recording);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("source", source.get().wire());
        out.put("heartbeatIntervalMs", interval);
        return out;
    }

    /** clearPresence for the caller in huddle {@code huddleId}: the row and/or the legacy session end at once. */
    public Map<String, Object> clear(Caller caller, String huddleId) {
        String me = caller.requireUserId();
        HuddleService.Membership m = huddles.requireMember(huddleId, me);
        String room = m.huddle().id();
        boolean had;
        switch (source.get()) {
            case LEGACY -> had = table.clear(room, me);
            case SHADOW -> {
                shadowLock.lock();
                try {
                    boolean engine = endLegacySession(room, me);
                    had = table.clear(room, me) || engine;
                } finally {
                    shadowLock.unlock();
                }
                scheduleCompare(room);
            }
            default -> had = endLegacySession(room, me);
        }
        return Map.of("ok", true, "cleared", had);
    }

    private boolean endLegacySession(String room, String user) {
        return presence.liveSessionToken(room, user, SESSION_PREFIX + user).map(t -> presence.disconnect(t, 0)).orElse(false);
    }

    /**
     * The detail's transitional {@code presence} array (H8): the table's fresh rows in {@code legacy} and
     * {@code shadow}; in {@code component} the engine's online users while the setting keeps the array,
     * else empty (the key is left out).
     */
    public Optional<List<Map<String, Object>>> detailPresence(String huddleId) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (source.get().usesLegacyTable()) {
            for (LegacyPresenceTable.Row r : table.fresh(huddleId, time.millis() - settings.staleAfterMs())) {
                out.add(item(r.userId(), r.isSpeaking(), r.isRecording(), r.lastSeen()));
            }
            return Optional.of(out);
        }
        if (!settings.detailArray()) {
            return Optional.empty();
        }
        long now = time.millis();
        List<Entry> entries = new ArrayList<>(presence.listRoom(huddleId, true, Presence.MAX_LIMIT));
        entries.sort(java.util.Comparator.comparing(Entry::userId));
        for (Entry e : entries) {
            out.add(item(e.userId(), SessionData.TRUE.equals(e.data().get(SessionData.IS_SPEAKING)),
                    SessionData.TRUE.equals(e.data().get(SessionData.IS_RECORDING)), now));
        }
        return Optional.of(out);
    }

    private static Map<String, Object> item(String userId, boolean speaking, boolean recording, long lastSeen) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", userId);
        m.put("isSpeaking", speaking);
        m.put("isRecording", recording);
        m.put("lastSeen", lastSeen);
        return m;
    }

    /** The stale-row job (L1): deletes rows older than 2.5 intervals; does nothing in {@code component} (L3). */
    public int sweep() {
        if (!source.get().usesLegacyTable() || retired) {
            return 0;
        }
        int n = table.deleteStale(time.millis() - settings.staleAfterMs());
        if (n > 0) {
            LOG.info("event=legacy_presence_swept rows={}", n);
        }
        return n;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("event=legacy_presence_sweep_failed error={}", e.toString());
        }
    }

    /**
     * Switches the rollout flag at runtime and records it (L2), for every node sharing the database to
     * adopt ({@link #refreshSource()}); returns the previous value.
     */
    public PresenceSource switchTo(PresenceSource next) {
        switchLock.lock();
        try {
            if (next.usesLegacyTable() && !retired && retiredNow.getAsBoolean()) {
                retired = true;
            }
            if (next.usesLegacyTable() && retired) {
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
     * Re-reads the rollout flag recorded in the database and, when it differs from this node's, adopts
     * it: the same move as a switch made here, except that it is not recorded again, and that with a
     * shared engine the table's rows are not carried into it again (the switching node did that). Logs
     * {@code event=presence_source_adopted} once per adopted switch. Runs every {@code sourceRefreshMs};
     * may be called to adopt at once. Never throws: a failed read or adoption keeps this node's mode,
     * is counted, logged (the first of a run, and the recovery), and retried on the next call.
     *
     * @return the mode this node runs after the call
     */
    public PresenceSource refreshSource() {
        switchLock.lock();
        try {
            Optional<PresenceSource> recorded = table.recordedSource();
            if (recorded.isPresent() && recorded.get() != source.get()) {
                adopt(recorded.get());
            }
            if (failedRefreshes > 0) {
                LOG.info("event=presence_source_refresh_recovered source={} failed_refreshes={}", source.get().wire(),
                        failedRefreshes);
                failedRefreshes = 0;
            }
        } catch (RuntimeException e) {
            if (refresher.isShutdown()) {
                return source.get(); // interrupted by close(): not a failure of the database
            }
            refreshFailures.increment();
            if (failedRefreshes++ == 0) {
                LOG.warn("event=presence_source_refresh_failed source={} kept=true error={}", source.get().wire(), e.toString());
            }
        } finally {
            switchLock.unlock();
        }
        return source.get();
    }

    /** Adopts a switch recorded by another node (under {@link #switchLock}). */
    private void adopt(PresenceSource next) {
        if (next.usesLegacyTable() && (retired || retiredNow.getAsBoolean())) {
            retired = true;
            if (refusedRecorded != next) {
                refusedRecorded = next;
                LOG.warn("event=presence_source_not_adopted recorded={} source={} reason=legacy_table_retired", next.wire(),
                        source.get().wire());
            }
            return;
        }
        PresenceSource prev = apply(next, false);
        LOG.info("event=presence_source_adopted from={} to={}", prev.wire(), next.wire());
    }

    /**
     * Moves this node to {@code next} (under {@link #switchLock}): leaving {@code legacy}, the table's
     * fresh rows are carried into the engine (by the switching node only, when the engine is shared);
     * {@code record} writes the switch to the database for the other nodes. Returns the previous mode.
     */
    private PresenceSource apply(PresenceSource next, boolean record) {
        PresenceSource prev;
        shadowLock.lock();
        try {
            prev = source.get();
            if (prev == PresenceSource.LEGACY && next != PresenceSource.LEGACY) {
                if (record || !sharedEngine) {
                    seedEngine();
                } else {
                    learnRooms();
                }
            }
            if (record) {
                table.recordSource(next, time.millis());
            }
            source.set(next);
            if (next != PresenceSource.SHADOW) {
                comparator.reset();
            }
        } finally {
            shadowLock.unlock();
        }
        if (next == PresenceSource.SHADOW) {
            try {
                jobs.execute(this::compareAllQuietly);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // shutting down
            }
        }
        return prev;
    }

    /** The rooms of the table's fresh rows become known to the timer's comparison, as seeding does. */
    private void learnRooms() {
        for (LegacyPresenceTable.Row r : table.allFresh(time.millis() - settings.staleAfterMs())) {
            knownRooms.add(r.huddleId());
        }
    }

    /**
     * Leaving {@code legacy}: every fresh row becomes a live legacy session in the engine, with its
     * flags, so the engine holds what the table does before it is compared or serves.
     */
    private void seedEngine() {
        for (LegacyPresenceTable.Row r : table.allFresh(time.millis() - settings.staleAfterMs())) {
            try {
                functions.join(r.userId(), r.huddleId(), SESSION_PREFIX + r.userId(), settings.heartbeatIntervalMs(),
                        // only true flags are carried: false is the default, and observers may give no flag at all (H5)
                        r.isSpeaking() ? Optional.of(true) : Optional.empty(),
                        r.isRecording() ? Optional.of(true) : Optional.empty());
                knownRooms.add(r.huddleId());
            } catch (ApiException e) {
                // no longer a member (or an observer with a flag): the row is not carried over
                LOG.info("event=legacy_presence_not_seeded room={} user={} code={}", r.huddleId(), r.userId(), e.code());
            }
        }
    }

    @Override
    public void onChange(Change change) {
        if (source.get() == PresenceSource.SHADOW) {
            knownRooms.add(change.roomId());
            scheduleCompare(change.roomId());
        }
    }

    private void scheduleCompare(String room) {
        try {
            jobs.execute(() -> {
                try {
                    compare(room);
                } catch (RuntimeException e) {
                    LOG.warn("event=shadow_compare_failed room={} error={}", room, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shutting down
        }
    }

    private int compare(String room) {
        if (source.get() != PresenceSource.SHADOW) {
            return 0;
        }
        shadowLock.lock();
        try {
            return comparator.compare(room, table.fresh(room, time.millis() - settings.staleAfterMs()));
        } finally {
            shadowLock.unlock();
        }
    }

    private void compareAllQuietly() {
        try {
            for (String room : knownRooms) {
                compare(room);
            }
            for (String room : comparator.roomsWithMismatches()) {
                compare(room);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=shadow_compare_failed error={}", e.toString());
        }
    }

    /**
     * Runs the timer's comparison of every known room now, after every comparison already queued
     * (tests and operators use it to settle the shadow view).
     */
    public void compareNow() {
        try {
            jobs.submit(this::compareAllQuietly).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("shadow comparison did not finish", e);
        }
    }

    public LegacyPresenceTable table() {
        return table;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        try {
            refresher.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        jobs.shutdownNow();
    }

    private static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
