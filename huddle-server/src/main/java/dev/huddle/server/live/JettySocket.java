package dev.huddle.server.live;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket on Jetty's core ({@link LiveEndpoint}, the HTTP port): Jetty's frames in, a {@link Wire} out. A
 * ping is answered with a pong; binary frames are refused with 1003, text that is not UTF-8 with 1007, a
 * message over the size limit with 1009 (a single frame over it is refused by Jetty's parser). Jetty
 * delivers one frame at a time per socket, and the next once {@link #demand} is called.
 */
final class JettySocket implements FrameHandler, Wire {
    private static final Logger LOG = LoggerFactory.getLogger(JettySocket.class);
    /** Pongs that may wait for a client at once. */
    static final int PONGS_IN_FLIGHT = 4;

    private final LiveConnection connection;
    /** Set when the socket opens. */
    private volatile CoreSession session;
    /** The first fragments of a text message sent in several frames, or null (the socket's frame thread only). */
    private ByteArrayOutputStream fragments;
    /** Pongs handed to Jetty and not written yet. */
    private final AtomicInteger pongsInFlight = new AtomicInteger();
    private final Callback pongDone = Callback.from(() -> pongsInFlight.decrementAndGet(), x -> pongsInFlight.decrementAndGet());
    /** The last send's completion and Jetty's callback for it. */
    private volatile Completion completion;

    private record Completion(Sent done, Callback callback) {
    }

    JettySocket(LiveConnection connection) {
        this.connection = connection;
    }

    @Override
    public void onOpen(CoreSession s, Callback callback) {
        this.session = s;
        connection.opened(this);
        callback.succeeded();
        s.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        if (op != OpCode.CLOSE) {
            connection.frameArrived();
        }
        String message = null;
        switch (op) {
            case OpCode.TEXT, OpCode.CONTINUATION -> message = text(frame);
            case OpCode.PONG -> connection.pong();
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
        } else {
            connection.message(message); // asks for the next frame once handled
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
            if (fragments.size() + payload.remaining() > connection.maxMessageBytes()) {
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
     * answers; Jetty's core leaves it to the handler. The payload is copied: the frame's buffer is reused. A
     * client that pings without reading gets no more than {@value #PONGS_IN_FLIGHT} pongs waiting for it (X1):
     * Jetty queues frames without a bound.
     */
    private void pong(Frame ping) {
        if (pongsInFlight.incrementAndGet() > PONGS_IN_FLIGHT) {
            pongsInFlight.decrementAndGet();
            return;
        }
        ByteBuffer echo = ByteBuffer.allocate(ping.getPayloadLength());
        if (ping.hasPayload()) {
            echo.put(ping.getPayload().slice()).flip();
        }
        session.sendFrame(new Frame(OpCode.PONG, echo), pongDone, false);
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        LOG.debug("socket error", cause);
        connection.ended();
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus status, Callback callback) {
        connection.ended();
        callback.succeeded();
    }

    @Override
    public void sendText(SharedBytes bytes, boolean first, boolean fin, Sent done) {
        session.sendFrame(new Frame(first ? OpCode.TEXT : OpCode.CONTINUATION, fin, bytes.view()), callback(done), false);
    }

    /** Jetty's callback for {@code done}: made once, as the socket's one {@link Outbound} passes the same {@code done} to every send. */
    private Callback callback(Sent done) {
        Completion c = completion;
        if (c == null || c.done() != done) {
            c = new Completion(done, Callback.from(done::sent, done::failed));
            completion = c;
        }
        return c.callback();
    }

    @Override
    public void ping(ByteBuffer payload) {
        session.sendFrame(new Frame(OpCode.PING, payload), Callback.NOOP, false);
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
    }

    @Override
    public void abort() {
        session.abort();
    }

    @Override
    public void demand() {
        session.demand();
    }

    @Override
    public boolean isOutputOpen() {
        return session.isOutputOpen();
    }
}
