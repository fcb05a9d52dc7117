package dev.huddle.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's keep-alive for the sessions its sockets hold (T1 at O(nodes) store cost): a socket's
 * frames only {@link HeldSession#touch touch} its sessions in memory, and once per tick the node sends
 * the store one batch ({@link PresenceStore#renew}) with the sessions whose stored deadline is within two
 * ticks and that had a frame since it was written. So an idle socket's ping costs the store nothing;
 * each held session's deadline is rewritten about once per interval, inside a batch. The stored
 * deadline is always that of some frame the socket really sent, never later than P1 gives: if the node
 * dies, its sessions end at their stored deadlines, within one session deadline of the death, by any
 * node's expiry worker, exactly once (P5, P7).
 *
 * <p>A session is held only if its interval is at least two ticks ({@link #holds}): its stored deadline
 * must stay ahead of the next tick. Shorter intervals keep the per-frame heartbeat.
 */
public final class KeepAlive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final PresenceStore store;
    private final TimeSource clock;
    private final long tickMs;
    private final Set<HeldSession> held = ConcurrentHashMap.newKeySet();
    /** The held sessions of each (room, user), so that a leave or remove finds them at once. */
    private final Map<Seat, Set<HeldSession>> bySeat = new ConcurrentHashMap<>();
    private ScheduledExecutorService ticker;
    private volatile boolean closed;

    KeepAlive(PresenceStore store, TimeSource clock, long tickMs) {
        this.store = store;
        this.clock = clock;
        this.tickMs = tickMs;
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

    /** How often the node renews (ms). */
    public long tickMs() {
        return tickMs;
    }

    /** Whether a session of this interval can be held: its deadline outlives two ticks with room to spare. */
    public boolean holds(long intervalMs) {
        return intervalMs >= 2 * tickMs;
    }

    /** How many sessions this node holds. */
    public int size() {
        return held.size();
    }

    private record Seat(String roomId, String userId) {
    }

    HeldSession hold(HeldSession h) {
        bySeat.computeIfAbsent(new Seat(h.roomId, h.userId), k -> ConcurrentHashMap.newKeySet()).add(h);
        held.add(h);
        return h;
    }

    /** Lets go of {@code h}; true if it was held. */
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
     * A change of the store (any node's): a user who left a room (P7) or was removed from it (P10) has no
     * live session there, so this node lets go of the ones it held at once, without waiting for their
     * renewal to find them gone. (A session that ended while its user stays online through another one is
     * found by its next renewal.) Memory only, so it may run under the store's locks.
     */
    void onChange(Change c) {
        if (c.kind() == ChangeKind.LEAVE || c.kind() == ChangeKind.REMOVE) {
            Set<HeldSession> seat = bySeat.get(new Seat(c.roomId(), c.entry().userId()));
            if (seat != null) {
                for (HeldSession h : List.copyOf(seat)) {
                    lose(h);
                }
            }
        }
    }

    /** Writes {@code h}'s last frame's deadline soon, on the tick thread (its socket went away, T2). */
    void renewSoon(HeldSession h) {
        ScheduledExecutorService t;
        synchronized (this) {
            t = ticker;
        }
        if (t != null) {
            try {
                t.execute(() -> renewNow(h));
                return;
            } catch (RejectedExecutionException closing) {
                // closing: write it here
            }
        }
        renewNow(h);
    }

    /** Writes {@code h}'s last frame's deadline now (its socket went away, T2). */
    void renewNow(HeldSession h) {
        Renewal r = h.finalRenewal();
        if (r != null && !closed) {
            try {
                store.renew(List.of(r), clock.millis());
            } catch (RuntimeException e) {
                // the store keeps the deadline of the last renewal, at most two ticks earlier
                LOG.warn("could not write the last deadline of session {}; it keeps the one renewed before", h.sessionId, e);
            }
        }
    }

    /**
     * One tick: renews, in one batch, every held session whose stored deadline is within two ticks and
     * that had a frame since; lets go of (and tells) the ones the store no longer has live. Returns how
     * many were renewed.
     */
    public int tick() {
        if (closed) {
            return 0;
        }
        long now = clock.millis();
        List<HeldSession> due = new ArrayList<>();
        List<Renewal> batch = new ArrayList<>();
        for (HeldSession h : held) {
            Renewal r = h.renewalDue(now, 2 * tickMs);
            if (r != null) {
                due.add(h);
                batch.add(r);
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        long[] result = store.renew(batch, now);
        int renewed = 0;
        for (int i = 0; i < result.length; i++) {
            HeldSession h = due.get(i);
            if (h.renewed(batch.get(i), result[i])) {
                renewed++;
            } else {
                lose(h);
            }
        }
        return renewed;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // the store is away: the sessions keep their stored deadlines; the next tick tries again
            LOG.warn("keep-alive renewal failed; retrying next tick", e);
        }
    }

    /**
     * Stops renewing: the deadlines of sockets released before are written (at most 2 s of waiting), then
     * no tick runs and a released session writes nothing more. The sessions keep their stored deadlines,
     * as if the node had died ({@link Presence#close} calls it; a server halting calls it first).
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
