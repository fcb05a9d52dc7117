package dev.huddle.load.proto;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code /ws} on Netty 4.2, one event loop (the server gets one core). On any text frame, the "room"
 * thread (standing for the engine's fan-out thread, so the hand-off a real server pays is paid here
 * too) encodes the whole frame once into one pooled direct buffer and hands each event loop one task
 * that writes and flushes a retained duplicate of it to each of its channels: one {@code write(2)} of
 * the shared bytes per socket, no copy, no per-frame callback or lock.
 */
final class NettyBroadcast {
    private final Map<EventLoop, List<Channel>> subscribers = new ConcurrentHashMap<>();
    private final ExecutorService room = Executors.newSingleThreadExecutor(r -> new Thread(r, "room"));
    private final byte[] wire = BroadcastFrame.wire();

    /** Netty's socket layers: epoll (one {@code write(2)} per flush), io_uring (the loop submits them in batches), JDK NIO. */
    enum Io { EPOLL, IO_URING, NIO }

    static AutoCloseable start(int port, Io io) throws Exception {
        if (io == Io.EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll unavailable", Epoll.unavailabilityCause());
        }
        if (io == Io.IO_URING && !IoUring.isAvailable()) {
            throw new IllegalStateException("io_uring unavailable", IoUring.unavailabilityCause());
        }
        NettyBroadcast hub = new NettyBroadcast();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, switch (io) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        });
        Class<? extends ServerChannel> channel = switch (io) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
        Channel server = new ServerBootstrap().group(group).channel(channel).childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                        new WebSocketServerProtocolHandler("/ws"), hub.new Subscriber());
            }
        }).bind("127.0.0.1", port).sync().channel();
        return () -> {
            server.close().sync();
            group.shutdownGracefully().sync();
            hub.room.shutdown();
        };
    }

    private void fanOut() {
        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(wire.length).writeBytes(wire);
        for (Map.Entry<EventLoop, List<Channel>> e : subscribers.entrySet()) {
            List<Channel> channels = e.getValue();
            frame.retain(); // the task's reference
            e.getKey().execute(() -> {
                for (Channel ch : channels) {
                    ch.writeAndFlush(frame.retainedDuplicate(), ch.voidPromise());
                }
                frame.release();
            });
        }
        frame.release();
    }

    private final class Subscriber extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                Channel ch = ctx.channel();
                subscribers.computeIfAbsent(ch.eventLoop(), l -> new CopyOnWriteArrayList<>()).add(ch);
                ch.closeFuture().addListener(f -> subscribers.get(ch.eventLoop()).remove(ch));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) {
            room.execute(NettyBroadcast.this::fanOut);
        }
    }
}
