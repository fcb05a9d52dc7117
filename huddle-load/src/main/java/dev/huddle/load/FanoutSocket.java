package dev.huddle.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.huddle.client.Pongs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One member's socket in the fan-out scenario, speaking the protocol (docs/protocol.md) by hand: it
 * subscribes on open, and joins, sets its speaking flag and leaves when told. Every socket counts the
 * change frames it receives without reading them, as a client that only drains would; an
 * <em>observer</em> also decodes each one and reports the changes it carries to {@link FanoutEvents}.
 * Jetty calls it for one frame at a time, each after a {@code demand()}.
 */
final class FanoutSocket implements FrameHandler {
    private static final byte[] CHANGE = "{\"type\":\"change".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT = "{\"type\":\"snapshot\"".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String huddleId;
    private final String sessionId;
    private final FanoutEvents events;
    private final boolean observer;
    private final AtomicLong changeFrames;
    private volatile CoreSession session;
    volatile boolean subscribed;
    volatile boolean closed;

    /** {@code changeFrames}: the run's count of change frames received, summed over its sockets. */
    FanoutSocket(String huddleId, String sessionId, FanoutEvents events, boolean observer, AtomicLong changeFrames) {
        this.huddleId = huddleId;
        this.sessionId = sessionId;
        this.events = events;
        this.observer = observer;
        this.changeFrames = changeFrames;
    }

    void join() {
        send("{\"type\":\"join\",\"requestId\":\"j\",\"huddleId\":\"" + huddleId + "\",\"sessionId\":\"" + sessionId
                + "\",\"interval\":10000}");
    }

    void speaking(boolean on) {
        send("{\"type\":\"flags\",\"huddleId\":\"" + huddleId + "\",\"sessionId\":\"" + sessionId + "\",\"isSpeaking\":" + on + "}");
    }

    void leave() {
        send("{\"type\":\"leave\",\"requestId\":\"l\",\"huddleId\":\"" + huddleId + "\",\"sessionId\":\"" + sessionId
                + "\",\"graceMs\":0}");
    }

    /** Closes the socket with a normal close (its session, if any, lives to its deadline, T2). */
    void close() {
        CoreSession s = session;
        if (s != null) {
            s.close(CloseStatus.NORMAL, "done", Callback.NOOP);
        }
    }

    private void send(String text) {
        session.sendFrame(new Frame(OpCode.TEXT, text), Callback.NOOP, false);
    }

    @Override
    public void onOpen(CoreSession s, Callback callback) {
        session = s;
        callback.succeeded();
        send("{\"type\":\"subscribe\",\"requestId\":\"s\",\"huddle\":\"" + huddleId + "\"}");
        s.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        if (frame.getOpCode() == OpCode.PING) {
            Pongs.answer(session, frame);
        } else if (frame.getOpCode() == OpCode.TEXT && frame.isFin()) {
            ByteBuffer payload = frame.getPayload();
            if (startsWith(payload, CHANGE)) {
                changeFrames.incrementAndGet();
                if (observer) {
                    decode(payload);
                }
            } else if (startsWith(payload, SNAPSHOT)) {
                subscribed = true;
            }
        } else if (frame.getOpCode() == OpCode.TEXT || frame.getOpCode() == OpCode.CONTINUATION) {
            // A message in fragments: only snapshots of big rooms are that long; the last fragment says it came.
            if (frame.isFin()) {
                subscribed = true;
            }
        }
        callback.succeeded();
        session.demand();
    }

    /** An observer reads the change (or batch) and reports each one, stamped on receipt. */
    private void decode(ByteBuffer payload) {
        long now = System.nanoTime();
        try {
            JsonNode m = payload.hasArray()
                    ? JSON.readTree(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining())
                    : JSON.readTree(bytes(payload));
            if (m.has("changes")) {
                for (JsonNode c : m.get("changes")) {
                    events.seen(c.path("kind").asText(), c.path("entry").path("userId").asText(), now);
                }
            } else {
                events.seen(m.path("kind").asText(), m.path("entry").path("userId").asText(), now);
            }
        } catch (java.io.IOException e) {
            events.unreadable();
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(b.position(), a);
        return a;
    }

    private static boolean startsWith(ByteBuffer b, byte[] prefix) {
        return b != null && b.remaining() >= prefix.length && b.slice(b.position(), prefix.length).equals(ByteBuffer.wrap(prefix));
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        closed = true;
        callback.succeeded();
    }
}
