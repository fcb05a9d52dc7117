package dev.huddle.server.live;

import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.Presence;
import dev.huddle.presence.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one socket's sessions alive (T1): every frame the client sends, pongs included, refreshes each
 * of them (a heartbeat at most about once a second per session), and the socket is pinged at the
 * smallest interval of its sessions, so that a browser tab answers without running page scripts. A
 * session that ended meanwhile (it expired while the socket was stuck, or was disconnected over HTTP)
 * is not brought back: the socket forgets it and tells the client {@code session_ended} — unless the
 * store lost it with its data (cluster mode), or it ended because the node paused longer than its lease
 * ({@code HeldSession.lostWithLease}), when it is created again ({@link Rejoin}).
 */
final class Liveness {
    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);
    private static final ByteBuffer PING = ByteBuffer.wrap("hp".getBytes(StandardCharsets.US_ASCII));

    private final LiveServices services;
    private final String userId;
    private final JoinedSessions sessions;
    private final Outbound out;
    private final Wire wire;
    private final Runnable onStall;
    private final Runnable onSilence;
    private final long silenceMs;
    /** When this socket last showed life (opened, or sent a frame), on the engine's clock. */
    private volatile long lastFrameMs;
    /** Pings sent since the client's last frame (the ping timer's thread writes it; a frame resets it). */
    private volatile int unanswered;
    /** Pings a silent socket leaves unanswered before it is closed, besides {@link #silenceMs}. */
    static final int SILENT_PINGS = 3;
    // Guarded by this.
    private ScheduledFuture<?> pinger;
    private long pingEveryMs;
    private boolean stopped;

    /**
     * {@code onStall} runs when a ping finds a send stuck past the send timeout (S4); {@code onSilence} when a
     * ping finds the client silent for longer than {@link #silenceMs} of its ping interval.
     */
    Liveness(LiveServices services, String userId, JoinedSessions sessions, Outbound out, Wire wire, Runnable onStall,
            Runnable onSilence) {
        this.services = services;
        this.userId = userId;
        this.sessions = sessions;
        this.out = out;
        this.wire = wire;
        this.onStall = onStall;
        this.onSilence = onSilence;
        this.silenceMs = silenceMs(services.hub().settings().pingIntervalMs());
        this.lastFrameMs = services.presence().clock().millis();
    }

    /**
     * How long a socket may stay silent, not even answering pings, before it is closed: three ping intervals,
     * at least 30 s, and {@value #SILENT_PINGS} of this node's pings unanswered. Checked at each ping, so no timer of its own per socket (the transports' idle timeouts are off on
     * sockets: a timer per connection wakes an idle server at scattered instants, and holds a task per socket).
     */
    static long silenceMs(long pingIntervalMs) {
        return Math.max(30_000, 3 * pingIntervalMs);
    }

    /**
     * A frame arrived: touches the sessions the node's keep-alive holds (memory only). Returns -1 when that is
     * all; otherwise a session is due a refresh in the store, and the result is what this node knew of the store
     * losing its data when the frame arrived, to pass to {@link #refreshDue}, which the caller runs where waiting
     * for the store is allowed (not on an event loop).
     */
    long touch() {
        lastFrameMs = services.presence().clock().millis();
        unanswered = 0;
        LiveHub hub = services.hub();
        if (sessions.isEmpty()) {
            return -1;
        }
        // What this node knew of the store losing its data when this frame arrived (cluster mode).
        long known = hub.storeGeneration();
        boolean allHeld = true;
        for (LiveSession ls : sessions.all()) {
            allHeld &= ls.touchHeld(known);
        }
        // Cluster mode with Redis away: keep the sessions and try again on a later frame, without waiting for a
        // store that cannot answer.
        return allHeld || !hub.storeReachable() ? -1 : known;
    }

    /** Refreshes every session not held whose last refresh is older than its refresh period ({@link #touch}). */
    void refreshDue(long known) {
        long now = services.presence().clock().millis();
        boolean dropped = false;
        for (LiveSession ls : sessions.all()) {
            synchronized (ls) {
                if (ls.touchHeld(known)) {
                    continue;
                }
                if (now - ls.lastBeat >= ls.refreshEveryMs() && !refresh(ls, known, now)) {
                    sessions.forget(ls);
                    dropped = true;
                }
            }
        }
        if (dropped) {
            reschedule();
        }
    }

    /**
     * The store lost its data or came back after an outage (cluster mode, R2; {@code known} is the
     * store generation after that): each session is refreshed now, or created again if the store lost
     * it, without waiting for the socket's next frame — provided the socket showed life within the
     * session's deadline (2.5 intervals, P1), so a socket that died unnoticed is not revived. Others
     * wait for the next frame ({@link #touch}), as before.
     */
    void recreateNow(long known) {
        long now = services.presence().clock().millis();
        boolean dropped = false;
        for (LiveSession ls : sessions.all()) {
            if (now - lastFrameMs > Presence.deadline(0, ls.intervalMs)) {
                continue;
            }
            synchronized (ls) {
                if (!refresh(ls, known, now)) {
                    sessions.forget(ls);
                    dropped = true;
                }
            }
        }
        if (dropped) {
            reschedule();
        }
    }

    /** Refreshes {@code ls} (under its lock); false when it has ended and the client was told why. */
    private boolean refresh(LiveSession ls, long known, long now) {
        long previousBeat = ls.lastBeat;
        ls.lastBeat = now;
        try {
            Optional<String> live = services.presence().liveSessionToken(ls.room, userId, ls.sessionId);
            if (live.isPresent() && live.get().equals(ls.token)) {
                hold(services, userId, ls, services.presence().heartbeat(ls.room, userId, ls.sessionId, ls.intervalMs));
                return true;
            }
            if (live.isEmpty() && (known > ls.generation || ls.lostWithLease())) {
                // Redis lost its data after this session was made, and this frame came after that was
                // known; or the node paused longer than its lease and the session ended meanwhile: the
                // socket is alive (T1), so the session is created again.
                hold(services, userId, ls, Rejoin.rejoin(services, userId, out, ls, Math.max(known, ls.generation)));
                return true;
            }
            if (live.isEmpty() && services.presence().keepAlive().leaseLapsed()) {
                // The node has just resumed from a pause longer than its lease: whether the session ended
                // with the lease is known after the keep-alive's next tick; a later frame decides.
                ls.lastBeat = previousBeat;
                return true;
            }
            if (live.isEmpty() && services.hub().checkStore() > ls.generation) {
                // Lost with Redis's data, but this frame may predate the loss: wait for the next one.
                ls.lastBeat = previousBeat;
                return true;
            }
            out.reply(Frames.error(null, "session_ended", "session '" + ls.sessionId
                    + "' has ended (it expired or was disconnected); join again to come back"));
            return false;
        } catch (StoreUnavailableException e) {
            // Cluster mode: Redis cannot be reached. Keep the socket and the session; a later frame tries again.
            ls.lastBeat = previousBeat;
            LOG.debug("heartbeat of session {} failed, Redis is unreachable; a later frame tries again", ls.sessionId, e);
            return true;
        } catch (RuntimeException e) {
            // A refusal (the engine's, P2; or the huddle's when re-creating the session: the user left it), or
            // a failure nobody expected, logged: the socket stops keeping the session alive and says why.
            out.reply(ErrorReplies.of(null, e, "refreshing session " + ls.sessionId));
            return false;
        }
    }

    /**
     * Hands the session, just heartbeated with {@code beat}, to the node's keep-alive (under its lock):
     * from now on frames only touch it in memory. If the keep-alive lets go of it (it ended elsewhere, a
     * departure grace moved its deadline, the store lost it), the next frame due for a refresh heartbeats
     * it again, which says {@code session_ended} or re-creates it as before.
     */
    static void hold(LiveServices services, String userId, LiveSession ls, HeartbeatResult beat) {
        // Nothing to do when the hold is lost: touchHeld sees it, and the frame takes the refresh path.
        ls.hold(services.presence().hold(ls.room, userId, ls.sessionId, ls.intervalMs, beat, () -> { }));
    }

    /** Pings at the smallest interval of the sessions, or the configured ping interval when that is smaller. */
    synchronized void reschedule() {
        if (stopped) {
            return;
        }
        long every = sessions.shortestInterval(services.hub().settings().pingIntervalMs());
        if (pinger != null && every == pingEveryMs) {
            return;
        }
        if (pinger != null) {
            pinger.cancel(false);
        }
        pingEveryMs = every;
        long everyNanos = TimeUnit.MILLISECONDS.toNanos(every);
        pinger = services.hub().scheduler().scheduleAtFixedRate(this::ping, firstPingNanos(System.nanoTime(), everyNanos),
                everyNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The delay of a socket's first ping: one interval, rounded up to the next slot of a grid shared by every
     * socket ({@code every / 10}, at most 1 s). Sockets opened at scattered instants then ping together, a
     * slot's worth at a time, so the timer wakes at most once a second however many sockets there are, and
     * the pongs come back in bursts that the selector picks up together. With a ping scheduled at each
     * socket's own instant, the wake-ups (one per ping, 100 a second at 1 000 sockets) were most of an idle
     * server's CPU; a 100 ms grid still woke the timer threads 20 times a second. A slot's burst of pongs
     * waits in Jetty's bounded pool ({@code --http-max-threads}) instead of growing it (scripts/bench-fanout.sh,
     * the idle window; docs/BENCHMARKS.md).
     */
    static long firstPingNanos(long nowNanos, long everyNanos) {
        long slot = Math.max(1, Math.min(SLOT_NANOS, everyNanos / 10));
        return everyNanos + Math.floorMod(-nowNanos, slot);
    }

    /** The widest slot of the pings' shared grid. */
    static final long SLOT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The socket ended: no more pings. */
    synchronized void stop() {
        stopped = true;
        if (pinger != null) {
            pinger.cancel(false);
        }
    }

    private void ping() {
        if (!wire.isOutputOpen()) {
            return;
        }
        if (out.stalled(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(services.hub().settings().sendTimeoutMs()))) {
            onStall.run();
            return;
        }
        // Silent by the clock and by this node's own pings: a node back from a pause of its own (its clock
        // moved on while it sent nothing) does not take its sockets for dead before they can answer.
        if (services.presence().clock().millis() - lastFrameMs > silenceMs && unanswered >= SILENT_PINGS) {
            onSilence.run();
            return;
        }
        unanswered++;
        wire.ping(PING.duplicate());
    }
}
