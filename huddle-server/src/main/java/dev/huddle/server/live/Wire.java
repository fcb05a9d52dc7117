package dev.huddle.server.live;

import java.nio.ByteBuffer;

/**
 * One WebSocket as the live layer writes to it, whichever transport carries it: Jetty's WebSocket core
 * ({@link JettySocket}, on the HTTP port) or Netty ({@code dev.huddle.server.live.netty}, on its own port).
 * Every method may be called from any thread. A send completes {@code done} once the transport took the
 * bytes (written to the socket, or failed); at most one text send is in flight per socket
 * ({@link Outbound}), so a transport never queues more than one message for a client that does not read.
 */
interface Wire {
    /** How a send ended. */
    interface Sent {
        void sent();

        void failed(Throwable cause);
    }

    /**
     * Sends part of a text message: {@code first} opens a message (a TEXT frame), otherwise continues it (a
     * CONTINUATION frame); {@code fin} ends it. {@code bytes} may go to many sockets at once: never modified.
     */
    void sendText(SharedBytes bytes, boolean first, boolean fin, Sent done);

    /** Sends a ping with {@code payload} (T1: the client's pong proves it alive). */
    void ping(ByteBuffer payload);

    /** Sends a close frame with {@code code} and {@code reason}; the socket ends once the client answers or the transport gives up. */
    void close(int code, String reason);

    /** Cuts the connection without a goodbye. */
    void abort();

    /** Asks for the client's next frame: the transport reads one message at a time per socket. */
    void demand();

    /** False once a close was sent or the connection ended. */
    boolean isOutputOpen();
}
