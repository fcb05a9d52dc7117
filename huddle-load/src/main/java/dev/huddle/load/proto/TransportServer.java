package dev.huddle.load.proto;

/**
 * Starts one prototype {@code /ws} server on 127.0.0.1 and runs until killed.
 *
 * <pre>java -cp benchmarks.jar dev.huddle.load.proto.TransportServer jetty|jetty-direct|jetty-raw|netty|netty-uring|netty-nio PORT</pre>
 */
public final class TransportServer {
    private TransportServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TransportServer jetty|jetty-direct|jetty-raw|netty|netty-uring|netty-nio PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "jetty" -> JettyBroadcast.start(port, JettyBroadcast.Send.HEAP);
            case "jetty-direct" -> JettyBroadcast.start(port, JettyBroadcast.Send.DIRECT);
            case "jetty-raw" -> JettyBroadcast.start(port, JettyBroadcast.Send.RAW);
            case "netty" -> NettyBroadcast.start(port, NettyBroadcast.Io.EPOLL);
            case "netty-uring" -> NettyBroadcast.start(port, NettyBroadcast.Io.IO_URING);
            case "netty-nio" -> NettyBroadcast.start(port, NettyBroadcast.Io.NIO);
            default -> {
                System.err.println("unknown transport " + args[0]);
                System.exit(2);
            }
        }
        System.out.println("listening on " + port);
        Thread.currentThread().join();
    }
}
