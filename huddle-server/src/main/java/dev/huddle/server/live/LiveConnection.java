package dev.huddle.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.Presence;
import dev.huddle.presence.PresenceException;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.huddle.Role;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Json;
import dev.huddle.server.huddle.HuddleAccess;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;
import dev.huddle.server.presence.SessionData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket (docs/protocol.md): reads client messages, keeps the sessions joined on it alive with
 * every frame the client sends, pongs included (T1), and pings at the smallest interval of them. When
 * the socket drops without a goodbye its sessions are left to their deadlines (T2); {@code leave}
 * ends one at once or after the grace asked for (T3). Jetty delivers one frame at a time per socket.
 */
public final class LiveConnection implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConnection.class);
    /** How long a socket closed for being too slow has to read the close frame before it is cut. */
    static final long CLOSE_GRACE_MS = 5_000;
    private static final ByteBuffer PING = ByteBuffer.wrap("hp".getBytes(StandardCharsets.US_ASCII));

    private final LiveHub hub;
    private final Presence presence;
    private final PresenceFunctions functions;
    private final HuddleService huddles;
    private final String userId;
    private final Map<String, LiveSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private volatile Session session;
    private volatile Outbound out;
    private ScheduledFuture<?> pinger;
    private long pingEveryMs;
    private boolean ended;
    private boolean closing;

    LiveConnection(LiveHub hub, Presence presence, PresenceFunctions functions, HuddleService huddles, String userId) {
        this.hub = hub;
        this.presence = presence;
        this.functions = functions;
        this.huddles = huddles;
        this.userId = userId;
    }

    // ---- socket events ------------------------------------------------------------------------

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        this.out = new Outbound(s, hub.settings().outboundQueue(), hub.senders(), this::tooSlow, hub::resynced);
        hub.opened(this);
        reschedulePing();
    }

    @Override
    public void onWebSocketText(String text) {
        touch();
        handle(text);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        touch();
        hub.pong();
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        touch();
        // Overriding this turns off Jetty's automatic pong; RFC 6455 requires one, and clients with
        // ping keepalives (OkHttp, proxies) drop a connection that never answers.
        session.sendPong(payload, Callback.NOOP);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        session.close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text", Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int status, String reason, Callback callback) {
        end();
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("socket error", cause);
        end();
    }

    /** Forgets the socket; its sessions live on to their deadlines (T2). */
    private void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            if (pinger != null) {
                pinger.cancel(false);
            }
        }
        for (Subscription s : subscriptions.values()) {
            s.cancel();
            hub.remove(s);
        }
        subscriptions.clear();
        sessions.values().forEach(ls -> ls.flags.cancel());
        sessions.clear();
        if (out != null) {
            out.close();
        }
        hub.closed(this);
        if (userId != null) {
            hub.released(userId);
        }
    }

    long pendingSendMs(long nowNanos) {
        Outbound o = out;
        return o == null ? 0 : o.pendingSendMs(nowNanos);
    }

    int outboundSize() {
        Outbound o = out;
        return o == null ? 0 : o.size();
    }

    /** The server is shutting down: close with 1001. */
    void goingAway() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(CloseCodes.GOING_AWAY, "server shutting down", Callback.NOOP);
        }
    }

    int outboundHighWater() {
        Outbound o = out;
        return o == null ? 0 : o.highWater();
    }

    // ---- liveness (T1) ------------------------------------------------------------------------

    /**
     * Any frame from the client proves every session on this socket alive. A session that ended
     * meanwhile (it expired while the socket was stuck, or was disconnected over HTTP) is not brought
     * back: the socket forgets it and tells the client {@code session_ended}.
     */
    private void touch() {
        if (sessions.isEmpty() || !hub.storeReachable()) {
            // Cluster mode with Redis away: keep the sessions and try again on a later frame, without
            // blocking this socket's thread on a store that cannot answer.
            return;
        }
        // What this node knew of the store losing its data when this frame arrived (cluster mode).
        long known = hub.storeGeneration();
        long now = presence.clock().millis();
        boolean dropped = false;
        for (LiveSession ls : sessions.values()) {
            synchronized (ls) {
                if (now - ls.lastBeat < ls.refreshEveryMs()) {
                    continue;
                }
                long previousBeat = ls.lastBeat;
                ls.lastBeat = now;
                try {
                    Optional<String> live = presence.liveSessionToken(ls.room, userId, ls.sessionId);
                    if (live.isPresent() && live.get().equals(ls.token)) {
                        presence.heartbeat(ls.room, userId, ls.sessionId, ls.intervalMs);
                        continue;
                    }
                    if (live.isEmpty() && known > ls.generation) {
                        // Redis lost its data after this session was made, and this frame came after
                        // that was known: the socket is alive (T1), so the session is created again.
                        rejoin(ls, known);
                        continue;
                    }
                    if (live.isEmpty() && hub.checkStore() > ls.generation) {
                        // Lost with Redis's data, but this frame may predate the loss: wait for the next one.
                        ls.lastBeat = previousBeat;
                        continue;
                    }
                    out.reply(Frames.error(null, "session_ended", "session '" + ls.sessionId
                            + "' has ended (it expired or was disconnected); join again to come back"));
                } catch (PresenceException e) {
                    out.reply(Frames.error(null, e.code(), e.getMessage()));
                } catch (RuntimeException e) {
                    // The store is unreachable (cluster mode: Redis is down). Keep the socket and the
                    // session; a later frame tries again.
                    ls.lastBeat = previousBeat;
                    LOG.debug("heartbeat of session {} failed; will retry", ls.sessionId, e);
                    continue;
                }
                sessions.remove(ls.sessionId, ls);
                ls.flags.cancel();
                dropped = true;
            }
        }
        if (dropped) {
            reschedulePing();
        }
    }

    /**
     * Creates a session again, with its profile and last flags, after Redis lost its data (cluster
     * mode). The client keeps its socket and session id; the session token changes.
     */
    private void rejoin(LiveSession ls, long generation) {
        boolean participant = ls.role != Role.OBSERVER;
        Optional<Boolean> speaking = participant
                ? Optional.ofNullable(ls.flagState.get(SessionData.IS_SPEAKING)).map(SessionData.TRUE::equals) : Optional.empty();
        Optional<Boolean> recording = participant
                ? Optional.ofNullable(ls.flagState.get(SessionData.IS_RECORDING)).map(SessionData.TRUE::equals) : Optional.empty();
        PresenceFunctions.Joined j = functions.join(userId, ls.room, ls.sessionId, ls.intervalMs, speaking, recording);
        ls.token = j.result().sessionToken();
        ls.generation = generation;
        ls.lastBeat = presence.clock().millis();
        // Not a reply: tells the client its new session token, which a resume on another socket needs (T2).
        out.reply(Frames.joined(null, ls.room, ls.sessionId, j.result(), false));
    }

    private synchronized void reschedulePing() {
        if (ended) {
            return;
        }
        long every = hub.settings().pingIntervalMs();
        for (LiveSession ls : sessions.values()) {
            every = Math.min(every, ls.intervalMs);
        }
        if (pinger != null && every == pingEveryMs) {
            return;
        }
        if (pinger != null) {
            pinger.cancel(false);
        }
        pingEveryMs = every;
        pinger = hub.scheduler().scheduleAtFixedRate(this::ping, every, every, TimeUnit.MILLISECONDS);
    }

    private void ping() {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        if (out.stalled(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(hub.settings().sendTimeoutMs()))) {
            tooSlow();
            return;
        }
        s.sendPing(PING.duplicate(), Callback.NOOP);
    }

    /**
     * S4: the client stopped reading. Drop what is queued, send 4008 {@code too_slow} (it goes out behind
     * the stuck frame, so a client that resumes reading sees it), and cut the connection if the client
     * has not read it within {@link #CLOSE_GRACE_MS}.
     */
    private void tooSlow() {
        Session s = session;
        synchronized (this) {
            if (s == null || closing) {
                return;
            }
            closing = true;
        }
        out.close();
        hub.closedTooSlow();
        s.close(CloseCodes.TOO_SLOW, "too_slow", Callback.NOOP);
        hub.scheduler().schedule(s::disconnect, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    // ---- messages -----------------------------------------------------------------------------

    private void handle(String text) {
        ObjectNode msg;
        try {
            msg = Json.object(text.getBytes(StandardCharsets.UTF_8));
        } catch (ApiException e) {
            out.reply(Frames.error(null, e.code(), e.getMessage()));
            return;
        }
        JsonNode requestId = msg.get("requestId");
        try {
            if (requestId != null && !requestId.isValueNode()) {
                throw ApiException.invalidArgument("requestId", "must be a string or a number");
            }
            JsonNode type = msg.get("type");
            if (type == null || !type.isTextual()) {
                throw ApiException.invalidArgument("type", "is required (a string)");
            }
            Args a = Args.of(msg);
            switch (type.asText()) {
                case "join" -> join(requestId, msg, a);
                case "flags" -> flags(requestId, a);
                case "leave" -> leave(requestId, a);
                case "subscribe" -> subscribe(requestId, msg, a);
                case "unsubscribe" -> unsubscribe(requestId, a);
                default -> throw new ApiException(400, "unknown_type", "unknown message type '" + type.asText()
                        + "'; expected join, flags, leave, subscribe or unsubscribe");
            }
        } catch (ApiException e) {
            out.reply(Frames.error(requestId, e.code(), e.getMessage()));
        } catch (PresenceException e) {
            out.reply(Frames.error(requestId, e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("unhandled error in a socket message", e);
            out.reply(Frames.error(requestId, "internal", "internal server error"));
        }
    }

    private String me() {
        if (userId == null) {
            throw ApiException.unauthenticated();
        }
        return userId;
    }

    private void join(JsonNode requestId, ObjectNode msg, Args a) {
        String me = me();
        String huddleId = a.requiredString("huddleId");
        String sessionId = a.requiredString("sessionId");
        long interval = a.optionalLong("interval", Presence.DEFAULT_INTERVAL_MS);
        Optional<String> token = a.optionalString("sessionToken");
        Args flags = Args.of(Json.newObject());
        if (msg.hasNonNull("flags")) {
            if (!(msg.get("flags") instanceof ObjectNode f)) {
                throw ApiException.invalidArgument("flags", "must be an object");
            }
            flags = Args.of(f);
        }
        LiveSession here = sessions.get(sessionId);
        if (here == null) {
            checkRoomLimit(huddleId);
        }
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
        long generation = hub.storeGeneration();
        Optional<Boolean> speaking = flags.optionalBoolean(SessionData.IS_SPEAKING);
        Optional<Boolean> recording = flags.optionalBoolean(SessionData.IS_RECORDING);
        PresenceFunctions.Joined j = functions.join(me, huddleId, sessionId, interval, speaking, recording);
        HeartbeatResult r = j.result();
        String room = j.membership().huddle().id();
        long now = presence.clock().millis();
        LiveSession ls = sessions.compute(sessionId, (id, old) -> {
            if (old != null && old.room.equals(room) && old.intervalMs == interval && old.role == j.membership().role()) {
                old.token = r.sessionToken();
                old.lastBeat = now;
                old.generation = generation;
                return old;
            }
            if (old != null) {
                old.flags.cancel();
            }
            LiveSession created = new LiveSession(room, sessionId, interval, j.membership().role(), r.sessionToken(), now,
                    new FlagGate(hub.settings().flagUpdatesPerSecond(), hub.settings().flagCoalesceMs(), hub.scheduler(),
                            patch -> presence.updateSession(room, me, sessionId, patch)));
            created.generation = generation;
            return created;
        });
        speaking.ifPresent(v -> ls.flagState.put(SessionData.IS_SPEAKING, SessionData.flag(v)));
        recording.ifPresent(v -> ls.flagState.put(SessionData.IS_RECORDING, SessionData.flag(v)));
        reschedulePing();
        out.reply(Frames.joined(requestId, room, ls.sessionId, r, live.isPresent()));
    }

    private void flags(JsonNode requestId, Args a) {
        String me = me();
        String huddleId = a.requiredString("huddleId");
        String sessionId = a.requiredString("sessionId");
        var speaking = a.optionalBoolean(SessionData.IS_SPEAKING);
        var recording = a.optionalBoolean(SessionData.IS_RECORDING);
        if (speaking.isEmpty() && recording.isEmpty()) {
            throw ApiException.invalidArgument("isSpeaking", "or isRecording is required");
        }
        LiveSession ls = session(me, huddleId, sessionId);
        Map<String, String> patch = PresenceFunctions.flagPatch(ls.role, speaking, recording);
        if (!ls.flags.admit()) {
            throw new ApiException(429, "rate_limited", "more than " + hub.settings().flagUpdatesPerSecond()
                    + " flag updates a second for this session; this one was dropped");
        }
        ls.flagState.putAll(patch);
        ls.flags.submit(patch);
    }

    private void leave(JsonNode requestId, Args a) {
        String me = me();
        String huddleId = a.requiredString("huddleId");
        String sessionId = a.requiredString("sessionId");
        long grace = a.optionalLong("graceMs", 0);
        if (grace < 0 || grace > Presence.MAX_GRACE_MS) {
            throw ApiException.invalidArgument("graceMs", "must lie in 0…" + Presence.MAX_GRACE_MS);
        }
        LiveSession ls = session(me, huddleId, sessionId);
        sessions.remove(sessionId, ls);
        ls.flags.cancel();
        presence.disconnect(ls.token, grace);
        reschedulePing();
        out.reply(Frames.left(requestId, ls.room, sessionId));
    }

    private void subscribe(JsonNode requestId, ObjectNode msg, Args a) {
        String huddle = a.requiredString("huddle");
        Optional<Subscription.ResumePoint> resume = Optional.empty();
        if (msg.hasNonNull("resume")) {
            if (!(msg.get("resume") instanceof ObjectNode r)) {
                throw ApiException.invalidArgument("resume", "must be an object {epoch, seq}");
            }
            Args ra = Args.of(r);
            long seq = ra.optionalLong("seq", -1);
            if (seq < 0) {
                throw ApiException.invalidArgument("resume.seq", "must be a whole number ≥ 0");
            }
            resume = Optional.of(new Subscription.ResumePoint(ra.requiredString("epoch"), seq));
        }
        HuddleAccess access = huddles.read(huddle, caller());
        String room = access.huddle().id();
        if (!subscriptions.containsKey(room)) {
            checkRoomLimit(room);
        }
        Subscription sub = new Subscription(room, presence, out, hub.scheduler(), hub);
        Subscription old = subscriptions.put(room, sub);
        if (old != null) {
            old.cancel();
            hub.remove(old);
        }
        hub.add(sub);
        try {
            sub.start(requestId, resume);
        } catch (RuntimeException e) {
            // The store is unreachable (cluster mode): no half-made subscription stays behind.
            subscriptions.remove(room, sub);
            sub.cancel();
            hub.remove(sub);
            if (e instanceof PresenceException || e instanceof ApiException) {
                throw e;
            }
            LOG.warn("subscribe failed: {}", e.toString());
            throw new ApiException(503, "unavailable", "presence is unavailable right now; subscribe again shortly");
        }
    }

    private void unsubscribe(JsonNode requestId, Args a) {
        String huddle = a.requiredString("huddle");
        String room = subscriptions.containsKey(huddle) ? huddle : huddles.read(huddle, caller()).huddle().id();
        Subscription sub = subscriptions.remove(room);
        if (sub != null) {
            sub.cancel();
            hub.remove(sub);
        }
        out.reply(Frames.unsubscribed(requestId, room));
    }

    private LiveSession session(String me, String huddleId, String sessionId) {
        LiveSession ls = sessions.get(sessionId);
        if (ls == null || !ls.room.equals(huddleId)) {
            throw new ApiException(404, "unknown_session",
                    "no session '" + sessionId + "' of yours joined in this huddle on this socket");
        }
        return ls;
    }

    private void checkRoomLimit(String room) {
        Set<String> rooms = new HashSet<>(subscriptions.keySet());
        sessions.values().forEach(ls -> rooms.add(ls.room));
        if (!rooms.contains(room) && rooms.size() >= hub.settings().maxRoomsPerConnection()) {
            throw new ApiException(429, "too_many_rooms", "a socket may use at most "
                    + hub.settings().maxRoomsPerConnection() + " rooms; leave or unsubscribe first");
        }
    }

    private Caller caller() {
        return userId == null ? new Caller(Optional::empty) : Caller.of(userId);
    }

    private static boolean sameToken(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
