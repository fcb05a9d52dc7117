package dev.huddle.server.live;

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

    /** How much engine time must pass before a frame refreshes the session again. */
    long refreshEveryMs() {
        return Math.min(1_000, intervalMs / 4);
    }
}
