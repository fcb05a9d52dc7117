package dev.huddle.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.Presence;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Json;
import dev.huddle.server.presence.PresenceFunctions;
import dev.huddle.server.presence.SessionData;
import dev.huddle.server.presence.SessionIds;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code join}: starts a session of the signed-in member on this socket, or continues a live one (T2)
 * when the socket already holds it or the client proves it with its session token. Replies {@code joined}.
 */
final class JoinHandler implements MessageHandler {
    @Override
    public void handle(SocketContext socket, Message m) {
        String me = socket.me();
        Args a = m.args();
        String huddleId = a.requiredString("huddleId");
        String sessionId = SessionIds.clientChosen(a);
        long interval = a.optionalLong("interval", Presence.DEFAULT_INTERVAL_MS);
        Optional<String> token = a.optionalString("sessionToken");
        Args flags = Args.of(Json.newObject());
        if (m.body().hasNonNull("flags")) {
            if (!(m.body().get("flags") instanceof ObjectNode f)) {
                throw ApiException.invalidArgument("flags", "must be an object");
            }
            flags = Args.of(f);
        }
        LiveSession here = socket.sessions().get(sessionId);
        if (here == null) {
            socket.checkRoomLimit(huddleId);
        }
        Presence presence = socket.services().presence();
        // T2: a live session is continued only with its token (or from the socket that holds it).
        Optional<String> live = presence.liveSessionToken(huddleId, me, sessionId);
        if (live.isPresent()) {
            boolean proven = here != null && here.token.equals(live.get())
                    || token.isPresent() && sameToken(token.get(), live.get());
            if (!proven) {
                throw new ApiException(403, "invalid_session_token",
                        "session '" + sessionId + "' is live; send its sessionToken to continue it");
            }
        }
        LiveHub hub = socket.hub();
        long generation = hub.storeGeneration();
        Optional<Boolean> speaking = flags.optionalBoolean(SessionData.IS_SPEAKING);
        Optional<Boolean> recording = flags.optionalBoolean(SessionData.IS_RECORDING);
        PresenceFunctions.Joined j = socket.services().functions().join(me, huddleId, sessionId, interval, speaking, recording);
        HeartbeatResult r = j.result();
        String room = j.membership().huddle().id();
        long now = presence.clock().millis();
        LiveSession ls = socket.sessions().compute(sessionId, (id, old) -> {
            if (old != null && old.room.equals(room) && old.intervalMs == interval && old.role == j.membership().role()) {
                old.token = r.sessionToken();
                old.lastBeat = now;
                old.generation = generation;
                return old;
            }
            if (old != null) {
                old.flags.cancel();
                old.letGo(false);
            }
            LiveSession created = new LiveSession(room, sessionId, interval, j.membership().role(), r.sessionToken(), now,
                    new FlagGate(hub.settings().flagUpdatesPerSecond(), hub.settings().flagCoalesceMs(), hub.scheduler(),
                            patch -> presence.updateSession(room, me, sessionId, patch)));
            created.generation = generation;
            return created;
        });
        if (socket.services().huddles().repository().role(room, me).isEmpty()) {
            // A host removed the user while this join ran (H9): the removal's change may have gone by
            // before this session existed, so it is ended here rather than kept alive by this socket.
            socket.sessions().forget(ls);
            presence.removeRoomUser(room, me);
            throw new ApiException(403, "not_a_member", "you are no longer a member of this huddle");
        }
        synchronized (ls) {
            Liveness.hold(socket.services(), me, ls, r);
        }
        speaking.ifPresent(v -> ls.flagState.put(SessionData.IS_SPEAKING, SessionData.flag(v)));
        recording.ifPresent(v -> ls.flagState.put(SessionData.IS_RECORDING, SessionData.flag(v)));
        socket.sessionsChanged();
        socket.reply(Frames.joined(m.requestId(), room, ls.sessionId, r, live.isPresent()));
    }

    /** Compares tokens in constant time: how long a wrong guess takes says nothing of the right one. */
    private static boolean sameToken(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
