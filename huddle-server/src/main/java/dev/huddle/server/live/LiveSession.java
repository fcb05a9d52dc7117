package dev.huddle.server.live;

import dev.huddle.presence.HeldSession;
import dev.huddle.server.huddle.Role;

/**
 * A session joined over one socket: what the socket needs to keep it alive (T1) and to end it (T3).
 * {@code token} and {@code lastBeat} change when a frame refreshes it ({@link Liveness}, under this
 * object's lock) and when a {@code join} continues it.
 */
final class LiveSession {
    final String room;
    final String sessionId;
    final long intervalMs;
    /** The member's role: set at join, and changed by a host's role change as the room's stream shows it (H9). */
    volatile Role role;
    final FlagGate flags;
    String token;
    long lastBeat;
    /** The store generation (cluster mode) when the session was last created or continued. */
    long generation;
    /** The flags this session last asked for, to re-create it with them after a store lost its data. */
    final java.util.Map<String, String> flagState = new java.util.concurrent.ConcurrentHashMap<>();

    LiveSession(String room, String sessionId, long intervalMs, Role role, String token, long lastBeat, FlagGate flags) {
        this.room = room;
        this.sessionId = sessionId;
        this.intervalMs = intervalMs;
        this.role = role;
        this.token = token;
        this.lastBeat = lastBeat;
        this.flags = flags;
    }

    /**
     * The node's keep-alive of this session while it holds it (T1 without a store call per frame), or
     * null while frames heartbeat it instead (a short interval, or after the hold was lost).
     */
    private HeldSession held;

    /** Holds the session with {@code next} (or not, when empty), letting go of a previous hold without a write. */
    synchronized void hold(java.util.Optional<HeldSession> next) {
        if (held != null) {
            held.drop();
        }
        held = next.orElse(null);
    }

    /**
     * A frame arrived: touches the hold in memory and returns true, if the keep-alive still holds the
     * session and the store has not lost its data since it was made ({@code known}); else false, and the
     * caller heartbeats it.
     */
    synchronized boolean touchHeld(long known) {
        if (held == null || !held.held() || known > generation) {
            return false;
        }
        held.touch();
        return true;
    }

    /**
     * Whether the keep-alive lost this session with the node's lease (the node paused longer than its
     * lease, and the session ended meanwhile): its socket is still open, so it is created again.
     */
    synchronized boolean lostWithLease() {
        return held != null && !held.held() && held.lostWithLease();
    }

    /** The socket stops keeping the session alive: a goodbye ({@code release} false) or a drop (true, T2). */
    synchronized void letGo(boolean release) {
        if (held != null) {
            if (release) {
                held.release();
            } else {
                held.drop();
            }
            held = null;
        }
    }

    /** How much engine time must pass before a frame refreshes the session again. */
    long refreshEveryMs() {
        return Math.min(1_000, intervalMs / 4);
    }
}
