package dev.huddle.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.config.SocketPort;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A real server on a free port with a temporary data directory and a {@link ManualClock}, plus helpers. */
public final class TestServer implements AutoCloseable {
    /** 2025-06-15T16:00:00Z: a fixed start so times in assertions are known. */
    public static final long T0 = 1_750_003_200_000L;

    public final ManualClock clock;
    public final HuddleServer server;
    public final Api api;

    public TestServer(Path dataDir) {
        this(dataDir, new ManualClock(T0), c -> c);
    }

    public TestServer(Path dataDir, ManualClock clock, UnaryOperator<ServerConfig> customise) {
        this.clock = clock;
        this.server = new HuddleServer(customise.apply(onTransport(ServerConfig.forDataDir(dataDir, 0))), clock).start();
        this.api = new Api(server.port());
    }

    /**
     * The transport the tests' sockets use: Jetty on the HTTP port, or with {@code -Dhuddle.test.transport=netty}
     * Netty on a socket port of its own (the build runs the socket tests both ways). Sockets connect to
     * {@link HuddleServer#socketPort()}.
     */
    public static final String TRANSPORT = System.getProperty("huddle.test.transport", "jetty");

    private static ServerConfig onTransport(ServerConfig c) {
        return switch (TRANSPORT) {
            case "jetty" -> c;
            case "netty" -> c.withHttp(c.http().withSocketPort(new SocketPort("auto", 0)));
            default -> throw new IllegalArgumentException("huddle.test.transport must be jetty or netty, was " + TRANSPORT);
        };
    }

    /** A signed-in guest. */
    public record Guest(String userId, String token) {
    }

    public Guest guest(String displayName) {
        Api.Response r = api.post("/api/auth/guest", null, Map.of("displayName", displayName));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new Guest(r.json().get("userId").asText(), r.json().get("token").asText());
    }

    /** Creates a huddle and returns its detail. */
    public JsonNode huddle(Guest owner, String title) {
        Api.Response r = api.post("/api/huddles", owner.token(), Map.of("title", title));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    /** Reads a huddle by id or slug (GET: never registers anyone). */
    public Api.Response read(Guest g, String idOrSlug) {
        return api.get("/api/huddles/" + idOrSlug, g == null ? null : g.token());
    }

    /** The first page (up to 200) of a huddle's member list, by id or slug (H4: readable where the detail is). */
    public Api.Response members(Guest g, String idOrSlug) {
        return api.get("/api/huddles/" + idOrSlug + "/members?limit=200", g == null ? null : g.token());
    }

    /** Opens a huddle by id as the page does (H3: registers a non-member as an observer). */
    public Api.Response open(Guest g, String id) {
        return api.post("/api/huddles/" + id + "/open", g == null ? null : g.token(), Map.of());
    }

    public Api.Response heartbeat(Guest g, String roomId, String sessionId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("roomId", roomId);
        body.put("userId", g.userId());
        body.put("sessionId", sessionId);
        body.put("interval", 10_000);
        return api.post("/api/presence/heartbeat", g.token(), body);
    }

    public Api.Response list(Guest g, String huddle) {
        return api.get("/api/presence/list?huddle=" + huddle, g == null ? null : g.token());
    }

    @Override
    public void close() {
        server.stop();
    }
}
