package dev.huddle.server.config;

import java.util.List;

/**
 * The HTTP side's limits against hostile clients (X2, X7), each a setting (see docs/security.md).
 *
 * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For} /
 *     {@code Forwarded} / {@code X-Forwarded-Proto} / {@code X-Forwarded-Host} headers are believed;
 *     empty (the default) believes none, so the client is the connection's peer
 * @param guestSignInsPerAddressPerMinute guest sign-ins one client address may make per minute (X2)
 * @param guestSignInsPerMinute guest sign-ins the whole server accepts per minute, from all addresses (X2)
 * @param readTimeoutMs how long a client may take to deliver a request's head (from the connection's
 *     opening or its previous response) and, separately, its body (X7)
 * @param idleTimeoutMs a connection that sends and receives nothing this long is closed
 * @param shutdownTimeoutMs on SIGTERM, how long requests in flight may take to finish (X7)
 * @param maxThreads the most threads of Jetty's pool, which runs HTTP requests and every socket's reads and
 *     writes; bounded so that a burst (thousands of pongs in one ping slot, a room's fan-out) queues instead
 *     of growing the pool by a thread per waiting task (docs/BENCHMARKS.md, "Fan-out")
 * @param sendBufferKb each client connection's kernel send buffer (SO_SNDBUF), in KB: what a client that stops
 *     reading holds of the machine's memory beyond the server's own queues (X1); the kernel keeps up to twice it
 * @param socketPort {@code /ws} on a port of its own (Netty), or {@link SocketPort#OFF}
 */
public record HttpSettings(List<String> trustedProxies, int guestSignInsPerAddressPerMinute, int guestSignInsPerMinute,
        long readTimeoutMs, long idleTimeoutMs, long shutdownTimeoutMs, int maxThreads, int sendBufferKb, SocketPort socketPort) {

    /** The declared defaults of the settings (see {@link Setting}). */
    public static final HttpSettings DEFAULTS = new HttpSettings(List.of(),
            Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.defaultInt(), Setting.GUEST_SIGN_INS_PER_MINUTE.defaultInt(),
            Setting.HTTP_READ_TIMEOUT_MS.defaultInt(), Setting.HTTP_IDLE_TIMEOUT_MS.defaultInt(),
            Setting.SHUTDOWN_TIMEOUT_MS.defaultInt(), Setting.HTTP_MAX_THREADS.defaultInt(), Setting.SOCKET_SEND_BUFFER_KB.defaultInt(),
            SocketPort.OFF);

    /** Holds values built in code to the settings' declared ranges. */
    public HttpSettings {
        trustedProxies = List.copyOf(trustedProxies);
        Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.check(guestSignInsPerAddressPerMinute);
        Setting.GUEST_SIGN_INS_PER_MINUTE.check(guestSignInsPerMinute);
        Setting.HTTP_READ_TIMEOUT_MS.check(readTimeoutMs);
        Setting.HTTP_IDLE_TIMEOUT_MS.check(idleTimeoutMs);
        Setting.SHUTDOWN_TIMEOUT_MS.check(shutdownTimeoutMs);
        Setting.HTTP_MAX_THREADS.check(maxThreads);
        Setting.SOCKET_SEND_BUFFER_KB.check(sendBufferKb);
        java.util.Objects.requireNonNull(socketPort, "socketPort");
    }

    public HttpSettings withTrustedProxies(List<String> v) {
        return new HttpSettings(v, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs, idleTimeoutMs,
                shutdownTimeoutMs, maxThreads, sendBufferKb, socketPort);
    }

    public HttpSettings withGuestSignIns(int perAddressPerMinute, int perMinute) {
        return new HttpSettings(trustedProxies, perAddressPerMinute, perMinute, readTimeoutMs, idleTimeoutMs,
                shutdownTimeoutMs, maxThreads, sendBufferKb, socketPort);
    }

    /** Guest sign-ins at the settings' maxima: for load tests and tools that sign in many users from one address. */
    public HttpSettings withoutGuestSignInLimits() {
        return withGuestSignIns((int) ((Setting.Whole) Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.allowed()).max(),
                (int) ((Setting.Whole) Setting.GUEST_SIGN_INS_PER_MINUTE.allowed()).max());
    }

    public HttpSettings withReadTimeoutMs(long v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, v, idleTimeoutMs,
                shutdownTimeoutMs, maxThreads, sendBufferKb, socketPort);
    }

    public HttpSettings withIdleTimeoutMs(long v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs, v,
                shutdownTimeoutMs, maxThreads, sendBufferKb, socketPort);
    }

    public HttpSettings withMaxThreads(int v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs,
                idleTimeoutMs, shutdownTimeoutMs, v, sendBufferKb, socketPort);
    }

    public HttpSettings withSendBufferKb(int v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs,
                idleTimeoutMs, shutdownTimeoutMs, maxThreads, v, socketPort);
    }

    public HttpSettings withShutdownTimeoutMs(long v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs,
                idleTimeoutMs, v, maxThreads, sendBufferKb, socketPort);
    }

    public HttpSettings withSocketPort(SocketPort v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs,
                idleTimeoutMs, shutdownTimeoutMs, maxThreads, sendBufferKb, v);
    }
}
