package dev.huddle.presence;

import dev.huddle.presence.internal.Tokens;
import dev.huddle.presence.internal.Validation;
import dev.huddle.presence.store.InMemoryPresenceStore;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The presence engine: the operations of P1–P10 over a {@link PresenceStore}, with arguments checked
 * before anything changes, time from an injected {@link TimeSource}, and one {@link ExpiryWorker}.
 * Thread-safe.
 */
public final class Presence implements AutoCloseable {
    /** P1: the interval used when a caller has no opinion. */
    public static final long DEFAULT_INTERVAL_MS = 10_000;
    public static final long MIN_INTERVAL_MS = 1_000;
    public static final long MAX_INTERVAL_MS = 300_000;
    /** P8: the list size used when a caller has no opinion. */
    public static final int DEFAULT_LIMIT = 104;
    public static final int MAX_LIMIT = 1_000;
    /** T3: the departure grace a client gets when it asks for one without a value. */
    public static final long DEFAULT_GRACE_MS = 1_500;
    public static final long MAX_GRACE_MS = 30_000;
    /** How often the keep-alive renews the node's lease unless configured otherwise ({@link Builder#keepAliveTick}). */
    public static final long DEFAULT_KEEP_ALIVE_TICK_MS = 5_000;

    private final PresenceStore store;
    private final TimeSource clock;
    private final Supplier<String> tokens;
    private final ExpiryWorker worker;
    private final KeepAlive keepAlive;

    private Presence(Builder b) {
        this.clock = b.clock;
        this.store = b.store != null ? b.store : new InMemoryPresenceStore(b.merger, b.changeLogCapacity);
        this.tokens = b.tokens != null ? b.tokens : new Tokens(new SecureRandom());
        this.worker = new ExpiryWorker(store, clock, b.expiryBatchSize, b.maxWorkerSleepMs, b.onWorkerDeath);
        this.keepAlive = new KeepAlive(store, clock, b.keepAliveTickMs);
        store.addListener(keepAlive::onChange);
        if (b.startWorker) {
            worker.start();
            keepAlive.start();
        }
    }

    /** Starts building an engine; by default an in-memory store, the system clock and a running worker. */
    public static Builder builder() {
        return new Builder();
    }

    /** P1: the session's deadline becomes now + 2.5 × interval. */
    public static long deadline(long now, long intervalMs) {
        return now + intervalMs * 5 / 2;
    }

