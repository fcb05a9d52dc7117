package dev.huddle.server.live;

import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.presence.FlagArgs;
import dev.huddle.server.presence.PresenceFunctions;
import java.util.Map;

/**
 * {@code flags}: sets a session's speaking and recording flags (H5), rate-limited and paced by its
 * {@link FlagGate}. No reply on success: the change shows in the room's stream.
 */
final class FlagsHandler implements MessageHandler {
    @Override
    public void handle(SocketContext socket, Message m) {
        socket.me();
        Args a = m.args();
        String huddleId = a.requiredString("huddleId");
        String sessionId = a.requiredString("sessionId");
        FlagArgs flags = FlagArgs.atLeastOne(a);
        LiveSession ls = socket.sessions().inHuddle(huddleId, sessionId);
        Map<String, String> patch = PresenceFunctions.flagPatch(ls.role, flags.speaking(), flags.recording());
        if (!ls.flags.admit()) {
            throw new ApiException(429, "rate_limited", "more than " + socket.hub().settings().flagUpdatesPerSecond()
                    + " flag updates a second for this session; this one was dropped");
        }
        ls.flagState.putAll(patch);
        ls.flags.submit(patch);
    }
}
