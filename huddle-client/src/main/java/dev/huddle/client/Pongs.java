package dev.huddle.client;

import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * Answers the server's liveness ping (T1) on a Jetty core WebSocket session: the pong, which Jetty's
 * core leaves to the handler, is what keeps the session alive. Shared by every core-level client here.
 */
public final class Pongs {
    private Pongs() {
    }

    /** Sends the pong for {@code ping}, its payload echoed as a copy: the frame's buffer is reused. */
    public static void answer(CoreSession session, Frame ping) {
        ByteBuffer echo = ByteBuffer.allocate(ping.getPayloadLength());
        if (ping.hasPayload()) {
            echo.put(ping.getPayload().slice()).flip();
        }
        session.sendFrame(new Frame(OpCode.PONG, echo), Callback.NOOP, false);
    }
}
