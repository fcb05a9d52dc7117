package dev.huddle.server.live;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.config.HttpSettings;
import dev.huddle.server.config.SocketPort;
import dev.huddle.server.http.ClientAddress;
import dev.huddle.server.http.ErrorBody;
import dev.huddle.server.http.Json;
import dev.huddle.server.http.SecurityHeaders;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
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
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws} on a port of its own ({@code --ws-io}, {@code --ws-port}), on Netty: the same protocol and the
 * same {@link Admission} checks as the HTTP port's {@link LiveEndpoint}, refused in the same JSON error shape.
 * The port serves nothing else: another path is 404, another method 405, a request that is not a WebSocket
 * upgrade 426. A request head over 8 KiB is refused (414, 431) as on the HTTP port, and one that has not
 * arrived within the HTTP read timeout is cut with 408 (X7).
 *
 * <p>Why a second transport: a change fanned out to a room costs one system call per member on either,
 * but on io_uring Netty submits an event loop's sends together, which measured 0.7–1.0 × the kernel's
 * one-write-per-socket floor against Jetty's 1.0–2.2 × (docs/BENCHMARKS.md, "Fan-out"); and a pong is read
 * on the event loop, not handed to a pool thread. One event loop per core; the upgrade's checks, signed-in
 * users' messages and sessions' refreshes run on a small pool of its own ({@code live-ws}), since each may
 * wait for the database, Redis or a key server, which an event loop must never do.
 */
