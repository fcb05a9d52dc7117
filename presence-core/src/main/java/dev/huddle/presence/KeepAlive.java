package dev.huddle.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's keep-alive for the sessions its sockets hold (T1 at O(nodes) store cost), the way Phoenix
 * Tracker keeps presences: a socket's frames only {@link HeldSession#touch touch} its sessions in
 * memory; the store keeps a held session live for as long as the node's <b>lease</b> holds
 * ({@link PresenceStore#hold}), and once per tick the node renews that one lease
 * ({@link PresenceStore#renewLease}). So an idle socket costs the store nothing per ping and nothing per
 * tick. The node still judges its own sockets: a held session whose socket has been silent for all but
 * two ticks of its deadline goes back to an ordinary deadline, that of its last frame (P1), as does the
 * session of a socket that closes without a goodbye (T2).
 *
 * <p>If the node dies (kill -9, or a pause longer than its lease), its lease runs out and any node's
 * expiry worker releases its held sessions, exactly once, each to the deadline of the lease's last
 * renewal plus the session's timeout: they end within one session deadline of the node's last sign of
 * life, with the usual leave (P5, P7). A node that comes back from such a pause finds its lease lost on
 * its next tick: it holds again the sessions that are still live, and marks the ones that ended
 * ({@link HeldSession#lostWithLease}) so that their sockets, still open, create them again.
 *
 * <p>A session is held only if its interval is at least two ticks ({@link #holds}), so that its deadline
 * outlives the lease. Shorter intervals keep the per-frame heartbeat.
 */
public final class KeepAlive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);
    /** The lease outlives this many ticks: one missed renewal (a slow store, a GC pause) loses nothing. */
    static final int LEASE_TICKS = 3;
    private static final long NEVER = Long.MIN_VALUE;

    private final PresenceStore store;
    private final TimeSource clock;
    private final long tickMs;
    private final long leaseMs;
    private final Set<HeldSession> held = ConcurrentHashMap.newKeySet();
    /** The held sessions of each (room, user), so that a leave or remove finds them at once. */
    private final Map<Seat, Set<HeldSession>> bySeat = new ConcurrentHashMap<>();
    /**
     * Sessions let go at a leave since the last tick: the next tick tells whether the node's lease was
     * lost meanwhile (then the leave was the lease's doing, and they are marked to be created again).
     */
    private final Queue<HeldSession> leftSinceTick = new ConcurrentLinkedQueue<>();
    /** Released sessions whose deadline could not be written yet (the store was away): retried each tick. */
    private final Queue<HeldSession> unholdLater = new ConcurrentLinkedQueue<>();
    /** When the lease was last renewed (store time), or NEVER. */
    private volatile long renewedAt = NEVER;
    private ScheduledExecutorService ticker;
    private volatile boolean closed;

    KeepAlive(PresenceStore store, TimeSource clock, long tickMs) {
        this.store = store;
        this.clock = clock;
        this.tickMs = tickMs;
        this.leaseMs = LEASE_TICKS * tickMs;
    }

    /** Starts the tick thread. */
    synchronized void start() {
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "presence-keepalive");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(this::tickSafely, tickMs, tickMs, TimeUnit.MILLISECONDS);
        }
    }

    /** How often the node renews its lease (ms). */
    public long tickMs() {
        return tickMs;
    }

    /** How long the node's lease lasts after a renewal (ms): three ticks. */
    public long leaseMs() {
        return leaseMs;
    }

    /** Whether a session of this interval can be held: its deadline outlives the lease. */
    public boolean holds(long intervalMs) {
        return intervalMs >= 2 * tickMs;
    }

    /** How many sessions this node holds. */
    public int size() {
        return held.size();
    }

    private record Seat(String roomId, String userId) {
    }

    /** Holds {@code h} in the store under the lease (one store call); empty if the session is not live or the store is away. */
    Optional<HeldSession> hold(HeldSession h) {
        long now = clock.millis();
        try {
            if (!store.hold(List.of(h.hold), now, leaseMs)[0]) {
                return Optional.empty();
            }
        } catch (RuntimeException e) {
            // the session keeps the deadline of its heartbeat; the caller heartbeats it per frame instead
            LOG.debug("could not hold session {}; its socket heartbeats it instead", h.sessionId, e);
            return Optional.empty();
        }
        h.heldUntil(refreshAt(h, now));
        bySeat.computeIfAbsent(new Seat(h.roomId, h.userId), k -> ConcurrentHashMap.newKeySet()).add(h);
        held.add(h);
        return Optional.of(h);
    }

    /**
     * When {@code h} must be held again: the store's refresh period, spread over its second half by the
     * session id so that sessions held together are not all held again in one tick.
     */
    private long refreshAt(HeldSession h, long now) {
        long every = store.holdRefreshMs();
        if (every == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long half = Math.max(1, every / 2);
        return now + half + Math.floorMod(h.sessionId.hashCode(), half);
    }

    /** Lets go of {@code h} in memory; true if it was held. */
    boolean forget(HeldSession h) {
        held.remove(h);
        bySeat.computeIfPresent(new Seat(h.roomId, h.userId), (k, set) -> {
            set.remove(h);
            return set.isEmpty() ? null : set;
        });
        return h.unhold();
    }

    /** Lets go of {@code h} because the store no longer has it live, and tells its holder. */
    private void lose(HeldSession h) {
        if (forget(h)) {
            try {
                h.onLost.run();
            } catch (RuntimeException e) {
                LOG.error("the lost-session callback of session {} failed", h.sessionId, e);
            }
        }
    }

    /**
     * Whether the node's lease may have run out: not renewed for longer than it lasts (the node paused, or
     * could not reach the store). A held session found ended meanwhile may be the lease's doing; the next
     * tick tells ({@link HeldSession#lostWithLease}), so a caller should ask again after it.
     */
    public boolean leaseLapsed() {
        return leaseLapsed(clock.millis());
    }

    private boolean leaseLapsed(long now) {
        long at = renewedAt;
        return at != NEVER && now - at > leaseMs;
    }

    /**
     * A change of the store (any node's): a user who left a room (P7) or was removed from it (P10) has no
     * live session there, so this node lets go of the ones it held at once. A leave while this node's lease
     * may have lapsed is the lease's doing (the node paused): the socket is still open, so the session is
     * marked to be created again. (A session that ended while its user stays online through another one is
     * found when it is next held again.) Memory only, so it may run under the store's locks.
     */
    void onChange(Change c) {
        if (c.kind() == ChangeKind.LEAVE || c.kind() == ChangeKind.REMOVE) {
            Set<HeldSession> seat = bySeat.get(new Seat(c.roomId(), c.entry().userId()));
            if (seat != null) {
                boolean lapsed = c.kind() == ChangeKind.LEAVE && leaseLapsed(clock.millis());
                for (HeldSession h : List.copyOf(seat)) {
                    if (lapsed) {
                        h.markLostWithLease();
                    } else if (c.kind() == ChangeKind.LEAVE && h.held()) {
                        leftSinceTick.add(h);
                    }
                    lose(h);
                }
            }
        }
    }

    /** Gives {@code h} back its last frame's deadline soon, on the tick thread (its socket went away, T2). */
    void unholdSoon(HeldSession h) {
        ScheduledExecutorService t;
        synchronized (this) {
            t = ticker;
        }
        if (t != null) {
            try {
                t.execute(() -> unholdNow(h));
                return;
            } catch (RejectedExecutionException closing) {
                // closing: write it here
            }
        }
        unholdNow(h);
    }

    /** Gives {@code h} back its last frame's deadline now; true when done (or nothing is left to do). */
    private boolean unholdNow(HeldSession h) {
        if (closed) {
            return true; // a stopped node writes nothing: its lease runs out and its sessions are released with it
        }
        try {
            store.unhold(h.hold, h.wanted(), clock.millis());
            return true;
        } catch (RuntimeException e) {
            // held under the lease until a later tick manages it; never kept alive past the node's death
            if (e instanceof StoreUnavailableException) {
                LOG.debug("could not give session {} its last frame's deadline; retrying next tick", h.sessionId, e);
            } else {
                LOG.warn("could not give session {} its last frame's deadline; retrying next tick", h.sessionId, e);
            }
            unholdLater.add(h);
            return false;
        }
    }

    /**
     * One tick: renews the lease (one store call); holds again the sessions of rooms whose hold was lost
     * (the node paused longer than its lease) and those due for a refresh, in one batch; gives the
     * sessions of silent sockets back their last frame's deadline. Returns how many sessions it held again.
     */
    public int tick() {
        if (closed) {
            return 0;
        }
        long now = clock.millis();
        for (int n = unholdLater.size(); n > 0; n--) {
            HeldSession h = unholdLater.poll();
            if (h == null || !unholdNow(h)) {
                break;
            }
        }
        if (now == renewedAt) {
            return 0; // no time has passed since the last renewal: there is nothing to renew
        }
        boolean paused = leaseLapsed(now);
        Predicate<String> lost = store.renewLease(now, leaseMs);
        renewedAt = now;
        // a leave heard since the last tick was the lease's doing if the lease was lost meanwhile
        for (int n = leftSinceTick.size(); n > 0; n--) {
            HeldSession h = leftSinceTick.poll();
            if (h != null && (paused || lost.test(h.roomId))) {
                h.markLostWithLease();
            }
        }
        List<HeldSession> again = new ArrayList<>();
        List<HeldSession> silent = new ArrayList<>();
        for (HeldSession h : held) {
            if (paused) {
                h.pardon(now); // its frames could not be read while the node stood still
            }
            if (h.wanted() - now <= 2 * tickMs) {
                silent.add(h);
            } else if (lost.test(h.roomId) || h.refreshDue(now)) {
                again.add(h);
            }
        }
        for (HeldSession h : silent) {
            if (forget(h) && !unholdNow(h)) {
                LOG.debug("session {} of a silent socket stays held until its deadline is written", h.sessionId);
            }
        }
        if (again.isEmpty()) {
            return 0;
        }
        List<Hold> batch = new ArrayList<>(again.size());
        for (HeldSession h : again) {
            batch.add(h.hold);
        }
        boolean[] ok = store.hold(batch, now, leaseMs);
        int count = 0;
        for (int i = 0; i < ok.length; i++) {
            HeldSession h = again.get(i);
            if (ok[i]) {
                h.heldUntil(refreshAt(h, now));
                count++;
            } else {
                if (lost.test(h.roomId)) {
                    h.markLostWithLease();
                }
                lose(h);
            }
        }
        return count;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (StoreUnavailableException e) {
            // the store is out of reach (R1): it logs that itself at a bounded rate; the lease runs out after
            // three ticks, and the tick after the outage notices what was lost
            LOG.debug("keep-alive lease renewal failed, the store is unavailable; retrying next tick", e);
        } catch (RuntimeException e) {
            // the store is away: the lease runs out after three ticks, and a later tick notices what was lost
            LOG.warn("keep-alive lease renewal failed; retrying next tick", e);
        }
    }

    /**
     * Stops: the deadlines of sockets released before are written (at most 2 s of waiting), then no tick
     * runs and a released session writes nothing more. The lease is no longer renewed: the sessions still
     * held are released with it, as if the node had died ({@link Presence#close} calls it; a server
     * halting calls it first).
     */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            t = ticker;
        }
        if (t != null) {
            t.shutdown(); // no more ticks; releases already handed over still run
            try {
                t.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            t.shutdownNow();
        }
        closed = true;
    }
}
