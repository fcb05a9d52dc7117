package dev.huddle.load.proto;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * {@code /ws} on Jetty 12's core WebSocket with nothing else: on any text frame, every subscriber is
 * sent the shared payload from the receiving thread (no queue, no executor, a no-op callback), in one of
 * three ways ({@link Send}).
 */
final class JettyBroadcast {
    /** How each socket's frame is sent. */
    enum Send {
        /** {@code CoreSession.sendFrame} of a heap payload: the server's call ({@code Outbound}). */
        HEAP,
        /** The same with a direct payload, so the JDK does not copy it into a temporary direct buffer per write. */
        DIRECT,
        /**
         * The whole frame, encoded once into a direct buffer, written straight to the connection's
         * {@code EndPoint}, past Jetty's frame flusher: what Jetty's I/O layer alone costs. Safe here only
         * because nothing else is ever sent on these sockets and each socket has one frame in flight at most.
         */
        RAW
    }

    private final List<CoreSession> subscribers = new CopyOnWriteArrayList<>();
    private final Send send;
    private final ByteBuffer bytes;

    private JettyBroadcast(Send send) {
        this.send = send;
        byte[] p = send == Send.RAW ? BroadcastFrame.wire() : BroadcastFrame.payload();
        ByteBuffer b = send == Send.HEAP ? ByteBuffer.allocate(p.length) : ByteBuffer.allocateDirect(p.length);
        b.put(p).flip();
        this.bytes = b.asReadOnlyBuffer();
    }

    static Server start(int port, Send send) throws Exception {
        JettyBroadcast hub = new JettyBroadcast(send);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setIdleTimeout(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler ws = new WebSocketUpgradeHandler();
        ws.getConfiguration().setIdleTimeout(Duration.ZERO);
        ws.addMapping("/ws", (request, response, callback) -> hub.new Subscriber());
        server.setHandler(ws);
        server.start();
        return server;
    }

    private void broadcast() {
        for (CoreSession s : subscribers) {
            if (send == Send.RAW) {
                ((WebSocketCoreSession) s).getConnection().getEndPoint().write(Callback.NOOP, bytes.slice());
            } else {
                s.sendFrame(new Frame(OpCode.TEXT, true, bytes.slice()), Callback.NOOP, false);
            }
        }
    }

    private final class Subscriber implements FrameHandler {
        private CoreSession session;

        @Override
        public void onOpen(CoreSession s, Callback callback) {
            session = s;
            subscribers.add(s);
            callback.succeeded();
            s.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            if (frame.getOpCode() == OpCode.TEXT) {
                broadcast();
            }
            callback.succeeded();
            session.demand();
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus status, Callback callback) {
            subscribers.remove(session);
            callback.succeeded();
        }
    }
}
