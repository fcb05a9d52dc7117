package dev.huddle.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP proxy the test controls, in front of one port on 127.0.0.1: {@link #cut} closes every
 * connection through it and refuses new ones (as a network cut that resets connections would), until
 * {@link #restore}; {@link #delay} holds every chunk of bytes, each way, until it has been in the proxy
 * that long (added latency on a slow link), and {@link #restore} lets the held ones through at once.
 * Per connection and direction, one thread reads and one writes.
 */
public final class TcpProxy implements AutoCloseable {
    private final int target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile long delayNanos;
    private volatile boolean closed;

    public TcpProxy(int target) {
        this.target = target;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread accept = new Thread(this::acceptLoop, "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String redisUrl() {
        return "redis://127.0.0.1:" + port();
    }

    /** Closes every connection through the proxy and refuses new ones until {@link #restore}. */
    public void cut() {
        cut = true;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Holds each chunk of bytes, each way, until it has been in the proxy for {@code latency}. */
    public void delay(Duration latency) {
        delayNanos = latency.toNanos();
    }

    /** Lets connections through again, without added latency. */
    public void restore() {
        cut = false;
        delayNanos = 0;
    }

    @Override
    public void close() {
        closed = true;
        cut();
        closeQuietly(server);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Copies {@code from} to {@code to}: a reader queues each chunk with its arrival time, a writer passes it on when due. */
    private void pump(Socket from, Socket to) {
        BlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
        daemon(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream(); // closed with the socket, by the writer
                int n;
                while ((n = in.read(buf)) >= 0) {
                    held.add(new Chunk(System.nanoTime(), Arrays.copyOf(buf, n)));
                }
            } catch (IOException e) {
                // cut, or one side closed
            }
            held.add(Chunk.END);
        });
        daemon(() -> {
            try (OutputStream out = to.getOutputStream()) {
                for (Chunk c = held.take(); c != Chunk.END; c = held.take()) {
                    while (System.nanoTime() - c.arrived < delayNanos && !to.isClosed()) {
                        Thread.sleep(5); // re-reads the delay: removing it releases what is held
                    }
                    out.write(c.bytes);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // cut, or one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        });
    }

    private record Chunk(long arrived, byte[] bytes) {
        static final Chunk END = new Chunk(0, new byte[0]);
    }

    private static void daemon(Runnable body) {
        Thread t = new Thread(body, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