public final class NettyEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NettyEndpoint.class);
    /** The most bytes one read takes from a socket: the bound on messages waiting in a {@link NettySocket}. */
    static final int READ_BYTES = 16 * 1024;
    /** The whole request head, as on the HTTP port (JsonErrorHandler's 414 and 431). */
    private static final int MAX_HEAD_BYTES = 8 * 1024;

    private final Admission admission;
    private final ClientAddress clients;
    private final int maxMessageBytes;
    private final long readTimeoutMs;
    private final int sendBufferBytes;
    private final String io;
    private final EventLoopGroup group;
    private final ExecutorService signedIn;
    /** Each event loop's writes from other threads. */
    private final Map<EventLoop, NettySocket.Outbox> outboxes = new ConcurrentHashMap<>();
    private Channel server;

    /** Serves the same sockets as {@code http}'s, checked by its {@link Admission}. */
    public NettyEndpoint(LiveEndpoint http, ClientAddress clients, HttpSettings settings, int maxMessageBytes) {
        this.admission = http.admission();
        this.clients = clients;
        this.maxMessageBytes = maxMessageBytes;
        this.readTimeoutMs = settings.readTimeoutMs();
        this.sendBufferBytes = settings.sendBufferKb() * 1024;
        this.io = ioOf(settings.socketPort());
        int cores = Runtime.getRuntime().availableProcessors();
        this.group = new MultiThreadIoEventLoopGroup(cores, LiveHub.daemon("live-ws-io"), handlerFactory(io));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(Math.max(8, 2 * cores), Math.max(8, 2 * cores), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), LiveHub.daemon("live-ws"));
        pool.allowCoreThreadTimeOut(true);
        this.signedIn = pool;
    }

    /** The socket layer {@code p} asks for, checked; {@code auto}: io_uring, else epoll, else NIO. */
    static String ioOf(SocketPort p) {
        return switch (p.io()) {
            case "auto" -> IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
            case "io_uring" -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("--ws-io io_uring: this kernel or JVM cannot use io_uring ("
                            + IoUring.unavailabilityCause() + "); use --ws-io auto");
                }
                yield "io_uring";
            }
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("--ws-io epoll: epoll is unavailable (" + Epoll.unavailabilityCause()
                            + "); use --ws-io auto");
                }
                yield "epoll";
            }
            default -> "nio";
        };
    }

    private static IoHandlerFactory handlerFactory(String io) {
        return switch (io) {
            case "io_uring" -> IoUringIoHandler.newFactory();
            case "epoll" -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    private static Class<? extends ServerChannel> serverChannel(String io) {
        return switch (io) {
            case "io_uring" -> IoUringServerSocketChannel.class;
            case "epoll" -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /** Listens on {@code host}:{@code port} (0 picks a free one); an {@link IllegalStateException} with the cause when it cannot. */
    public NettyEndpoint start(String host, int port) {
        ChannelFuture bound = new ServerBootstrap().group(group).channel(serverChannel(io))
                .childOption(ChannelOption.SO_SNDBUF, sendBufferBytes) // X1, as on the HTTP port
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 2048, READ_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("http", new HttpServerCodec(MAX_HEAD_BYTES, MAX_HEAD_BYTES, MAX_HEAD_BYTES))
                                .addLast("head", new Head())
                                .addLast("upgrade", new Upgrade());
                    }
                }).bind(host, port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port, bound.cause());
        }
        server = bound.channel();
        LOG.info("event=ws_port_listening port={} io={}", port(), io);
        return this;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The socket layer in use: io_uring, epoll or nio. */
    public String io() {
        return io;
    }

    /** Stops listening and closes every connection left (the live layer said goodbye to its sockets first). */
    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        signedIn.shutdownNow();
    }

    /**
     * The request head, whole. An upgrade carries no body: one that announces one ({@code Content-Length},
     * {@code Transfer-Encoding}, {@code Expect: 100-continue}) is refused with 400 in the JSON shape, not with
     * Netty's bare 413 that left a keep-alive connection open.
     */
    private static final class Head extends HttpObjectAggregator {
        Head() {
            super(0);
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            return null; // no 100 Continue: the body is refused below
        }

        @Override
        protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
            return HttpUtil.isTransferEncodingChunked(start) || super.isContentLengthInvalid(start, maxContentLength); // at the head
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            Upgrade up = ctx.pipeline().get(Upgrade.class);
            if (up != null) {
                up.refuse(ctx, HttpResponseStatus.BAD_REQUEST, "bad_request", NO_BODY);
            } else {
                ctx.close();
            }
        }
    }

    private static final String NO_BODY = "a WebSocket upgrade carries no body";

    /** The one request a connection may make: a WebSocket upgrade of {@code /ws}, admitted or refused. */
    private final class Upgrade extends SimpleChannelInboundHandler<FullHttpRequest> {
        private ScheduledFuture<?> deadline;
        /**
         * A request was taken (refused, being checked, or upgraded): requests pipelined behind it are dropped, not
         * admitted. A second admission while the first was checked on the pool took counts that nothing gave back
         * (its handshake failed on the first's handlers).
         */
        private boolean taken;

        private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message) {
            taken = true;
            NettyEndpoint.refuse(ctx, status, code, message);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Also bounds the checks: a verdict later than this (a database that hangs) answers 503, and the socket
            // counts it took come back when the verdict finds the connection closed.
            deadline = ctx.executor().schedule(() -> {
                if (taken) {
                    refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", "the upgrade could not be checked in time; try again shortly");
                } else {
                    refuse(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout", "the request took too long to arrive");
                }
            }, readTimeoutMs, TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            deadline.cancel(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (taken) {
                return;
            }
            taken = true;
            if (req.decoderResult().isFailure()) {
                Throwable cause = req.decoderResult().cause();
                if (cause instanceof TooLongHttpLineException) {
                    refuse(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long",
                            "the request URI is too long (the whole request head may be at most 8 KiB)");
                } else if (cause instanceof TooLongHttpHeaderException) {
                    refuse(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                            "the request headers are too large (the whole request head may be at most 8 KiB)");
                } else {
                    refuse(ctx, HttpResponseStatus.BAD_REQUEST, "bad_request", "the request is malformed: check its path, headers and framing");
                }
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            if (!LiveEndpoint.PATH.equals(uri.path())) {
                refuse(ctx, HttpResponseStatus.NOT_FOUND, "not_found", "this port serves only the WebSocket " + LiveEndpoint.PATH);
                return;
            }
            if (!HttpMethod.GET.equals(req.method())) {
                refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "open the socket with GET");
                return;
            }
            if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "upgrade_required", "this port serves only WebSocket upgrades");
                return;
            }
            String malformed = malformedUpgrade(req);
            if (malformed != null) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "bad_request", malformed);
                return;
            }
            if (!"13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
                // RFC 6455 §4.4: only version 13; Netty would also speak the drafts 7, 8 and hixie-76 (no version header).
                refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "unsupported_version", "this server speaks WebSocket version 13 (RFC 6455)");
                return;
            }
            List<String> query = uri.parameters().get("token");
            var headers = req.headers();
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            Admission.Request request = new Admission.Request(headers.get(HttpHeaderNames.ORIGIN),
                    headers.get(HttpHeaderNames.HOST), headers.get(HttpHeaderNames.AUTHORIZATION),
                    query == null ? null : query.get(0), cookieToken(headers.getAll(HttpHeaderNames.COOKIE)),
                    clients.address(peer.getAddress().getHostAddress(), headers::getAll));
            // The checks may wait for the database (a user seen for the first time) or for a key server (external
            // tokens): off the event loop, with nothing more read from the client until they are done.
            ctx.channel().config().setAutoRead(false);
            req.retain();
            try {
                signedIn.execute(() -> {
                    Admission.Verdict v;
                    try {
                        v = admission.admit(request, signedIn);
                    } catch (RuntimeException e) {
                        LOG.warn("event=ws_upgrade_failed", e);
                        v = Admission.Verdict.refuse(500, "internal", "internal server error");
                    }
                    Admission.Verdict verdict = v;
                    try {
                        ctx.executor().execute(() -> decided(ctx, req, verdict));
                    } catch (RejectedExecutionException stopping) {
                        req.release();
                        if (verdict.connection() != null) {
                            verdict.connection().ended(); // gives its counts back
                        }
                    }
                });
            } catch (RejectedExecutionException stopping) {
                req.release();
                refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", "the server is shutting down; try again shortly");
            }
        }

        /** Back on the event loop with the checks' verdict: refuse, or upgrade. */
        private void decided(ChannelHandlerContext ctx, FullHttpRequest req, Admission.Verdict v) {
            try {
                if (v.connection() == null) {
                    refuse(ctx, HttpResponseStatus.valueOf(v.status()), v.code(), v.message());
                } else if (!ctx.channel().isActive()) {
                    v.connection().ended(); // the client left meanwhile: its counts come back
                } else {
                    handshake(ctx, req, v.connection());
                }
            } finally {
                req.release();
            }
        }

        private void handshake(ChannelHandlerContext ctx, FullHttpRequest req, LiveConnection connection) {
            Channel ch = ctx.channel();
            WebSocketDecoderConfig frames = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(maxMessageBytes)
                    .allowExtensions(false).allowMaskMismatch(false).withUTF8Validator(true).closeOnProtocolViolation(true).build();
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory("ws://" + req.headers().get(HttpHeaderNames.HOST)
                    + LiveEndpoint.PATH, null, frames).newHandshaker(req);
            NettySocket socket = new NettySocket(connection, ch, outboxes.computeIfAbsent(ch.eventLoop(), NettySocket.Outbox::new));
            // Netty's decoder does not check UTF-8 (its protocol handler adds this): NettySocket closes with 1007.
            ch.pipeline().addLast("utf8", new Utf8FrameValidator(false))
                    .addLast("messages", new WebSocketFrameAggregator(maxMessageBytes)).addLast("socket", socket);
            ctx.pipeline().remove(this);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(ChannelFutureListener.CLOSE);
                return; // the socket counts go back when the channel closes (NettySocket.channelInactive)
            }
            // autoRead is off since the request arrived: from now on the socket reads on demand
            handshaker.handshake(ch, req).addListener(f -> {
                if (f.isSuccess() && ch.isActive()) {
                    socket.opened();
                } else {
                    ch.close();
                }
            });
        }

        /**
         * Why {@code req} is no WebSocket upgrade the HTTP port would take (its 400s), or null: HTTP/1.1 with one
         * {@code Host}, no body, {@code Connection: Upgrade} and a {@code Sec-WebSocket-Key}. Checked before the
         * upgrade is admitted, which takes the socket counts.
         */
        private static String malformedUpgrade(FullHttpRequest req) {
            var h = req.headers();
            if (!HttpVersion.HTTP_1_1.equals(req.protocolVersion())) {
                return "a WebSocket upgrade is an HTTP/1.1 request";
            }
            if (h.getAll(HttpHeaderNames.HOST).size() != 1) {
                return "the request must carry one Host header";
            }
            if (HttpUtil.isTransferEncodingChunked(req) || h.contains(HttpHeaderNames.CONTENT_LENGTH) && HttpUtil.getContentLength(req, 0L) != 0) {
                return NO_BODY;
            }
            if (!h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
                return "a WebSocket upgrade says Connection: Upgrade";
            }
            String key = h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
            if (key == null || key.isBlank()) {
                return "a WebSocket upgrade carries a Sec-WebSocket-Key";
            }
            return null;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                refuse(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                        "the request headers are too large (the whole request head may be at most 8 KiB)");
            } else {
                LOG.debug("upgrade failed", cause);
                ctx.close();
            }
        }
    }

    /** The {@code huddle_token} cookie's value among the request's {@code Cookie} lines, or null. */
    private static String cookieToken(List<String> lines) {
        for (String line : lines) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(line)) {
                if (Authenticator.COOKIE.equals(c.name()) && !c.value().isBlank()) {
                    return c.value();
                }
            }
        }
        return null;
    }

    /** Answers {@code status} in the JSON error shape, with the security headers every answer carries (X5), and closes. */
    static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message) {
        if (!ctx.channel().isActive()) {
            return;
        }
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(ErrorBody.of(code, message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        var h = resp.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        SecurityHeaders.HEADERS.forEach(h::set);
        if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
            h.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13"); // RFC 6455 §4.4
        }
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
}
