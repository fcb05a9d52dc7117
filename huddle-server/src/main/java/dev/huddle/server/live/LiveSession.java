package dev.huddle.server.live;

import dev.huddle.server.huddle.Role;

/**
 * A session joined over one socket: what the socket needs to keep it alive (T1) and to end it (T3).
 * {@code token} and {@code lastBeat} change when a frame refreshes it; guarded by the connection.
 */
final class LiveSession {
    final String room;
    final String sessionId;
    final long intervalMs;
    final Role role;
    final FlagGate flags;
    String token;
    long lastBeat;

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
