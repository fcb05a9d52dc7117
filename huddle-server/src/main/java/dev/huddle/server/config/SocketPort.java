package dev.huddle.server.config;

import java.util.Locale;

/**
 * {@code /ws} on a port of its own, served by Netty ({@code --ws-io}, {@code --ws-port}); off by default, when
 * {@code /ws} is served on the HTTP port only (by Jetty). Both serve the same protocol with the same checks.
 *
 * @param io the socket layer: {@code off}; {@code auto} (io_uring where the kernel has it, else epoll, else
 *     the JDK's NIO); or one of {@code io_uring}, {@code epoll}, {@code nio}, which must then be available
 * @param port the port when on; 0 picks a free one
 */
public record SocketPort(String io, int port) {
    public static final SocketPort OFF = new SocketPort("off", Setting.WS_PORT.defaultInt());

    public SocketPort {
        io = io.toLowerCase(Locale.ROOT);
        String problem = Setting.WS_IO.allowed().problem(io);
        if (problem != null) {
            throw new IllegalArgumentException(Setting.WS_IO.label() + ": " + problem);
        }
        Setting.WS_PORT.check(port);
    }

    public boolean on() {
        return !"off".equals(io);
    }
}
