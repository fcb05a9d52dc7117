package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.join;
import static dev.huddle.server.support.ClusterFixture.listed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.legacy.LegacyPresence;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LogCapture;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * L2 in cluster mode: a rollout-flag switch made through one node reaches every node by their own
 * timed re-read of the recorded flag, with no restart. Two real nodes share PostgreSQL and Redis;
 * their re-read runs every 100 ms on its real timer, and the test waits (bounded) for node B to report
 * the new mode, then checks what B's legacy calls do.
 */
@Timeout(90)
class ClusterRolloutTest {
    static final String ADMIN = "admin-token-0123456789-abcdefghijklmnop";
    /** Far above the 100 ms re-read interval; the bound of "promptly" here. */
    static final Duration ADOPTION = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    ClusterFixture f;
    LogCapture legacyLog;

    @BeforeEach
    void setUp() {
        legacyLog = LogCapture.of(LegacyPresence.class);
        f = new ClusterFixture(dir, new ManualClock(TestServer.T0));
    }

    @AfterEach
    void tearDown() {
        f.close();
        legacyLog.close();
    }

    Node node() {
        return f.start(Duration.ofSeconds(5), c -> c.withRollout(c.rollout().withSource(PresenceSource.LEGACY)
                .withAdminToken(ADMIN).withSourceRefreshMs(100)));
    }

    static String source(Node n) {
        return n.api().get("/api/admin/presence-source", ADMIN).json().get("source").asText();
    }

    static Api.Response upsert(Node n, Guest g, String room, Map<String, Object> body) {
        Api.Response r = n.api().post("/api/huddles/" + room + "/presence/upsert", g.token(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    /** The detail's legacy presence array as a node serves it: user ids. */
    static List<String> detailPresence(Node n, Guest g, String room) {
        Api.Response r = n.api().get("/api/huddles/" + room, g.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("presence").findValuesAsText("userId").stream().sorted().toList();
    }

    static List<String> sorted(String... ids) {
        return List.of(ids).stream().sorted().toList();
    }

    List<String> logged(String event) {
        return legacyLog.events(event);
    }

    @Test
    @DisplayName("L2 cluster: legacy → shadow → component switched through node A is adopted by node B within its re-read interval; B's legacy calls follow each mode; B logs each adoption once")
    void switchThroughOneNodeReachesTheOther() {
        Node a = node();
        Node b = node();
        Guest owner = f.guest(a, "Owner");
        Guest ann = f.guest(a, "Ann");
        Guest bob = f.guest(b, "Bob");
        Guest carol = f.guest(b, "Carol");
        String room = f.huddle(a, owner, List.of(ann, bob, carol));
        WsClient bobWs = f.connect(b, bob); // a new client: only the engine sees him
        join(bobWs, room, "bob-tab");

        // legacy: an old client's upsert through B writes the table only
        upsert(b, ann, room, Map.of("isSpeaking", true));
        assertThat(listed(a, owner, room)).isEqualTo(Map.of(bob.userId(), "online"));
        assertThat(detailPresence(b, owner, room)).containsExactly(ann.userId());

        Api.Response sw = a.api().put("/api/admin/presence-source", ADMIN, Map.of("source", "shadow"));
        assertThat(sw.status()).as(sw.body()).isEqualTo(200);
        await().atMost(ADOPTION).until(() -> source(b).equals("shadow"));

        // shadow on B: its upserts feed the engine too, the table still serves B's detail, and B compares
        upsert(b, carol, room, Map.of());
        Map<String, String> engine = new TreeMap<>(Map.of(ann.userId(), "online+speaking", bob.userId(), "online",
                carol.userId(), "online"));
        assertThat(listed(a, owner, room)).isEqualTo(engine);
        assertThat(detailPresence(b, owner, room)).isEqualTo(sorted(ann.userId(), carol.userId()));
        b.server().legacy().compareNow();
        assertThat(b.api().get("/metrics", (String) null).body())
                .as("B's comparator found the socket-only client, and only him")
                .contains("presence_shadow_mismatches_total{field=\"online\"} 1.0")
                .contains("presence_shadow_mismatches_total{field=\"isSpeaking\"} 0.0")
                .contains("presence_source 1.0");

        sw = a.api().put("/api/admin/presence-source", ADMIN, Map.of("source", "component"));
        assertThat(sw.status()).as(sw.body()).isEqualTo(200);
        await().atMost(ADOPTION).until(() -> source(b).equals("component"));

        // component on B: clear ends the engine session and leaves the table alone; the detail comes from the engine
        Api.Response cleared = b.api().post("/api/huddles/" + room + "/presence/clear", ann.token(), Map.of());
        assertThat(cleared.json().get("cleared").asBoolean()).as(cleared.body()).isTrue();
        engine.put(ann.userId(), "offline");
        await().atMost(ADOPTION).until(() -> listed(a, owner, room).equals(engine));
        assertThat(b.server().legacy().table().fresh(room, 0).stream().map(r -> r.userId()).sorted().toList())
                .as("component does not touch the table").isEqualTo(sorted(ann.userId(), carol.userId()));
        assertThat(detailPresence(b, owner, room)).isEqualTo(sorted(bob.userId(), carol.userId()));
        assertThat(b.api().get("/metrics", (String) null).body()).contains("presence_source 2.0");

        assertThat(logged("presence_source_switched")).as("node A").containsExactly(
                "event=presence_source_switched from=legacy to=shadow", "event=presence_source_switched from=shadow to=component");
        assertThat(logged("presence_source_adopted")).as("node B, once per switch; never node A").containsExactly(
                "event=presence_source_adopted from=legacy to=shadow", "event=presence_source_adopted from=shadow to=component");
        assertThat(logged("presence_source_refresh_failed")).isEmpty();
    }
}
