package dev.huddle.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay to another port that counts the connections it accepted: it stands in for a
 * server's second listener for /ws, so a test sees that a tool's sockets went where {@code --ws-url} says.
 */
final class TcpRelay implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    private final ServerSocket listener;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    TcpRelay(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        daemon(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                accepted.incrementAndGet();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(in);
                open.add(out);
                daemon(() -> pump(in, out));
                daemon(() -> pump(out, in));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException ignored) {
            // one side closed: close() ends the rest
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "tcp-relay");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
