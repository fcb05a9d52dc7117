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
 */
public record HttpSettings(List<String> trustedProxies, int guestSignInsPerAddressPerMinute, int guestSignInsPerMinute,
        long readTimeoutMs, long idleTimeoutMs, long shutdownTimeoutMs) {

    /** The declared defaults of the settings (see {@link Setting}). */
    public static final HttpSettings DEFAULTS = new HttpSettings(List.of(),
            Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.defaultInt(), Setting.GUEST_SIGN_INS_PER_MINUTE.defaultInt(),
            Setting.HTTP_READ_TIMEOUT_MS.defaultInt(), Setting.HTTP_IDLE_TIMEOUT_MS.defaultInt(),
            Setting.SHUTDOWN_TIMEOUT_MS.defaultInt());

    /** Holds values built in code to the settings' declared ranges. */
    public HttpSettings {
        trustedProxies = List.copyOf(trustedProxies);
        Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.check(guestSignInsPerAddressPerMinute);
        Setting.GUEST_SIGN_INS_PER_MINUTE.check(guestSignInsPerMinute);
        Setting.HTTP_READ_TIMEOUT_MS.check(readTimeoutMs);
        Setting.HTTP_IDLE_TIMEOUT_MS.check(idleTimeoutMs);
        Setting.SHUTDOWN_TIMEOUT_MS.check(shutdownTimeoutMs);
    }

    public HttpSettings withTrustedProxies(List<String> v) {
        return new HttpSettings(v, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs, idleTimeoutMs,
                shutdownTimeoutMs);
    }

    public HttpSettings withGuestSignIns(int perAddressPerMinute, int perMinute) {
        return new HttpSettings(trustedProxies, perAddressPerMinute, perMinute, readTimeoutMs, idleTimeoutMs,
                shutdownTimeoutMs);
    }

    /** Guest sign-ins at the settings' maxima: for load tests and tools that sign in many users from one address. */
    public HttpSettings withoutGuestSignInLimits() {
        return withGuestSignIns((int) ((Setting.Whole) Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.allowed()).max(),
                (int) ((Setting.Whole) Setting.GUEST_SIGN_INS_PER_MINUTE.allowed()).max());
    }

    public HttpSettings withReadTimeoutMs(long v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, v, idleTimeoutMs,
                shutdownTimeoutMs);
    }

    public HttpSettings withIdleTimeoutMs(long v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs, v,
                shutdownTimeoutMs);
    }

    public HttpSettings withShutdownTimeoutMs(long v) {
        return new HttpSettings(trustedProxies, guestSignInsPerAddressPerMinute, guestSignInsPerMinute, readTimeoutMs,
                idleTimeoutMs, v);
    }
}
