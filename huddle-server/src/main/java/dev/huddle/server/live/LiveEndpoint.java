package dev.huddle.server.live;

import dev.huddle.presence.Presence;
import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.ClientAddress;
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
 * for browsers, which cannot set headers on a WebSocket), then the socket counts (429, X2): the user's,
 * the client address's, and, for a socket without a token, the server's anonymous sockets. No token
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
    private final ClientAddress clients;

    public LiveEndpoint(LiveHub hub, Presence presence, PresenceFunctions functions, HuddleService huddles,
            Authenticator auth, List<String> allowedOrigins, ClientAddress clients) {
        this.hub = hub;
        MemberWatch members = new MemberWatch(hub, presence, huddles);
        presence.subscribe(members);
        this.services = new LiveServices(hub, presence, functions, huddles, members);
        this.auth = auth;
        this.origins = new OriginPolicy(allowedOrigins);
        this.clients = clients;
    }

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
        var settings = hub.settings();
        factory.setMaxTextMessageSize(settings.maxMessageBytes());
        factory.setMaxBinaryMessageSize(settings.maxMessageBytes());
        factory.setIdleTimeout(Duration.ofMillis(Math.max(30_000, 3 * settings.pingIntervalMs())));
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
        var s = hub.settings();
        if (userId != null && !hub.tryOpen(userId)) {
            return refuse(resp, "at most " + s.maxConnectionsPerUser() + " sockets per user");
        }
        String address = clients.address(http);
        AddressLimits.Refusal refusal = hub.addresses().tryOpen(address, userId == null);
        if (refusal != null) {
            if (userId != null) {
                hub.released(userId);
            }
            return refuse(resp, refusal == AddressLimits.Refusal.ADDRESS
                    ? "at most " + s.maxConnectionsPerAddress() + " sockets per client address"
                    : "the server holds its most anonymous sockets (" + s.maxAnonymousConnections() + "); sign in, or try again later");
        }
        return new LiveConnection(services, userId, address);
    }

    /** X2: 429 {@code too_many_connections} at the upgrade, in the JSON error shape. */
    private Object refuse(JettyServerUpgradeResponse resp, String why) throws java.io.IOException {
        hub.refusedUpgrade();
        resp.sendError(429, "too_many_connections: " + why);
        return null;
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
