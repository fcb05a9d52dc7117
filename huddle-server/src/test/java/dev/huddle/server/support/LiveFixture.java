package dev.huddle.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.LiveSettings;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A {@link TestServer} plus the WebSocket helpers the live tests share; closes its clients. */
public final class LiveFixture implements AutoCloseable {
    public final TestServer t;
    private final List<WsClient> clients = new ArrayList<>();

    public LiveFixture(Path dir, UnaryOperator<LiveSettings> live) {
        this(dir, live, c -> c);
    }

    public LiveFixture(Path dir, UnaryOperator<LiveSettings> live, UnaryOperator<ServerConfig> more) {
        this.t = new TestServer(dir, new ManualClock(TestServer.T0), c -> more.apply(c.withLive(live.apply(c.live()))));
    }

    public ManualClock clock() {
        return t.clock;
    }

    public TestServer.Guest guest(String name) {
        return t.guest(name);
    }

    /** A huddle owned by {@code owner} (a participant), with {@code others} joined as participants. */
    public JsonNode huddle(TestServer.Guest owner, TestServer.Guest... others) {
        JsonNode h = t.huddle(owner, "Live test");
        for (TestServer.Guest g : others) {
            Api.Response r = t.api.post("/api/huddles/" + h.get("id").asText() + "/join", g.token(),
                    Map.of("role", "participant"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        return h;
    }

    public WsClient connect(TestServer.Guest g) {
        return track(WsClient.connect(t.server.socketPort(), g == null ? null : g.token()));
    }

    public WsClient track(WsClient c) {
        clients.add(c);
        return c;
    }

    /** Joins and waits for {@code joined}; returns it. */
    public JsonNode join(WsClient c, String room, String sessionId, Object... extra) {
        String rid = "join-" + sessionId + "-" + System.nanoTime();
        List<Object> kv = new ArrayList<>(List.of("type", "join", "requestId", rid, "huddleId", room,
                "sessionId", sessionId, "interval", 10_000));
        kv.addAll(List.of(extra));
        c.send(kv.toArray());
        JsonNode r = c.reply(rid);
        assertThat(r.path("type").asText()).as(r.toString()).isEqualTo("joined");
        return r;
    }

    /** Subscribes and waits for the snapshot (or resumed) reply. */
    public JsonNode subscribe(WsClient c, String huddle, Object... extra) {
        String rid = "sub-" + System.nanoTime();
        List<Object> kv = new ArrayList<>(List.of("type", "subscribe", "requestId", rid, "huddle", huddle));
        kv.addAll(List.of(extra));
        c.send(kv.toArray());
        return c.reply(rid);
    }

    /** The room as the server lists it (HTTP), by user id → online. */
    public List<JsonNode> serverList(TestServer.Guest g, String room) {
        Api.Response r = t.list(g, room);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().forEach(out::add);
        return out;
    }

    /** Asserts the changes seen for a room come in seq order with no gap after {@code afterSeq}. */
    public static void assertGapless(List<JsonNode> changes, long afterSeq) {
        long expect = afterSeq + 1;
        for (JsonNode c : changes) {
            assertThat(c.path("seq").asLong()).as("seq order without gaps in %s", changes).isEqualTo(expect++);
        }
    }

    /** A compact story of a room's changes: "join <user>", "update <user>", … */
    public static List<String> story(List<JsonNode> changes) {
        return changes.stream().map(c -> c.path("kind").asText() + " " + c.path("entry").path("userId").asText()).toList();
    }

    @Override
    public void close() {
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        });
        t.close();
    }
}
