package dev.huddle.server.live;

import dev.huddle.presence.HeartbeatResult;
import dev.huddle.server.huddle.Role;
import dev.huddle.server.presence.PresenceFunctions;
import dev.huddle.server.presence.SessionData;
import java.util.Optional;

/**
 * Creates a session again, with its profile and last flags, after the shared store lost its data
 * (cluster mode: Redis restarted without persistence) while the session's socket stayed alive (T1).
 * The client keeps its socket and session id; the session token changes, and the client is told the
 * new one in a {@code joined} that answers no request (docs/protocol.md).
 */
final class Rejoin {
    private Rejoin() {
    }

    /**
     * Re-creates {@code ls} of {@code userId} and records {@code generation}, the store generation it now
     * belongs to; returns the heartbeat that did it. Throws what a {@code join} throws: the user may have left the huddle meanwhile.
     */
    static HeartbeatResult rejoin(LiveServices services, String userId, Outbound out, LiveSession ls, long generation) {
        boolean participant = ls.role != Role.OBSERVER;
        Optional<Boolean> speaking = participant ? lastFlag(ls, SessionData.IS_SPEAKING) : Optional.empty();
        Optional<Boolean> recording = participant ? lastFlag(ls, SessionData.IS_RECORDING) : Optional.empty();
        PresenceFunctions.Joined j = services.functions().join(userId, ls.room, ls.sessionId, ls.intervalMs, speaking, recording);
        ls.token = j.result().sessionToken();
        ls.generation = generation;
        ls.lastBeat = services.presence().clock().millis();
        // Not a reply: tells the client its new session token, which a resume on another socket needs (T2).
        out.reply(Frames.joined(null, ls.room, ls.sessionId, j.result(), false));
        return j.result();
    }

    private static Optional<Boolean> lastFlag(LiveSession ls, String flag) {
        return Optional.ofNullable(ls.flagState.get(flag)).map(SessionData.TRUE::equals);
    }
}
