package dev.huddle.server.live;

import dev.huddle.presence.Presence;
import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.ClientAddress;
import dev.huddle.server.http.OriginPolicy;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletCoreRequest;
import org.eclipse.jetty.ee10.servlet.ServletCoreResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;

/**
 * {@code GET /ws}: the WebSocket upgrade. Before upgrading it checks the {@code Origin} (403), the
 * token (401; from {@code Authorization: Bearer}, the {@code huddle_token} cookie, or {@code ?token=}
 * for browsers, which cannot set headers on a WebSocket), then the socket counts (429, X2): the user's,
 * the client address's, and, for a socket without a token, the server's anonymous sockets. No token
 * gives an anonymous socket that may only subscribe by slug (H4).
 *
 * <p>On Jetty's WebSocket core, not its WebSocket API nor Javalin's {@code ws()}: Javalin's handlers do
 * not surface pong frames, and T1 counts a pong as proof of life; and the API's session keeps the
 * upgrade's request and response for the socket's whole life, the response's headers still backed by
 * the servlet response, so that every idle socket would hold its HTTP connection, request, parser and
 * servlet objects besides (about 8 KB a socket; docs/BENCHMARKS.md, idle members). A core socket keeps
 * only what it negotiated.
 */
public final class LiveEndpoint extends HttpServlet {
    public static final String PATH = "/ws";

    private final LiveHub hub;
    private final LiveServices services;
    private final Authenticator auth;
    private final OriginPolicy origins;
    private final ClientAddress clients;
    private final Configuration.ConfigurationCustomizer limits = new Configuration.ConfigurationCustomizer();
    private WebSocketMappings mappings;

    public LiveEndpoint(LiveHub hub, Presence presence, PresenceFunctions functions, HuddleService huddles,
            Authenticator auth, List<String> allowedOrigins, ClientAddress clients) {
        this.hub = hub;
        MemberWatch members = new MemberWatch(hub, presence, huddles);
        presence.subscribe(members);
        this.services = new LiveServices(hub, presence, functions, huddles, members);
        this.auth = auth;
        this.origins = new OriginPolicy(allowedOrigins);
        this.clients = clients;
        var settings = hub.settings();
        // A frame over the limit is refused by Jetty's parser (1009); a message in fragments, by LiveConnection.
        limits.setMaxFrameSize(settings.maxMessageBytes());
        limits.setMaxTextMessageSize(settings.maxMessageBytes());
        limits.setMaxBinaryMessageSize(settings.maxMessageBytes());
        limits.setIdleTimeout(Duration.ZERO); // silence is judged at each ping (Liveness.silenceMs), not by a timer per socket
    }

    @Override
    public void init() {
        ServletContextHandler context = ServletContextHandler.getServletContextHandler(getServletContext());
        mappings = new WebSocketMappings(WebSocketServerComponents.ensureWebSocketComponents(context.getServer(), context));
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        Request request = ServletCoreRequest.wrap(req);
        Response response = ServletCoreResponse.wrap(request, resp, false);
        if (mappings.getHandshaker().isWebSocketUpgradeRequest(request)) {
            FutureCallback upgraded = new FutureCallback();
            if (mappings.upgrade((up, down, callback) -> negotiate(req, resp, callback), request, response, upgraded, limits)) {
                upgraded.block();
                return;
            }
        }
        super.service(req, resp); // not an upgrade: 405 for GET, as any servlet without doGet
    }

    /** The socket's handler, or null when the upgrade is refused (the response sent, {@code callback} completed). */
    private FrameHandler negotiate(HttpServletRequest http, HttpServletResponse resp, Callback callback) {
        try {
            FrameHandler connection = create(http, resp);
            if (connection == null) {
                callback.succeeded();
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return null;
        }
    }

    private JettySocket create(HttpServletRequest http, HttpServletResponse resp) throws IOException {
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
        return new JettySocket(new LiveConnection(services, userId, address, Runnable::run));
    }

    /** X2: 429 {@code too_many_connections} at the upgrade, in the JSON error shape. */
    private JettySocket refuse(HttpServletResponse resp, String why) throws IOException {
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
