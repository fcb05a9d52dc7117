package dev.huddle.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One huddle over one WebSocket (docs/protocol.md): subscribes (resuming from the last seq it holds
 * after a reconnect, S2), joins with a stable session id and proves a continued session with its
 * token (T2), keeps the room's state and the derived view (H6), and reconnects with exponential
 * backoff and jitter until closed. It answers the server's pings, which is what keeps the session
 * alive (T1).
 */
public final class RoomConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomConnection.class);
    /** The largest message taken from the server: a snapshot of a room of 100 000. Past it, the socket closes with 1009. */
    static final int MAX_MESSAGE_BYTES = 32 << 20;

    /** Where the connection stands. */
    public enum Status { CONNECTING, CONNECTED, JOINED, RECONNECTING, CLOSED }

    /**
     * How to connect.
     *
     * @param sessionId the session id to join with (stable across reconnects); null for a random one
     * @param intervalMs the session interval (P1)
     * @param readOnly subscribe only, never join (a slug viewer, H4)
     * @param backoffBaseMs first reconnect delay ceiling; doubles per failed attempt
     * @param backoffMaxMs the largest reconnect delay ceiling
     */
    public record Options(String sessionId, long intervalMs, boolean readOnly, long backoffBaseMs, long backoffMaxMs) {
        /** A participant or observer session with a 10 s interval. */
        public static Options defaults() {
            return new Options(null, 10_000, false, 250, 10_000);
        }

        public Options withInterval(long ms) {
            return new Options(sessionId, ms, readOnly, backoffBaseMs, backoffMaxMs);
        }

        public Options withSessionId(String id) {
            return new Options(id, intervalMs, readOnly, backoffBaseMs, backoffMaxMs);
        }

        public Options asReadOnly() {
            return new Options(sessionId, intervalMs, true, backoffBaseMs, backoffMaxMs);
        }
    }

    private final HuddleClient client;
    private final Identity who;
    private final String huddleId;
    private final Options options;
    private final RoomListener listener;
    private final AtomicLong requests = new AtomicLong();

    // Guarded by this.
    private String sessionId;
    private String sessionToken;
    private Boolean speaking;
    private Boolean recording;
    private RoomState state = RoomState.empty();
    private CoreSession socket;
    private int attempt;
    private int connects;
    private int resyncs;
    private boolean closed;
    private Status status = Status.CONNECTING;

    RoomConnection(HuddleClient client, Identity who, String huddleId, Options options, RoomListener listener) {
        this.client = client;
        this.who = who;
        this.huddleId = huddleId;
        this.options = options;
        this.listener = listener;
        this.sessionId = options.sessionId() != null ? options.sessionId() : UUID.randomUUID().toString();
    }

    void start() {
        connect();
    }

    private void connect() {
        status(Status.CONNECTING);
        CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client.sockets, client.webSocketUri(), new Socket());
        request.headers(h -> h.put("Authorization", "Bearer " + who.token()));
        request.setConfiguration(client.socketSettings);
        try {
            client.sockets.connect(request).whenComplete((ws, failure) -> {
                if (failure != null) {
                    LOG.debug("connect to {} failed: {}", client.webSocketUri(), failure.toString());
                    scheduleReconnect();
                }
            });
        } catch (Exception e) {
            LOG.debug("connect to {} failed: {}", client.webSocketUri(), e.toString());
            scheduleReconnect();
        }
    }

    private synchronized void opened(CoreSession ws) {
        if (closed) {
            ws.abort();
            return;
        }
        socket = ws;
        attempt = 0;
        connects++;
        status(Status.CONNECTED);
        subscribe();
        join();
    }

    private void subscribe() {
        ObjectNode m = message("subscribe");
        m.put("huddle", huddleId);
        if (state.synced() && state.epoch() != null) {
            m.putObject("resume").put("epoch", state.epoch()).put("seq", state.seq());
        }
        send(m);
    }

    private void join() {
        if (options.readOnly()) {
            return;
        }
        ObjectNode m = message("join");
        m.put("huddleId", huddleId).put("sessionId", sessionId).put("interval", options.intervalMs());
        if (sessionToken != null) {
            m.put("sessionToken", sessionToken);
        }
        if (speaking != null || recording != null) {
            ObjectNode f = m.putObject("flags");
            if (speaking != null) {
                f.put("isSpeaking", speaking);
            }
            if (recording != null) {
                f.put("isRecording", recording);
            }
        }
        send(m);
    }

    /** Sets this session's flags (null leaves one as it is); they are sent again with every rejoin. */
    public synchronized void setFlags(Boolean isSpeaking, Boolean isRecording) {
        if (isSpeaking != null) {
            speaking = isSpeaking;
        }
        if (isRecording != null) {
            recording = isRecording;
        }
        ObjectNode m = message("flags");
        m.put("huddleId", huddleId).put("sessionId", sessionId);
        if (isSpeaking != null) {
            m.put("isSpeaking", isSpeaking);
        }
        if (isRecording != null) {
            m.put("isRecording", isRecording);
        }
        send(m);
    }

    /** Says goodbye (T3): the session ends at once, or after {@code graceMs}; then the socket closes. */
    public synchronized void leave(long graceMs) {
        ObjectNode m = message("leave");
        m.put("huddleId", huddleId).put("sessionId", sessionId).put("graceMs", graceMs);
        send(m);
        CoreSession ws = socket;
        closed = true;
        if (ws != null) {
            ws.close(CloseStatus.NORMAL, "bye", Callback.NOOP); // after the leave, which is queued before it
        }
        status(Status.CLOSED);
    }

    /** Closes the socket without a goodbye: the session lives to its deadline (T2). */
    @Override
    public synchronized void close() {
        closed = true;
        CoreSession ws = socket;
        socket = null;
        if (ws != null) {
            ws.abort();
        }
        status(Status.CLOSED);
    }

    /** Cuts the socket as a network failure would (no close frame); the connection then reconnects. */
    public synchronized void dropConnection() {
        CoreSession ws = socket;
        if (ws != null) {
            ws.abort();
            socketGone(ws); // at once: the reconnect does not wait for the socket's own close event
        }
    }

    /** How many times a sequence gap made this connection resume (0 when nothing was ever missed). */
    public synchronized int resyncs() {
        return resyncs;
    }

    /** How many sockets this connection has opened so far (1 + reconnects). */
    public synchronized int connects() {
        return connects;
    }

    /** The current derived view (H6), built outside the lock the socket's events take. */
    public View view() {
        return state().view(who.userId());
    }

    /** The room state as this connection holds it. */
    public synchronized RoomState state() {
        return state;
    }

    public synchronized Status status() {
        return status;
    }

    /** The signed-in user this connection acts for. */
    public String userId() {
        return who.userId();
    }

    /** The identity this connection signed in with (to open another connection for the same user). */
    public Identity userIdentity() {
        return who;
    }

    public synchronized String sessionId() {
        return sessionId;
    }

    private ObjectNode message(String type) {
        ObjectNode m = client.json.createObjectNode();
        m.put("type", type).put("requestId", "r" + requests.incrementAndGet());
        return m;
    }

    /** Queues {@code m} on the socket; messages go out in the order they were queued. */
    private void send(ObjectNode m) {
        CoreSession ws = socket;
        if (ws == null) {
            return; // sent again on the next connect (subscribe, join with flags)
        }
        ws.sendFrame(new Frame(OpCode.TEXT, m.toString()), Callback.NOOP, false);
    }

    private synchronized void handle(HuddleClient.Message msg) {
        JsonNode m = msg.tree();
        switch (msg.type()) {
            case "snapshot" -> update(state.withSnapshot(msg.snapshot()));
            case "resumed" -> state = state.resuming();
            case "change", "changes" -> {
                // Consecutive changes batched by the server: applied one by one, one view at the end.
                // After a gap the rest are ignored (RoomState applies nothing until the resume).
                boolean any = false;
                for (RoomState.Change c : msg.changes()) {
                    any |= change(msg.room(), c);
                }
                if (any && listener.wantsViews()) {
                    listener.onView(state.view(who.userId()));
                }
            }
            case "joined" -> {
                sessionToken = m.path("sessionToken").asText(null);
                status(Status.JOINED);
            }
            case "error" -> {
                String code = m.path("code").asText();
                if ("invalid_session_token".equals(code) || "session_ended".equals(code)) {
                    // Our session is gone or held elsewhere: start a fresh one rather than stay away.
                    if ("invalid_session_token".equals(code)) {
                        sessionId = UUID.randomUUID().toString();
                    }
                    sessionToken = null;
                    join();
                } else {
                    listener.onError(code, m.path("message").asText());
                }
            }
            default -> {
                // left, unsubscribed: nothing to do
            }
        }
    }

    /** Applies one change (P11); true when it changed the state. A skipped seq makes it resume (S2). */
    private boolean change(String room, RoomState.Change c) {
        RoomState before = state;
        String kind = c.kind();
        Participant entry = c.entry();
        RoomState next = client.advance(room, state, c);
        if (next.gap() && !before.gap()) {
            state = next;
            resyncs++;
            subscribe(); // S2: never a silent gap
            return false;
        }
        if (next == before) {
            return false;
        }
        state = next;
        if (!next.synced()) {
            return false; // buffered until the snapshot (S1): not news yet, and nothing to compare it with
        }
        listener.onChange(kind, entry);
        // One change is one entry: a join or leave is read off it, no need to diff the room.
        if (!entry.userId().equals(who.userId())) {
            Participant was = before.entries().get(entry.userId());
            boolean wasOnline = was != null && was.online();
            boolean isOnline = !"remove".equals(kind) && entry.online();
            if (isOnline && !wasOnline) {
                listener.onJoin(entry);
            } else if (wasOnline && !isOnline) {
                listener.onLeave(entry);
            }
        }
        return true;
    }

    private void update(RoomState next) {
        RoomState before = state;
        state = next;
        if (next == before) {
            return;
        }
        for (Participant p : next.joinedSince(before)) {
            if (!p.userId().equals(who.userId())) {
                listener.onJoin(p);
            }
        }
        for (Participant p : next.leftSince(before)) {
            if (!p.userId().equals(who.userId())) {
                listener.onLeave(p);
            }
        }
        if (listener.wantsViews()) {
            listener.onView(next.view(who.userId()));
        }
    }

    /** The socket {@code ws} is gone; the first report of it reconnects, later ones (its close after an abort) are ignored. */
    private synchronized void socketGone(CoreSession ws) {
        if (socket != ws) {
            return;
        }
        socket = null;
        if (!closed) {
            scheduleReconnect();
        }
    }

    private synchronized void scheduleReconnect() {
        if (closed) {
            return;
        }
        // Exponential backoff with jitter, so a restarted server is not met by every client at once.
        long ceiling = Math.min(options.backoffMaxMs(), options.backoffBaseMs() << Math.min(attempt, 20));
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        attempt++;
        status(Status.RECONNECTING);
        try {
            client.scheduler.schedule(() -> {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                connect();
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException clientClosed) {
            // The HuddleClient was closed (its sockets with it): this connection is over too.
            closed = true;
            status(Status.CLOSED);
        }
    }

    private void status(Status s) {
        if (status != s) {
            status = s;
            listener.onStatus(s);
        }
    }

    /**
     * One socket's frames. Jetty calls it for one frame at a time, each after a {@code demand()}, so the
     * message being assembled from fragments is its own. Closes are answered by Jetty, pings here.
     */
    private final class Socket implements FrameHandler {
        private CoreSession session;
        private byte[] partial = new byte[0];
        private int partialLength;

        @Override
        public void onOpen(CoreSession s, Callback callback) {
            session = s;
            opened(s);
            callback.succeeded();
            s.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            if (frame.getOpCode() == OpCode.PING) {
                Pongs.answer(session, frame);
            } else if (frame.isDataFrame()) {
                ByteBuffer payload = frame.getPayload();
                if (frame.isFin() && partialLength == 0) {
                    received(payload == null ? ByteBuffer.allocate(0) : payload); // the whole message in one frame: read in place
                } else {
                    int n = payload == null ? 0 : payload.remaining();
                    if (partialLength + n > MAX_MESSAGE_BYTES) {
                        LOG.warn("a message from the server over {} bytes: closing the socket (1009)", MAX_MESSAGE_BYTES);
                        callback.failed(new MessageTooLargeException("a message over " + MAX_MESSAGE_BYTES + " bytes"));
                        return; // the socket closes, and the connection reconnects
                    }
                    if (partialLength + n > partial.length) {
                        partial = Arrays.copyOf(partial, Math.min(MAX_MESSAGE_BYTES, Math.max(partialLength + n, 2 * partial.length)));
                    }
                    if (n > 0) {
                        payload.get(payload.position(), partial, partialLength, n);
                        partialLength += n;
                    }
                    if (frame.isFin()) {
                        received(ByteBuffer.wrap(partial, 0, partialLength));
                        // A snapshot of a big room arrives in parts; keeping its buffer per socket would hold a
                        // room's worth of bytes for every connection, for its whole life.
                        partial = new byte[0];
                        partialLength = 0;
                    }
                }
            }
            callback.succeeded();
            session.demand(); // the next frame
        }

        private void received(ByteBuffer message) {
            HuddleClient.Message parsed;
            try {
                parsed = client.parse(message);
            } catch (Exception e) {
                LOG.warn("unreadable message from the server ({}), starting: {}", e.toString(),
                        StandardCharsets.UTF_8.decode(message.slice(message.position(), Math.min(200, message.remaining()))));
                return;
            }
            try {
                handle(parsed);
            } catch (RuntimeException e) {
                LOG.warn("a listener failed on a {} message", parsed.type(), e);
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            LOG.debug("socket error: {}", cause.toString());
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus status, Callback callback) {
            if (session != null) {
                socketGone(session);
            }
            callback.succeeded();
        }
    }
}
