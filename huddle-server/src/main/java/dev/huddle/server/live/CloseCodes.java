package dev.huddle.server.live;

/** The close codes the server sends (docs/protocol.md). */
final class CloseCodes {
    /** The server is shutting down, or the client sent nothing, not even a pong, for three ping intervals. */
    static final int GOING_AWAY = 1001;
    /** A frame that breaks RFC 6455 (Jetty's parser, Netty's decoder; a close frame with a code no endpoint may send). */
    static final int PROTOCOL_ERROR = 1002;
    /** A binary frame: the protocol is JSON text only. */
    static final int UNSUPPORTED_DATA = 1003;
    /** Text that is not UTF-8. */
    static final int BAD_PAYLOAD = 1007;
    /** A frame larger than the configured maximum (sent by Jetty). */
    static final int MESSAGE_TOO_BIG = 1009;
    /** S4: the client stopped reading and a send stayed stuck past the send timeout. */
    static final int TOO_SLOW = 4008;
    /** X1: the server's budget for queued messages ran short, and this socket held more of it than most. */
    static final int OVER_BUDGET = 4009;

    private CloseCodes() {
    }
}
