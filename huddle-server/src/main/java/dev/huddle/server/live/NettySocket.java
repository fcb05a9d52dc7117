package dev.huddle.server.live;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket on Netty ({@link NettyEndpoint}, the socket port): Netty's frames in, a {@link Wire} out. It
 * sits behind Netty's frame decoder (masking, the frame size limit with 1009, UTF-8 with 1007, protocol
 * errors with 1002) and its aggregator, which joins a fragmented message up to the message size limit (over
 * it: 1009 here). A ping is answered with a pong while the client reads; binary frames are refused with
 * 1003. The channel reads only on demand: after the handshake, after each message is handled, and after a
 * read that carried no message. One read may carry several messages: they wait here, in order, and are
 * handed on one at a time (at most a read's worth, {@link NettyEndpoint#READ_BYTES}).
 *
 * <p>Everything but {@link Wire}'s methods runs on the channel's event loop.
 */
final class NettySocket extends ChannelInboundHandlerAdapter implements Wire {
    private static final Logger LOG = LoggerFactory.getLogger(NettySocket.class);

    private final LiveConnection connection;
    private final Channel channel;
    /** Messages read but not yet handed on (the event loop only). */
    private final ArrayDeque<String> inbox = new ArrayDeque<>();
    /** A message was handed on and has not asked for the next yet (the event loop only). */
    private boolean handling;
    /** Whether the socket opened (the event loop only): only then does its end concern the live layer. */
    private boolean open;
    private volatile boolean closeSent;
    /** Completes a send on Netty's side: made once, as the socket's one {@link Outbound} passes the same {@code done}. */
    private volatile Completion completion;

    private record Completion(Sent done, ChannelFutureListener listener) {
    }

    NettySocket(LiveConnection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    /** The handshake's answer went out: the socket is live; read its first frame. */
    void opened() {
        open = true;
        connection.opened(this);
        channel.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof CloseWebSocketFrame)) {
                connection.frameArrived();
            }
            if (msg instanceof TextWebSocketFrame text) {
                inbox.add(text.text());
                if (!handling) {
                    next();
                }
            } else if (msg instanceof PongWebSocketFrame) {
                connection.pong();
            } else if (msg instanceof PingWebSocketFrame ping) {
                // RFC 6455 requires a pong; a client that pings without reading gets none (its pongs would pile up here).
                if (channel.isWritable() && !closeSent) {
                    channel.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), channel.voidPromise());
                }
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (closeSent) {
                    channel.close();
                } else {
                    closeSent = true; // echo the client's close, then end (RFC 6455 §5.5.1)
                    channel.writeAndFlush(new CloseWebSocketFrame(close.statusCode() < 0 ? 1000 : close.statusCode(), null))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } else if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!handling && open) {
            channel.read(); // the read carried no message to wait for: read on
        }
    }

    /** Hands on the next message read, or reads on when there is none (the event loop only). */
    private void next() {
        String message = inbox.poll();
        if (message == null) {
            handling = false;
            channel.read();
            return;
        }
        handling = true;
        connection.message(message); // calls demand() once handled
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // The aggregator: a message in fragments over the size limit (one frame over it is the decoder's 1009).
            close(CloseCodes.MESSAGE_TOO_BIG, "message too large");
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            LOG.debug("bad frame; the decoder closes the socket with its code", cause);
        } else {
            LOG.debug("socket error", cause);
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inbox.clear();
        connection.ended(); // also gives back the socket counts of a handshake that never completed
    }

    @Override
    public void sendText(SharedBytes bytes, boolean first, boolean fin, Sent done) {
        if (closeSent) {
            done.failed(new ClosedChannelException());
            return;
        }
        var payload = Unpooled.wrappedBuffer(bytes.view());
        var frame = first ? new TextWebSocketFrame(fin, 0, payload) : new ContinuationWebSocketFrame(fin, 0, payload);
        channel.writeAndFlush(frame).addListener(listener(done));
    }

    private ChannelFutureListener listener(Sent done) {
        Completion c = completion;
        if (c == null || c.done() != done) {
            ChannelFutureListener l = (ChannelFuture f) -> {
                if (f.isSuccess()) {
                    done.sent();
                } else {
                    done.failed(f.cause());
                }
            };
            c = new Completion(done, l);
            completion = c;
        }
        return c.listener();
    }

    @Override
    public void ping(ByteBuffer payload) {
        if (!closeSent) {
            channel.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(payload)), channel.voidPromise());
        }
    }

    /** Sends the close frame and cuts the connection if the client has not answered it within {@link LiveConnection#CLOSE_GRACE_MS}. */
    @Override
    public void close(int code, String reason) {
        if (closeSent) {
            return;
        }
        closeSent = true;
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason), channel.voidPromise());
        channel.eventLoop().schedule(this::abort, LiveConnection.CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void abort() {
        channel.close();
    }

    @Override
    public void demand() {
        channel.eventLoop().execute(this::next);
    }

    @Override
    public boolean isOutputOpen() {
        return !closeSent && channel.isActive();
    }
}
