package dev.huddle.server.live;

import dev.huddle.presence.Presence;
import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.OriginPolicy;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeRequest;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeResponse;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;

/**
 * {@code GET /ws}: the WebSocket upgrade. Before upgrading it checks the {@code Origin} (403), the
 * token (401; from {@code Authorization: Bearer}, the {@code huddle_token} cookie, or {@code ?token=}
 * for browsers, which cannot set headers on a WebSocket) and the user's socket count (429). No token
 * gives an anonymous socket that may only subscribe by slug (H4).
 *
 * <p>A plain Jetty endpoint rather than Javalin's {@code ws()}: Javalin's handlers do not surface pong
 * frames, and T1 counts a pong as proof of life.
 */
public final class LiveEndpoint extends JettyWebSocketServlet {
    public static final String PATH = "/ws";

    private final LiveHub hub;
    private final LiveServices services;
    private final Authenticator auth;
    private final OriginPolicy origins;

    public LiveEndpoint(LiveHub hub, Presence presence, PresenceFunctions functions, HuddleService huddles,
            Authenticator auth, List<String> allowedOrigins) {
        this.hub = hub;
        this.services = new LiveServices(hub, presence, functions, huddles);
        this.auth = auth;
        this.origins = new OriginPolicy(allowedOrigins);
    }

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
        var s = hub.settings();
        factory.setMaxTextMessageSize(s.maxMessageBytes());
        factory.setMaxBinaryMessageSize(s.maxMessageBytes());
        factory.setIdleTimeout(Duration.ofMillis(Math.max(30_000, 3 * s.pingIntervalMs())));
        factory.setCreator(this::create);
    }

    private Object create(JettyServerUpgradeRequest req, JettyServerUpgradeResponse resp) throws Exception {
        HttpServletRequest http = req.getHttpServletRequest();
        if (!origins.allows(http.getHeader("Origin"), http.getHeader("Host"))) {
            resp.sendError(403, "origin_not_allowed: this Origin may not open the socket");
            return null;
        }
        String userId = null;
        String token;
        try {
            token = token(http);
            if (token != null) {
                userId = auth.userOf(token);
            }
        } catch (ApiException e) {
            resp.sendError(401, e.code() + ": " + e.getMessage());
            return null;
        }
        if (userId != null && !hub.tryOpen(userId)) {
            resp.sendError(429, "too_many_connections: at most " + hub.settings().maxConnectionsPerUser()
                    + " sockets per user");
            return null;
        }
        return new LiveConnection(services, userId);
    }

    private static String token(HttpServletRequest http) {
        String header = http.getHeader("Authorization");
        if (header != null && !header.isBlank()) {
            String h = header.strip();
            if (h.regionMatches(true, 0, "Bearer ", 0, 7) && h.length() > 7) {
                return h.substring(7).strip();
            }
            throw ApiException.invalidToken("the Authorization header must be 'Bearer <token>'");
        }
        String query = http.getParameter("token");
        if (query != null && !query.isBlank()) {
            return query.strip();
        }
        Cookie[] cookies = http.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (Authenticator.COOKIE.equals(c.getName()) && !c.getValue().isBlank()) {
                    return c.getValue();
                }
            }
        }
        return null;
    }
}
