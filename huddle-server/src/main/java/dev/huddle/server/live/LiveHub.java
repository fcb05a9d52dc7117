package dev.huddle.server.live;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.server.config.LiveSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The shared part of the WebSocket API: fans every room change out to that room's subscriptions (each
 * change rendered once, S3), counts sockets per user, and owns the threads: one scheduler for pings,
 * flag windows and room batches, and a small pool that runs the rooms' fan-outs and drains outbound
 * queues. {@link #onChange} runs under the engine's room lock, so it only queues the change for its
 * room's fan-out, which hands it to each subscription's non-blocking queue.
 *
 * <p>A room's fan-out is paced like a session's flags (a GCRA token bucket): up to {@value Pacer#BURST}
 * changes go out alone and at once ({@link Pacer}), then at most one frame per {@code roomBatchMs}; the changes that
 * arrive in between are sent together as one {@code changes} frame, rendered once and identical for
 * every subscriber. An ordinary room never waits; a burst (2 000 people joining one room within
 * seconds) costs each subscriber one frame per window instead of one per change, which is what keeps
 * the fan-out linear in practice instead of quadratic in frames.
 *
 * <p>The window widens with the room's subscribers on this node past {@value #WINDOW_SUBSCRIBERS} (two
 * thousand: two windows), so that past its first changes a room in a burst sends at most
 * {@code 1000 × WINDOW_SUBSCRIBERS / roomBatchMs} frames a second (20 000 with the default 50 ms), however big it is: one huge room's burst cannot
 * take every core from the other rooms, and its own subscribers get fewer, fuller frames.
 */
public final class LiveHub implements ChangeListener, Subscription.Snapshots, AutoCloseable {
    private final LiveSettings settings;
    /** Subscribers a room may have before its batch window widens in proportion. */
    static final int WINDOW_SUBSCRIBERS = 1000;

    private final ConcurrentHashMap<String, Room> byRoom = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> socketsPerUser = new ConcurrentHashMap<>();
    private final Set<LiveConnection> open = ConcurrentHashMap.newKeySet();
    private final OutboundBudget budget;
    private final AddressLimits addresses;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService senders;
    /** Runs anonymous sockets' messages (X2): a share of the server's CPU, not all of Jetty's pool. */
    private final ExecutorService anonymous;
    private final AtomicLong pongs = new AtomicLong();
    private final AtomicLong tooSlow = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong entriesRendered = new AtomicLong();
    private final AtomicLong entriesReused = new AtomicLong();
    private final AtomicLong snapshotsShared = new AtomicLong();
    private final AtomicLong refusedUpgrades = new AtomicLong();
    static final String STATUS_DEGRADED = "degraded";
    static final String STATUS_LIVE = "live";
    /** Whether subscribers were told {@code degraded} and not yet {@code live} again. */
    private volatile boolean degraded;
    private final LongAdder changeFrames = new LongAdder();
    private volatile LongSupplier storeGeneration = () -> 0;
    private volatile LongSupplier checkStore = () -> 0;
    private volatile BooleanSupplier storeReachable = () -> true;

    public LiveHub(LiveSettings settings) {
        this.settings = settings;
        this.budget = new OutboundBudget(settings.outboundBudgetMb() == 0 ? OutboundBudget.defaultBytes()
                : settings.outboundBudgetMb() * 1024L * 1024L);
        this.addresses = new AddressLimits(settings);
        this.scheduler = new ScheduledThreadPoolExecutor(2, daemon("live-timer"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.senders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemon("live-send"));
        this.anonymous = Executors.newFixedThreadPool(anonymousThreads(Runtime.getRuntime().availableProcessors()),
                daemon("live-anonymous"));
    }

    @Override
    public void onChange(Change change) {
        Room room = byRoom.get(change.roomId());
        if (room != null) {
            room.add(change);
        }
    }

    /** One room's subscriptions and its fan-out pacing. */
    private final class Room {
        final Set<Subscription> subs = ConcurrentHashMap.newKeySet();
        /** Subscriptions registered here (entered, not yet left); -1 once retired, when the last one left. */
        private final AtomicInteger holders = new AtomicInteger();
        private final long windowNanos = TimeUnit.MILLISECONDS.toNanos(settings.roomBatchMs());
        // Guarded by this: the changes waiting for the next frame, and the pacing.
        private List<Change> waiting = new ArrayList<>();
        private final Pacer pacer = new Pacer();
        private boolean flushDue;
        /** Frames of changes not yet fanned out, in seq order; a fan-out task is queued or running. */
        private final ArrayDeque<List<Change>> fanOuts = new ArrayDeque<>();
        private boolean fanningOut;
        private final Runnable fanOutTask = this::fanOut;
        final SnapshotEntries entries = new SnapshotEntries(Frames::entryUtf8, entriesRendered, entriesReused);
        /** The body of the room's latest snapshot, for the next socket that asks at the same seq (X1); written under {@link #entries}. */
        private volatile SharedSnapshot latest;
        /** The body {@link #latest} replaced; written under {@link #entries}. */
        private volatile SharedSnapshot previous;

        /** The body kept for {@code snap}'s epoch and seq, or null. */
        SharedBytes bodyOf(RoomSnapshot snap) {
            SharedSnapshot b = latest;
            if (b == null || b.seq() != snap.seq() || !Objects.equals(b.epoch(), snap.epoch())) {
                b = previous;
            }
            return b != null && b.seq() == snap.seq() && Objects.equals(b.epoch(), snap.epoch()) ? b.body() : null;
        }

        /** Counts one more subscription; false when the room was retired (its last subscription left). */
        boolean enter() {
            while (true) {
                int n = holders.get();
                if (n < 0) {
                    return false;
                }
                if (holders.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        /** Counts one subscription less; true when it was the last, and the room is retired. */
        boolean leave() {
            return holders.decrementAndGet() == 0 && holders.compareAndSet(0, -1);
        }

        private long window() {
            return batchWindowNanos(windowNanos, subs.size());
        }

        synchronized void add(Change c) {
            if (flushDue) {
                waiting.add(c);
                return;
            }
            long now = System.nanoTime();
            long window = window();
            long wait = pacer.wait(now, window);
            if (wait <= 0) {
                pacer.take(now, window);
                send(List.of(c));
            } else {
                waiting.add(c);
                flushDue = true;
                try {
                    scheduler.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException stopping) {
                    // The server is shutting down: nobody is left to send to.
                    waiting.clear();
                    flushDue = false;
                }
            }
        }

        private synchronized void flush() {
            List<Change> batch = waiting;
            waiting = new ArrayList<>();
            flushDue = false;
            pacer.take(System.nanoTime(), window());
            send(batch);
        }

        /**
         * Under this room's lock (so in seq order): queues the changes for the room's fan-out, which runs on
         * the sender pool. The thread that made the change (a request's, under the engine's room lock) does
         * not wait for a fan-out to thousands of sockets.
         */
        private void send(List<Change> changes) {
            fanOuts.add(changes);
            if (!fanningOut) {
                fanningOut = true;
                try {
                    senders.execute(fanOutTask);
                } catch (RejectedExecutionException stopping) {
                    // The server is shutting down: nobody is left to send to.
                    fanOuts.clear();
                    fanningOut = false;
                }
            }
        }

        /**
         * Fans one frame of the room's changes out to every subscription, in the order the room made them:
         * one task per room at a time. The frame is encoded once for all; idle sockets are written from
         * this thread ({@link Outbound#offerChange}). One frame per turn, so other rooms' fan-outs and
         * sockets' backlogs take turns on the pool.
         */
        private void fanOut() {
            List<Change> changes;
            synchronized (this) {
                changes = fanOuts.poll();
            }
            try {
                if (changes != null) {
                    SharedBytes frame = new SharedBytes(Frames.changesFrame(changes));
                    for (Subscription s : subs) {
                        s.onChanges(changes, frame);
                    }
                    changeFrames.add(subs.size());
                }
            } finally {
                synchronized (this) {
                    if (fanOuts.isEmpty()) {
                        fanningOut = false;
                    } else {
                        try {
                            senders.execute(fanOutTask);
                        } catch (RejectedExecutionException stopping) {
                            fanOuts.clear();
                            fanningOut = false;
                        }
                    }
                }
            }
        }
    }

    /** A snapshot body and the room's epoch and seq it shows. */
    private record SharedSnapshot(String epoch, long seq, SharedBytes body) {
    }

    /** A room's batch window at its size: {@code baseNanos} ({@code roomBatchMs}), widened past {@value #WINDOW_SUBSCRIBERS} subscribers. */
    static long batchWindowNanos(long baseNanos, int subscribers) {
        return Math.max(baseNanos, baseNanos / WINDOW_SUBSCRIBERS * subscribers);
    }

    /**
     * Cluster mode: {@code generation} counts the times the shared store was found to have lost its
     * data or came back after an outage; {@code checkNow} checks at once and returns the generation
     * after the check; {@code reachable} says whether the store answered its last check.
     */
    public void watchStore(LongSupplier generation, LongSupplier checkNow, BooleanSupplier reachable) {
        this.storeGeneration = generation;
        this.checkStore = checkNow;
        this.storeReachable = reachable;
    }

    boolean storeReachable() {
        return storeReachable.getAsBoolean();
    }

    long storeGeneration() {
        return storeGeneration.getAsLong();
    }

    long checkStore() {
        return checkStore.getAsLong();
    }

    /**
     * The store lost its data (Redis restarted without persistence) or came back after an outage (R2):
     * every socket that showed life within its sessions' deadline re-creates (or refreshes) them now,
     * the others with their next frame (T1: a socket that died unnoticed is not revived); then every
     * subscriber is told its room is {@code live} again if it was told {@code degraded}, and resynced
     * with a snapshot read after that, so its list is exact.
     */
    public void storeLostData() {
        long known = storeGeneration();
        open.forEach(c -> c.storeRecovered(known));
        String status = degraded ? STATUS_LIVE : null;
        degraded = false;
        byRoom.values().forEach(room -> room.subs.forEach(s -> {
            s.status(status);
            s.forceResync();
        }));
    }

    /**
     * The store is out of reach (cluster mode, R1): every subscriber is told its room is
     * {@code degraded} — the list it holds may be stale — until {@link #storeLostData} says it is live.
     */
    public void storeUnreachable() {
        degraded = true;
        byRoom.values().forEach(room -> room.subs.forEach(s -> s.status(STATUS_DEGRADED)));
    }

    /**
     * X1: one body per room and seq. Snapshots read at the same seq of the same epoch show the same room,
     * so every socket asking meanwhile gets the same array; a room's entries are rendered once and reused
     * across its snapshots ({@link SnapshotEntries}).
     */
    @Override
    public SharedBytes snapshotBody(RoomSnapshot snap) {
        Room r = byRoom.get(snap.roomId());
        if (r == null) {
            return new SharedBytes(Frames.snapshotBody(snap,
                    new SnapshotEntries(Frames::entryUtf8, entriesRendered, entriesReused)));
        }
        // Read without the lock first: every socket of a flood asks for the same body, and one lock per
        // subscribe on the room queued Jetty's threads (docs/BENCHMARKS.md, anon-flood).
        // The one before it too: subscribers given the room's last snapshot made a moment before a new one
        // was (Presence#recent) still ask for it.
        SharedBytes seen = r.bodyOf(snap);
        if (seen != null) {
            snapshotsShared.incrementAndGet();
            return seen;
        }
        synchronized (r.entries) {
            seen = r.bodyOf(snap);
            if (seen != null) {
                snapshotsShared.incrementAndGet();
                return seen;
            }
            SharedBytes body = new SharedBytes(Frames.snapshotBody(snap, r.entries));
            SharedSnapshot last = r.latest;
            if (last == null || snap.seq() >= last.seq() || !Objects.equals(last.epoch(), snap.epoch())) {
                r.previous = last;
                r.latest = new SharedSnapshot(snap.epoch(), snap.seq(), body);
            }
            return body;
        }
    }

    OutboundBudget budget() {
        return budget;
    }

    AddressLimits addresses() {
        return addresses;
    }

    /** X2: anonymous sockets open now. */
    public int anonymousSockets() {
        return addresses.anonymousSockets();
    }

    /** X2: sockets open now from {@code address}. */
    public int socketsOf(String address) {
        return addresses.socketsOf(address);
    }

    /** X2: subscriptions held now by the sockets of {@code address}. */
    public int subscriptionsOf(String address) {
        return addresses.subscriptionsOf(address);
    }

    /** X2: upgrades refused with 429 so far, for any of the socket limits. */
    public long refusedUpgrades() {
        return refusedUpgrades.get();
    }

    void refusedUpgrade() {
        refusedUpgrades.incrementAndGet();
    }

    /** X1: bytes queued to clients now, across all sockets, shared ones counted once. */
    public long queuedBytes() {
        return budget.used();
    }

    /** X1: the server-wide budget for bytes queued to clients. */
    public long outboundBudgetBytes() {
        return budget.limit();
    }

    /** X1: sockets closed with 4009 {@code over_budget} so far. */
    public long overBudgetCloses() {
        return budget.shedSockets();
    }

    /** X1: snapshots that reused the body of an earlier one of the same room and seq. */
    public long snapshotsShared() {
        return snapshotsShared.get();
    }

    /**
     * Registers {@code s} for its room's changes. Without a lock on the room: a flood re-subscribing 2 000
     * times a second to one room queued Jetty's threads on any lock taken per subscribe, however short
     * (JFR, docs/BENCHMARKS.md, anon-flood: 2 200 s blocked in a 30 s flood with an O(1) step under the
     * map's lock for the room), and a normal user's join waited behind them. A room is retired (taken
     * out of the map) by the subscription that leaves it last; one retired meanwhile is replaced.
     */
    void add(Subscription s) {
        while (true) {
            Room room = byRoom.get(s.room());
            if (room == null) {
                room = byRoom.computeIfAbsent(s.room(), r -> new Room());
            }
            if (room.enter()) {
                room.subs.add(s);
                return;
            }
            byRoom.remove(s.room(), room);
        }
    }

    void remove(Subscription s) {
        Room room = byRoom.get(s.room());
        if (room != null && room.subs.remove(s) && room.leave()) {
            byRoom.remove(s.room(), room);
        }
    }

    /** Counts a new socket of {@code userId}; false when the user already holds the maximum. */
    boolean tryOpen(String userId) {
        AtomicInteger n = socketsPerUser.computeIfAbsent(userId, u -> new AtomicInteger());
        if (n.incrementAndGet() > settings.maxConnectionsPerUser()) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    void released(String userId) {
        socketsPerUser.computeIfPresent(userId, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    void opened(LiveConnection c) {
        open.add(c);
    }

    void closed(LiveConnection c) {
        open.remove(c);
        synchronized (open) {
            open.notifyAll(); // closeAll may be waiting for the last socket
        }
    }

    void pong() {
        pongs.incrementAndGet();
    }

    void resynced() {
        resyncs.incrementAndGet();
    }

    /** Snapshot entries rendered (S1): the ones that changed since the room's last snapshot. */
    public long snapshotEntriesRendered() {
        return entriesRendered.get();
    }

    /** Snapshot entries copied, as rendered for an earlier snapshot of the room (S1). */
    public long snapshotEntriesReused() {
        return entriesReused.get();
    }

    /** Subscriptions resynced with a snapshot because their socket fell behind (S4). */
    public long resyncs() {
        return resyncs.get();
    }

    /** Serves the socket gauges and counters on {@code /metrics}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("huddle.ws.sockets", open, Set::size).description("Open WebSockets").register(registry);
        FunctionCounter.builder("huddle.ws.pongs", pongs, AtomicLong::get).description("Pongs received (T1)").register(registry);
        FunctionCounter.builder("huddle.ws.resyncs", resyncs, AtomicLong::get)
                .description("Subscriptions resynced with a snapshot because their socket fell behind (S4)").register(registry);
        FunctionCounter.builder("huddle.ws.snapshot.entries.rendered", entriesRendered, AtomicLong::get)
                .description("Snapshot entries rendered: changed since the room's last snapshot (S1)").register(registry);
        FunctionCounter.builder("huddle.ws.snapshot.entries.reused", entriesReused, AtomicLong::get)
                .description("Snapshot entries copied as rendered for an earlier snapshot of the room (S1)").register(registry);
        Gauge.builder("huddle.ws.outbound.queued.bytes", budget, OutboundBudget::used)
                .description("Bytes queued to clients on all sockets, shared ones counted once (X1)").baseUnit("bytes").register(registry);
        Gauge.builder("huddle.ws.outbound.budget.bytes", budget, OutboundBudget::limit)
                .description("The server-wide budget for bytes queued to clients (X1)").baseUnit("bytes").register(registry);
        FunctionCounter.builder("huddle.ws.over.budget", budget, OutboundBudget::shedSockets)
                .description("Sockets closed with 4009 over_budget (X1)").register(registry);
        Gauge.builder("huddle.ws.sockets.anonymous", addresses, AddressLimits::anonymousSockets)
                .description("Anonymous WebSockets open (X2)").register(registry);
        FunctionCounter.builder("huddle.ws.upgrades.refused", refusedUpgrades, AtomicLong::get)
                .description("WebSocket upgrades refused with 429 by a socket limit (X2)").register(registry);
        FunctionCounter.builder("huddle.ws.snapshots.shared", snapshotsShared, AtomicLong::get)
                .description("Snapshots that reused the body of an earlier one of the same room and seq (X1)").register(registry);
        FunctionCounter.builder("huddle.ws.change.frames", changeFrames, LongAdder::sum)
                .description("Change frames fanned out: one per subscription per frame of a room's changes (S3)").register(registry);
        FunctionCounter.builder("huddle.ws.too.slow", tooSlow, AtomicLong::get)
                .description("Sockets closed with 4008 too_slow (S4)").register(registry);
    }

    void closedTooSlow() {
        tooSlow.incrementAndGet();
    }

    /** Sockets closed with 4008 {@code too_slow} so far (S4). */
    public long tooSlowCloses() {
        return tooSlow.get();
    }

    LiveSettings settings() {
        return settings;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService senders() {
        return senders;
    }

    /**
     * Where anonymous sockets' messages run (X2), each socket's one at a time: half the cores, at least one.
     * Measured (docs/BENCHMARKS.md, anon-flood): 2 000 anonymous sockets subscribing once a second kept all of
     * Jetty's threads busy in the server's first seconds, while signed-in users' requests queued behind them.
     */
    ExecutorService anonymous() {
        return anonymous;
    }

    static int anonymousThreads(int cores) {
        return Math.max(1, cores / 2);
    }

    /** Pongs received from all sockets so far (T1; tests wait on it). */
    public long pongsReceived() {
        return pongs.get();
    }

    /** Open sockets. */
    public int openSockets() {
        return open.size();
    }

    /** The largest outbound queue any open socket has held (S4; tests check it stays bounded). */
    public int largestOutboundQueue() {
        return open.stream().mapToInt(LiveConnection::outboundHighWater).max().orElse(0);
    }

    /** The longest time any socket's current send has been waiting for the client, in ms (S4). */
    public long longestPendingSendMs() {
        long now = System.nanoTime();
        return open.stream().mapToLong(c -> c.pendingSendMs(now)).max().orElse(0);
    }

    /** Messages queued now across all sockets. */
    public int queuedMessages() {
        return open.stream().mapToInt(LiveConnection::outboundSize).sum();
    }

    /** Subscriptions to {@code room} across all sockets. */
    public int subscribers(String room) {
        Room r = byRoom.get(room);
        return r == null ? 0 : r.subs.size();
    }

    /**
     * Shutdown, before the server stops listening: closes every socket with 1001 (their sessions are
     * not ended, T2) and waits up to {@code waitMs} for the close handshakes.
     */
    public void closeAll(long waitMs) {
        open.forEach(LiveConnection::goingAway);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        synchronized (open) {
            long left;
            while (!open.isEmpty() && (left = until - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(open, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        senders.shutdownNow();
        anonymous.shutdownNow();
        try {
            senders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Daemon threads named {@code name-1}, {@code name-2}… (the transports' pools too). */
    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
