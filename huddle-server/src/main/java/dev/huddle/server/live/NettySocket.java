package dev.huddle.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * handed on one at a time (at most a read's worth, {@link NettyEndpoint#READ_BYTES}); when the connection ends,
 * those read before the end are still handled, and the live layer hears of the end after the last of them.
 *
 * <p>Everything but {@link Wire}'s methods runs on the channel's event loop.
 */
final class NettySocket extends ChannelInboundHandlerAdapter implements Wire {
    private static final Logger LOG = LoggerFactory.getLogger(NettySocket.class);

    private final LiveConnection connection;
    private final Channel channel;
    private final Outbox outbox;
    /** Written by the outbox's current run and not flushed yet (the event loop only). */
    private boolean unflushed;
    /**
     * Where frames already encoded enter the pipeline: past Netty's frame encoder, the first handler, so that
     * they skip the walk from the pipeline's tail (set when the socket opens, before any send).
     */
    private ChannelHandlerContext headward;
    /** Messages read but not yet handed on (the event loop only). */
    private final ArrayDeque<String> inbox = new ArrayDeque<>();
    /** A message was handed on and has not asked for the next yet (the event loop only). */
    private boolean handling;
    /** Whether the socket opened (the event loop only): only then does its end concern the live layer. */
    private boolean open;
    /** The connection ended (the event loop only); the live layer hears of it once the messages read before are handled. */
    private boolean inactive;
    private volatile boolean closeSent;
    /** Completes a send on Netty's side: made once, as the socket's one {@link Outbound} passes the same {@code done}. */
    private volatile Completion completion;

    private record Completion(Sent done, ChannelFutureListener listener) {
    }

    NettySocket(LiveConnection connection, Channel channel, Outbox outbox) {
        this.connection = connection;
        this.channel = channel;
        this.outbox = outbox;
    }

    /** The handshake's answer went out: the socket is live; read its first frame. */
    void opened() {
        headward = channel.pipeline().context("wsencoder");
        open = true;
        connection.opened(this);
        channel.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!open || !(msg instanceof WebSocketFrame)) {
                // Bytes sent behind the upgrade request, before its answer (RFC 6455 §4.1: a client waits for it): the
                // HTTP decoder still in place reads them as HTTP. The socket has no live state yet to touch.
                LOG.debug("data before the handshake's answer: {}", msg.getClass().getSimpleName());
                channel.close();
                return;
            }
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
                } else if (!validCloseCode(close.statusCode())) {
                    // Netty's decoder lets 5000 and up through; echoing one would be our protocol error (RFC 6455 §7.4).
                    closeSent = true;
                    channel.writeAndFlush(new CloseWebSocketFrame(CloseCodes.PROTOCOL_ERROR, "Invalid CLOSE Code: " + close.statusCode()))
                            .addListener(ChannelFutureListener.CLOSE);
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

    /** A code a close frame may carry (RFC 6455 §7.4, as Jetty's parser checks it); -1: none. */
    static boolean validCloseCode(int code) {
        return code == -1 || code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
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
            if (inactive) {
                connection.ended();
            } else {
                channel.read();
            }
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
        } else if (cause instanceof CorruptedWebSocketFrameException bad && bad.closeStatus() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA) {
            // The UTF-8 validator (NettyEndpoint): text that is not UTF-8, as on the HTTP port.
            close(CloseCodes.BAD_PAYLOAD, "text frames must be UTF-8");
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            LOG.debug("bad frame; the decoder closes the socket with its code", cause);
        } else {
            LOG.debug("socket error", cause);
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        if (!handling) {
            connection.ended(); // also gives back the socket counts of a handshake that never completed
        }
        // Otherwise the messages read before the connection ended are handled first (a `leave` sent just before
        // the close must end its session, not leave it to its deadline), and the end follows the last of them.
    }

    /**
     * Writes a message part. A whole message is written as its frame's bytes, encoded once for every socket it
     * goes to ({@link EncodedFrame}: server frames are not masked); parts of a message go through Netty's encoder.
     * Off the event loop (a room's fan-out), the write joins the loop's {@link Outbox}.
     */
    @Override
    public void sendText(SharedBytes bytes, boolean first, boolean fin, Sent done) {
        if (closeSent) {
            done.failed(new ClosedChannelException());
            return;
        }
        Object msg = null;
        if (first && fin) {
            EncodedFrame shared = bytes.wireForm(EncodedFrame::of);
            msg = shared == null ? null : shared.share();
            if (msg == null) {
                msg = EncodedFrame.encode(bytes.view()); // let go of meanwhile: this write's own
            }
        } else {
            var payload = Unpooled.wrappedBuffer(bytes.view());
            msg = first ? new TextWebSocketFrame(fin, 0, payload) : new ContinuationWebSocketFrame(fin, 0, payload);
        }
        if (channel.eventLoop().inEventLoop()) {
            write(msg, promise(done));
            headward.flush();
        } else {
            outbox.add(this, msg, done);
        }
    }

    /** Writes {@code msg}: an encoded frame from the pipeline's head end, a frame through the encoder. */
    private void write(Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf) {
            headward.write(msg, promise);
        } else {
            channel.write(msg, promise);
        }
    }

    /** The promise of a write that completes {@code done}, or the channel's void promise for none. */
    private ChannelPromise promise(Sent done) {
        if (done == null) {
            return channel.voidPromise();
        }
        ChannelPromise p = channel.newPromise();
        p.addListener(listener(done));
        return p;
    }

    /**
     * A whole text frame as the client gets it, made once per message for all its sockets (a room's change):
     * encoding it per socket was a sixth of the event loop's samples (JFR, N = 1 000, docs/BENCHMARKS.md
     * "Fan-out"). Unpooled, so that a buffer freed by the last queue is never recycled under a late
     * {@link #share()}, which then fails cleanly.
     */
    record EncodedFrame(ByteBuf frame) implements SharedBytes.WireForm {
        static EncodedFrame of(ByteBuffer payload) {
            return new EncodedFrame(encode(payload));
        }

        /** A FIN text frame carrying {@code payload}. */
        static ByteBuf encode(ByteBuffer payload) {
            int n = payload.remaining();
            ByteBuf b = Unpooled.directBuffer((n < 126 ? 2 : n < 65_536 ? 4 : 10) + n);
            b.writeByte(0x81);
            if (n < 126) {
                b.writeByte(n);
            } else if (n < 65_536) {
                b.writeByte(126).writeShort(n);
            } else {
                b.writeByte(127).writeLong(n);
            }
            return b.writeBytes(payload);
        }

        /** A reference to write (released by Netty once written), or null when freed meanwhile. */
        ByteBuf share() {
            try {
                return frame.retainedDuplicate();
            } catch (IllegalReferenceCountException freed) {
                return null;
            }
        }

        @Override
        public void free() {
            frame.release();
        }
    }

    /**
     * One event loop's writes from other threads: a room's fan-out hands over its writes here, and the loop takes
     * them in one task, writing each and flushing each channel once. Written from the fan-out thread directly,
     * every write was a task of its own on the loop (Netty's), and those tasks took a third of the loop's samples.
     */
    static final class Outbox implements Runnable {
        /** A write; {@code done} is null for one nobody waits for (a ping). */
        private record Pending(NettySocket socket, Object msg, Sent done) {
        }

        private final EventLoop loop;
        private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        /** Sockets written in this run, to flush at its end (the loop only). */
        private final ArrayList<NettySocket> written = new ArrayList<>();

        Outbox(EventLoop loop) {
            this.loop = loop;
        }

        void add(NettySocket socket, Object msg, Sent done) {
            queue.add(new Pending(socket, msg, done));
            if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
                try {
                    loop.execute(this);
                } catch (RejectedExecutionException stopping) {
                    scheduled.set(false);
                    drop();
                }
            }
        }

        @Override
        public void run() {
            scheduled.set(false);
            Pending p;
            while ((p = queue.poll()) != null) {
                NettySocket s = p.socket();
                s.write(p.msg(), s.promise(p.done()));
                if (!s.unflushed) {
                    s.unflushed = true;
                    written.add(s);
                }
            }
            for (NettySocket s : written) {
                s.unflushed = false;
                s.headward.flush();
            }
            written.clear();
        }

        /** The loop is shutting down: what waits here fails, as a closed channel's writes do. */
        private void drop() {
            Pending p;
            while ((p = queue.poll()) != null) {
                ReferenceCountUtil.release(p.msg());
                if (p.done() != null) {
                    p.done().failed(new ClosedChannelException());
                }
            }
        }
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

    /** A ping slot's pings come from the timer thread together: they join the loop's {@link Outbox} like a fan-out. */
    @Override
    public void ping(ByteBuffer payload) {
        if (closeSent) {
            return;
        }
        PingWebSocketFrame ping = new PingWebSocketFrame(Unpooled.wrappedBuffer(payload));
        if (channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(ping, channel.voidPromise());
        } else {
            outbox.add(this, ping, null);
        }
    }

    /**
     * Sends the close frame, behind every message already handed to the loop, and cuts the connection if the
     * client has not answered it within {@link LiveConnection#CLOSE_GRACE_MS}.
     */
    @Override
    public void close(int code, String reason) {
        if (closeSent) {
            return;
        }
        closeSent = true;
        Runnable send = () -> channel.writeAndFlush(new CloseWebSocketFrame(code, reason), channel.voidPromise());
        EventLoop loop = channel.eventLoop();
        try {
            if (loop.inEventLoop()) {
                send.run();
            } else {
                loop.execute(send); // after the outbox's run for what was handed over before (tasks run in order)
            }
            loop.schedule(this::abort, LiveConnection.CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The loop is shutting down: it closes the channel.
        }
    }

    @Override
    public void abort() {
        channel.close();
    }

    @Override
    public void demand() {
        try {
            channel.eventLoop().execute(this::next);
        } catch (RejectedExecutionException stopping) {
            // The loop is shutting down: nothing more is read.
        }
    }

    @Override
    public boolean isOutputOpen() {
        return !closeSent && channel.isActive();
    }
}
