package dev.huddle.server.live;

import dev.huddle.presence.Presence;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;

/** {@code leave}: the goodbye (T3). Ends a session joined on this socket, at once or after a grace; replies {@code left}. */
final class LeaveHandler implements MessageHandler {
    @Override
    public void handle(SocketContext socket, Message m) {
        socket.me();
        Args a = m.args();
        String huddleId = a.requiredString("huddleId");
        String sessionId = a.requiredString("sessionId");
        long grace = a.optionalLong("graceMs", 0);
        if (grace < 0 || grace > Presence.MAX_GRACE_MS) {
            throw ApiException.invalidArgument("graceMs", "must lie in 0…" + Presence.MAX_GRACE_MS);
        }
        LiveSession ls = socket.sessions().inHuddle(huddleId, sessionId);
        socket.sessions().forget(ls);
        socket.services().presence().disconnect(ls.token, grace);
        socket.sessionsChanged();
        socket.reply(Frames.left(m.requestId(), ls.room, sessionId));
    }
}
