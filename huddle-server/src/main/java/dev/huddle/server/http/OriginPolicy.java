package dev.huddle.server.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * What counts as an allowed origin, for the WebSocket upgrade and for cookie-authenticated writes
 * alike: the server's own origin (an http(s) origin whose host and port are the {@code Host} the
 * request came to), the configured origins ({@code HUDDLE_ALLOWED_ORIGINS}), or any when {@code *}
 * is configured. A request without {@code Origin} is a non-browser client; whether that is enough is
 * the caller's decision ({@link #allows} says yes, {@link #isAllowedOrigin} no).
 */
public final class OriginPolicy {
    private final List<String> allowed;
    private final boolean any;

    public OriginPolicy(List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normal).toList();
        this.any = allowedOrigins.contains("*");
    }

    /** True for no {@code Origin} (a non-browser client) and for an allowed one. */
    public boolean allows(String origin, String host) {
        return origin == null || origin.isBlank() || isAllowedOrigin(origin, host);
    }

    /** True only for an {@code Origin} header naming the server's own origin or a configured one. */
    public boolean isAllowedOrigin(String origin, String host) {
        if (origin == null || origin.isBlank()) {
            return false;
        }
        if (any) {
            return true;
        }
        String o = normal(origin.strip());
        if (allowed.contains(o)) {
            return true;
        }
        try {
            URI u = URI.create(o);
            String authority = u.getRawAuthority();
            return host != null && authority != null && authority.equalsIgnoreCase(host.strip())
                    && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normal(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
