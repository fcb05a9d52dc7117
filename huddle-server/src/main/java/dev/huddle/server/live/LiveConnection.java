package dev.huddle.server.live;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket's transport (docs/protocol.md): Jetty's core frames for the socket, one small method
 * each. A text message goes to {@link Messages}; every frame the client sends, pongs included, keeps the
 * socket's sessions alive first ({@link Liveness}, T1). A ping is answered with a pong; binary frames are
 * refused with 1003, text that is not UTF-8 with 1007, a message over the size limit with 1009 (a single
 * frame over it is refused by Jetty's parser); a client that stops reading is closed with 4008 (S4), one
 * that sends nothing, not even pongs, for three ping intervals with 1001, as is every socket at shutdown.
 * When the socket drops without a goodbye its sessions are left to their deadlines (T2). Jetty delivers
 * one frame at a time per socket, and the next only once this one is handled ({@code demand()}): a
 * signed-in user's message is handled on Jetty's thread, an anonymous socket's on the hub's anonymous
 * pool (X2), so that a flood of anonymous sockets waits there, in their own sockets' buffers, instead of
 * in Jetty's pool.
 */
public final class LiveConnection implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConnection.class);
    /** How long a socket closed for being too slow has to read the close frame before it is cut. */
    static final long CLOSE_GRACE_MS = 5_000;

    private final LiveServices services;
    private final String userId;
    private final String address;
    // Set when the socket opens; read by the hub's and the timers' threads.
    private volatile CoreSession session;
    private volatile Outbound out;
    private volatile Liveness liveness;
    private volatile SocketContext socket;
    /** The first fragments of a text message sent in several frames, or null (the socket's frame thread only). */
    private ByteArrayOutputStream fragments;
    // Guarded by this.
    private boolean ended;
    private boolean closing;

    /**
     * {@code userId}: the signed-in user, or null for an anonymous socket (H4); {@code address}: the client's,
     * whose socket (and subscription, X2) counts this socket holds until it ends.
     */
    LiveConnection(LiveServices services, String userId, String address) {
        this.services = services;
        this.userId = userId;
        this.address = address;
    }

    @Override
    public void onOpen(CoreSession s, Callback callback) {
        LiveHub hub = services.hub();
        this.session = s;
        this.out = new Outbound(s, hub.settings().outboundQueue(), hub.budget(), hub.senders(), this::tooSlow, hub::resynced,
                this::overBudget);
        hub.budget().register(out);
        JoinedSessions sessions = new JoinedSessions();
        this.liveness = new Liveness(services, userId, sessions, out, s, this::tooSlow, this::silent);
        this.socket = new SocketContext(services, userId, address, out, sessions, liveness::reschedule);
        hub.opened(this);
        if (userId != null) {
            services.members().opened(userId, socket);
        }
        liveness.reschedule();
        callback.succeeded();
        s.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        if (op != OpCode.CLOSE) {
            liveness.touch();
        }
        String message = null;
        switch (op) {
            case OpCode.TEXT, OpCode.CONTINUATION -> message = text(frame);
            case OpCode.PONG -> services.hub().pong();
            case OpCode.PING -> pong(frame);
            case OpCode.BINARY -> session.close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text",
                    Callback.NOOP);
            default -> {
                // CLOSE: Jetty answers it and reports onClosed
            }
        }
        callback.succeeded(); // the frame's bytes are read: Jetty may reuse its buffer
        if (message == null) {
            session.demand();
        } else if (userId != null) {
            handle(message);
        } else {
            String text = message;
            try {
                services.hub().anonymous().execute(() -> handle(text));
            } catch (RejectedExecutionException stopping) {
                // The server is shutting down: the socket is being closed with 1001.
            }
        }
    }

    /** Handles one message, then asks Jetty for the socket's next frame. */
    private void handle(String text) {
        try {
            Messages.handle(socket, text);
        } finally {
            session.demand();
        }
    }

    /**
     * A text frame: a whole message, or a fragment of one (assembled here up to the message size limit); returns
     * the message once whole, or null (a fragment, or the socket closed for what it sent).
     */
    private String text(Frame frame) {
        ByteBuffer payload = frame.getPayload();
        if (frame.isFin() && fragments == null) {
            return decode(payload == null ? ByteBuffer.allocate(0) : payload);
        }
        if (fragments == null) {
            fragments = new ByteArrayOutputStream();
        }
        if (payload != null) {
            if (fragments.size() + payload.remaining() > services.hub().settings().maxMessageBytes()) {
                fragments = null;
                session.close(CloseCodes.MESSAGE_TOO_BIG, "message too large", Callback.NOOP);
                return null;
            }
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            fragments.writeBytes(bytes);
        }
        if (!frame.isFin()) {
            return null;
        }
        ByteBuffer whole = ByteBuffer.wrap(fragments.toByteArray());
        fragments = null;
        return decode(whole);
    }

    /** The message's text, or null when it is not UTF-8 (the socket is closed with 1007). */
    private String decode(ByteBuffer utf8) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(utf8).toString();
        } catch (CharacterCodingException e) {
            session.close(CloseStatus.BAD_PAYLOAD, "text frames must be UTF-8", Callback.NOOP);
            return null;
        }
    }

    /**
     * RFC 6455 requires a pong, and clients with ping keepalives (OkHttp, proxies) drop a connection that never
     * answers; Jetty's core leaves it to the handler. The payload is copied: the frame's buffer is reused.
     */
    private void pong(Frame ping) {
        ByteBuffer echo = ByteBuffer.allocate(ping.getPayloadLength());
        if (ping.hasPayload()) {
            echo.put(ping.getPayload().slice()).flip();
        }
        session.sendFrame(new Frame(OpCode.PONG, echo), Callback.NOOP, false);
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        LOG.debug("socket error", cause);
        end();
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus status, Callback callback) {
        end();
        callback.succeeded();
    }

    /** Forgets the socket; its sessions live on to their deadlines (T2). */
    private void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        Liveness l = liveness;
        if (l != null) {
            l.stop();
        }
        SocketContext s = socket;
        if (s != null) {
            if (userId != null) {
                services.members().closed(userId, s);
            }
            s.close();
        }
        Outbound o = out;
        if (o != null) {
            o.close();
        }
        services.hub().closed(this);
        if (userId != null) {
            services.hub().released(userId);
        }
        services.hub().addresses().closed(address, userId == null);
    }

    /**
     * S4: the client stopped reading. Drop what is queued, send 4008 {@code too_slow} (it goes out behind
     * the stuck frame, so a client that resumes reading sees it), and cut the connection if the client
     * has not read it within {@link #CLOSE_GRACE_MS}.
     */
    private void tooSlow() {
        if (closeAndCut(CloseCodes.TOO_SLOW, "too_slow")) {
            services.hub().closedTooSlow();
        }
    }

    /** The client sent nothing, not even a pong, for {@link Liveness#silenceMs}: 1001, and cut if it does not read it. */
    private void silent() {
        closeAndCut(CloseCodes.GOING_AWAY, "idle timeout: no frame for " + Liveness.silenceMs(services.hub().settings().pingIntervalMs())
                + " ms");
    }

    /**
     * X1: the server's outbound budget ran short and this socket held more than most: its queue is dropped
     * already; send 4009 {@code over_budget}, and cut the connection if the client does not read it in time.
     * The close is sent from the hub's timer thread: this runs wherever a message did not fit, under a
     * room's or a subscription's lock.
     */
    private void overBudget() {
        CoreSession s = session;
        if (s != null) {
            try {
                services.hub().scheduler().execute(() -> closeAndCut(CloseCodes.OVER_BUDGET, "over_budget"));
            } catch (RejectedExecutionException stopping) {
                // The server is shutting down: every socket is being closed with 1001 anyway.
            }
        }
    }

    /** Drops what is queued, closes with {@code code} and cuts the connection after {@link #CLOSE_GRACE_MS}; false when closing already. */
    private boolean closeAndCut(int code, String reason) {
        CoreSession s = session;
        synchronized (this) {
            if (s == null || closing) {
                return false;
            }
            closing = true;
        }
        out.close();
        s.close(code, reason, Callback.NOOP);
        services.hub().scheduler().schedule(s::abort, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * The shared store lost its data or came back after an outage (cluster mode): re-creates or
     * refreshes this socket's sessions now, if it showed life recently ({@link Liveness#recreateNow}).
     */
    void storeRecovered(long generation) {
        Liveness l = liveness;
        if (l != null) {
            l.recreateNow(generation);
        }
    }

    /** The server is shutting down: close with 1001. */
    void goingAway() {
        CoreSession s = session;
        if (s != null && s.isOutputOpen()) {
            s.close(CloseCodes.GOING_AWAY, "server shutting down", Callback.NOOP);
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

    int outboundHighWater() {
        Outbound o = out;
        return o == null ? 0 : o.highWater();
    }
}
