package dev.huddle.server.live;

import dev.huddle.presence.Presence;
import dev.huddle.server.auth.Authenticator;
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
 * {@code GET /ws} on the HTTP port: the WebSocket upgrade, on Jetty. Before upgrading it passes the
 * {@link Admission} checks (origin 403, token 401, socket counts 429), refused in the JSON error shape.
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

    private final Admission admission;
    private final ClientAddress clients;
    private final Configuration.ConfigurationCustomizer limits = new Configuration.ConfigurationCustomizer();
    private WebSocketMappings mappings;

    public LiveEndpoint(LiveHub hub, Presence presence, PresenceFunctions functions, HuddleService huddles,
            Authenticator auth, List<String> allowedOrigins, ClientAddress clients) {
        MemberWatch members = new MemberWatch(hub, presence, huddles);
        presence.subscribe(members);
        this.admission = new Admission(new LiveServices(hub, presence, functions, huddles, members), auth, new OriginPolicy(allowedOrigins));
        this.clients = clients;
        var settings = hub.settings();
        // A frame over the limit is refused by Jetty's parser (1009); a message in fragments, by JettySocket.
        limits.setMaxFrameSize(settings.maxMessageBytes());
        limits.setMaxTextMessageSize(settings.maxMessageBytes());
        limits.setMaxBinaryMessageSize(settings.maxMessageBytes());
        limits.setIdleTimeout(Duration.ZERO); // silence is judged at each ping (Liveness.silenceMs), not by a timer per socket
    }

    /** The upgrade's checks, shared with the socket port's transport ({@link NettyEndpoint}). */
    Admission admission() {
        return admission;
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
            if (req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null) {
                // Jetty answers such an upgrade 101 and then drops the connection without opening the socket, which
                // then never gave back the counts it was admitted with (X2): every such request leaked one.
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "bad_request: a WebSocket upgrade carries no body");
                return;
            }
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
        String cookieToken = null;
        Cookie[] cookies = http.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (Authenticator.COOKIE.equals(c.getName()) && !c.getValue().isBlank()) {
                    cookieToken = c.getValue();
                    break;
                }
            }
        }
        Admission.Verdict v = admission.admit(new Admission.Request(http.getHeader("Origin"), http.getHeader("Host"),
                http.getHeader("Authorization"), http.getParameter("token"), cookieToken, clients.address(http)), Runnable::run);
        if (v.connection() == null) {
            resp.sendError(v.status(), v.code() + ": " + v.message()); // JsonErrorHandler renders it as the JSON error shape
            return null;
        }
        return new JettySocket(v.connection());
    }
}
