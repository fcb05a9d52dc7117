package dev.huddle.server.live;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which web pages may open the socket: requests without {@code Origin} (non-browser clients), the
 * server's own origin (the {@code Host} the request came to), the configured origins, or any when
 * {@code *} is configured. Browsers always send {@code Origin} on WebSocket upgrades, so this stops a
 * foreign page from opening a socket with its visitor's cookie.
 */
final class OriginPolicy {
    private final List<String> allowed;
    private final boolean any;

    OriginPolicy(List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normal).toList();
        this.any = allowedOrigins.contains("*");
    }

    boolean allows(String origin, String host) {
        if (origin == null || origin.isBlank()) {
            return true;
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