    /** Heartbeat without changing the session's data (P1–P4). */
    public HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long intervalMs) {
        return heartbeat(roomId, userId, sessionId, intervalMs, null);
    }

    /**
     * Heartbeat (P1–P4), merging {@code sessionData} into the session's data (P12) unless it is null.
     *
     * @throws InvalidArgumentException for a blank or over-long id, or an interval out of range
     * @throws SessionConflictException if the session id belongs to another room or user (P2)
     */
    public HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long intervalMs,
            Map<String, String> sessionData) {
        Validation.id("roomId", roomId);
        Validation.id("userId", userId);
        Validation.id("sessionId", sessionId);
        Validation.range("interval", intervalMs, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
        Map<String, String> data = sessionData == null ? null : Validation.data("sessionData", sessionData);
        long now = clock.millis();
        HeartbeatResult result = store.heartbeat(roomId, userId, sessionId, now, deadline(now, intervalMs), data, tokens);
        worker.hint(result.deadline());
        return result;
    }

    /**
     * Hands the liveness of a session this node's socket carries to the node's {@link KeepAlive} (T1):
     * call it right after the heartbeat {@code beat} that joined or resumed the session; the store then
     * keeps it live under the node's lease (one store call now, none per frame), and the socket's frames
     * call {@link HeldSession#touch}, which costs the store nothing. {@code onLost} runs when the
     * keep-alive lets go of the session because the store no longer has it live (its user left or was
     * removed, seen on the change stream; or holding it again found it ended — see
     * {@link HeldSession#lostWithLease}): the caller goes back to heartbeats. It may run on the store's
     * listener thread under its locks, so it must be quick, take no lock a store caller may hold, and not
     * call the store. Returns empty when the interval is too short to hold ({@link KeepAlive#holds}), the
     * session is no longer live, or the store could not be reached; the caller then heartbeats on every frame.
     */
    public Optional<HeldSession> hold(String roomId, String userId, String sessionId, long intervalMs,
            HeartbeatResult beat, Runnable onLost) {
        Validation.id("roomId", roomId);
        Validation.id("userId", userId);
        Validation.id("sessionId", sessionId);
        Validation.range("interval", intervalMs, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
        Objects.requireNonNull(beat, "beat");
        Objects.requireNonNull(onLost, "onLost");
        if (!keepAlive.holds(intervalMs)) {
            return Optional.empty();
        }
        return keepAlive.hold(new HeldSession(keepAlive, clock, roomId, userId, sessionId, beat, intervalMs,
                clock.millis(), onLost));
    }

    /** The node's keep-alive of held sessions, for tests and metrics. */
    public KeepAlive keepAlive() {
        return keepAlive;
    }

    /**
     * Merges {@code patch} into a live session's data (P12) without moving its deadline; false (and
     * nothing changes) if the session is not live in that room for that user.
     */
    public boolean updateSession(String roomId, String userId, String sessionId, Map<String, String> patch) {
        Validation.id("roomId", roomId);
        Validation.id("userId", userId);
        Validation.id("sessionId", sessionId);
        return store.updateSession(roomId, userId, sessionId, Validation.data("patch", patch));
    }

    /** Ends the session at once (P6); an unknown or spent token is a no-op that returns false. */
    public boolean disconnect(String sessionToken) {
        return disconnect(sessionToken, 0);
    }

    /**
     * Ends the session after a departure grace (T3): at once for 0, else at now + grace unless a
     * heartbeat comes first. An unknown or spent token is a no-op that returns false.
     */
    public boolean disconnect(String sessionToken, long graceMs) {
        Validation.id("sessionToken", sessionToken);
        Validation.range("graceMs", graceMs, 0, MAX_GRACE_MS);
        long now = clock.millis();
        boolean known = store.disconnect(sessionToken, now, now + graceMs);
        if (known && graceMs > 0) {
            worker.hint(now + graceMs);
        }
        return known;
    }

    /** P8 with the default limit. */
    public List<Entry> list(String roomToken) {
        return list(roomToken, DEFAULT_LIMIT);
    }

    /** P8: online users first, then offline users newest-disconnected first; unknown token → empty. */
    public List<Entry> list(String roomToken, int limit) {
        Validation.id("roomToken", roomToken);
        return store.list(roomToken, limit(limit));
    }

    /** P9: a room's entries by id, in list order. */
    public List<Entry> listRoom(String roomId, boolean onlineOnly, int limit) {
        return store.listRoom(Validation.id("roomId", roomId), onlineOnly, limit(limit));
    }

    /** P9: one user's entries across rooms, in list order. */
    public List<Entry> listUser(String userId, boolean onlineOnly, int limit) {
        return store.listUser(Validation.id("userId", userId), onlineOnly, limit(limit));
    }

    /** P10: sets the user's room data; false (and nothing changes) if the user has no entry there. */
    public boolean updateRoomUser(String roomId, String userId, Map<String, String> data) {
        Validation.id("roomId", roomId);
        Validation.id("userId", userId);
        return store.updateRoomUser(roomId, userId, Validation.data("data", data));
    }

    /** P10: deletes the user's entry, sessions and session tokens in the room; emits {@code remove}. */
    public boolean removeRoomUser(String roomId, String userId) {
        return store.removeRoomUser(Validation.id("roomId", roomId), Validation.id("userId", userId));
    }

    /** P10: deletes the room's entries, sessions and tokens; emits {@code remove} per entry. */
    public boolean removeRoom(String roomId) {
        return store.removeRoom(Validation.id("roomId", roomId));
    }

    /** S1: the room's entries and the sequence number they reflect. */
    public RoomSnapshot snapshot(String roomId) {
        return store.snapshot(Validation.id("roomId", roomId));
    }

    /** S2: the changes after {@code afterSeq} of that epoch, or empty when a snapshot is needed. */
    public Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq) {
        Validation.id("roomId", roomId);
        if (epoch == null || afterSeq < 0) {
            return Optional.empty();
        }
        return store.changesSince(roomId, epoch, afterSeq);
    }

    /**
     * Read-only: the token of the live session {@code sessionId} of that room and user, or empty when
     * no such session is live (T2: a transport checks a resuming client's proof with it).
     */
    public Optional<String> liveSessionToken(String roomId, String userId, String sessionId) {
        Validation.id("roomId", roomId);
        Validation.id("userId", userId);
        Validation.id("sessionId", sessionId);
        return store.liveSessionToken(roomId, userId, sessionId);
    }

    /** Adds a listener to every room's change stream (P11). */
    public void subscribe(ChangeListener listener) {
        store.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Ends every session due now, as the worker does; returns how many sessions were examined. */
    public int expireDue() {
        return worker.runDue(clock.millis());
    }

    /** How many sessions this engine's expiry has ended so far (P5; a metric, see {@link PresenceStore#expiredSessions}). */
    public long expiredSessions() {
        return store.expiredSessions();
    }

    /** The expiry worker, for tests and metrics. */
    public ExpiryWorker worker() {
        return worker;
    }

    /** The clock the engine reads. */
    public TimeSource clock() {
        return clock;
    }

    private static int limit(int limit) {
        return (int) Validation.range("limit", limit, 1, MAX_LIMIT);
    }

    /** Stops the worker and closes the store. */
    @Override
    public void close() {
        keepAlive.close();
        worker.close();
        store.close();
    }

    /** Builds a {@link Presence}. */
    public static final class Builder {
        private PresenceStore store;
        private TimeSource clock = TimeSource.system();
        private Supplier<String> tokens;
        private DataMerger merger = DataMerger.DEFAULT;
        private int changeLogCapacity = InMemoryPresenceStore.DEFAULT_CHANGE_LOG_CAPACITY;
        private int expiryBatchSize = 1_024;
        private boolean startWorker = true;
        private long maxWorkerSleepMs = ExpiryWorker.DEFAULT_MAX_SLEEP_MS;
        private long keepAliveTickMs = DEFAULT_KEEP_ALIVE_TICK_MS;
        private java.util.function.Consumer<Throwable> onWorkerDeath = Builder::logDeath;

        private Builder() {
        }

        private static void logDeath(Throwable cause) {
            org.slf4j.LoggerFactory.getLogger(ExpiryWorker.class)
                    .error("the expiry worker died: sessions no longer expire on this engine", cause);
        }

        /** The store; default an in-memory store built with {@link #merger} and {@link #changeLogCapacity}. */
        public Builder store(PresenceStore store) {
            this.store = store;
            return this;
        }

        public Builder clock(TimeSource clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Where tokens come from; default 128 bits of {@link SecureRandom}. Tests may fix them. */
        public Builder tokens(Supplier<String> tokens) {
            this.tokens = tokens;
            return this;
        }

        /** The merge rule of the default in-memory store (P12). */
        public Builder merger(DataMerger merger) {
            this.merger = Objects.requireNonNull(merger);
            return this;
        }

        /** How many recent changes per room the default in-memory store keeps for resume (S2). */
        public Builder changeLogCapacity(int capacity) {
            this.changeLogCapacity = (int) Validation.range("changeLogCapacity", capacity, 1, 1_000_000);
            return this;
        }

        /** How many sessions one expiry batch may end before the worker checks again (P5). */
        public Builder expiryBatchSize(int size) {
            this.expiryBatchSize = (int) Validation.range("expiryBatchSize", size, 1, 1_000_000);
            return this;
        }

        /**
         * The longest the expiry worker sleeps before re-reading the store's earliest deadline (default
         * 60 s). Set it short (e.g. 250–1000 ms) when other engines share the store: their new
         * deadlines do not wake this node's worker, so this bounds how late it notices them.
         */
        public Builder maxWorkerSleep(java.time.Duration maxSleep) {
            long ms = maxSleep.toMillis();
            this.maxWorkerSleepMs = Validation.range("maxWorkerSleep (ms)", ms, 1, ExpiryWorker.DEFAULT_MAX_SLEEP_MS);
            return this;
        }

        /**
         * How often the keep-alive renews the node's lease (default 5 s, 100 ms … 60 s; the lease lasts
         * three ticks). Sessions with an interval shorter than two ticks are not held.
         */
        public Builder keepAliveTick(java.time.Duration tick) {
            this.keepAliveTickMs = Validation.range("keepAliveTick (ms)", tick.toMillis(), 100, 60_000);
            return this;
        }

        /**
         * What to do when the expiry worker dies (a {@link VirtualMachineError}, or its thread ended before
         * {@link Presence#close}); called once, on the dying thread. Default: log it. An engine without its
         * worker leaves ghosts forever, so a server should end the process (X3).
         */
        public Builder onWorkerDeath(java.util.function.Consumer<Throwable> handler) {
            this.onWorkerDeath = Objects.requireNonNull(handler);
            return this;
        }

        /** Whether to start the worker and keep-alive threads; tests that drive expiry and ticks by hand turn it off. */
        public Builder startWorker(boolean start) {
            this.startWorker = start;
            return this;
        }

        public Presence build() {
            return new Presence(this);
        }
    }
}
