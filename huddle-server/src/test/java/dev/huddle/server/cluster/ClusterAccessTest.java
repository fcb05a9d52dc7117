package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.join;
import static dev.huddle.server.support.ClusterFixture.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H9 in cluster mode: a host's change on one node takes effect on sockets held by another, through the
 * shared store's change feed (two real nodes, one Redis prefix, one PostgreSQL database).
 */
class ClusterAccessTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    ClusterFixture f;
    Node a;
    Node b;
    Guest ann;
    Guest bob;
    String room;

    @BeforeEach
    void setUp() {
        f = new ClusterFixture(dir, new ManualClock(TestServer.T0));
        a = f.start();
        b = f.start();
        ann = f.guest(a, "Ann");
        bob = f.guest(b, "Bob");
        room = f.huddle(a, ann, List.of(bob));
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static JsonNode within(WsClient c, Duration d, Predicate<JsonNode> p) {
        return Awaitility.await().atMost(d).until(() -> c.received().stream().filter(p).findFirst().orElse(null), m -> m != null);
    }

    private static Predicate<JsonNode> change(String kind, String userId) {
        return m -> "change".equals(m.path("type").asText()) && kind.equals(m.path("kind").asText())
                && userId.equals(m.path("entry").path("userId").asText());
    }

    @Test
    @DisplayName("Cluster H9: a host on node A removes a user whose socket is on node B: B's socket gets removed_from_huddle and both nodes' rooms show the remove within 1 s")
    void removalReachesOtherNode() {
        assertThat(a.api().patch("/api/huddles/" + room, ann.token(), Map.of("publicViewing", false)).status()).isEqualTo(200);
        WsClient watchA = f.connect(a, ann);
        subscribe(watchA, room);
        WsClient bobWs = f.connect(b, bob);
        subscribe(bobWs, room);
        join(bobWs, room, "bob-tab");
        within(watchA, Duration.ofSeconds(10), change("join", bob.userId()));

        Api.Response r = a.api().delete("/api/huddles/" + room + "/members/" + bob.userId(), ann.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        within(watchA, SECOND, change("remove", bob.userId()));
        JsonNode err = within(bobWs, SECOND, m -> "removed_from_huddle".equals(m.path("code").asText()));
        assertThat(err.path("huddleId").asText()).isEqualTo(room);
        within(bobWs, SECOND, m -> "unsubscribed".equals(m.path("type").asText()));
        bobWs.send("type", "flags", "requestId", "talk", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", true);
        assertThat(bobWs.reply("talk").path("code").asText()).isEqualTo("unknown_session");
    }

    @Test
    @DisplayName("Cluster H9: a demotion on node A reaches Bob's socket on node B: his flags clear in one update and his next flags is refused")
    void demotionReachesOtherNode() {
        WsClient watchA = f.connect(a, ann);
        subscribe(watchA, room);
        WsClient bobWs = f.connect(b, bob);
        subscribe(bobWs, room);
        join(bobWs, room, "bob-tab", "flags", Map.of("isSpeaking", true));
        within(watchA, Duration.ofSeconds(10), m -> change("join", bob.userId()).test(m)
                && m.path("entry").path("data").path("isSpeaking").asBoolean());

        assertThat(a.api().put("/api/huddles/" + room + "/members/" + bob.userId(), ann.token(), Map.of("role", "observer"))
                .status()).isEqualTo(200);
        JsonNode update = within(watchA, SECOND, change("update", bob.userId()));
        assertThat(update.path("entry").path("data").path("role").asText()).isEqualTo("observer");
        assertThat(update.path("entry").path("data").path("isSpeaking").asBoolean()).isFalse();
        // Node B applies the change as it fans it out: once Bob's own socket shows it, his flags are refused.
        within(bobWs, SECOND, change("update", bob.userId()));
        bobWs.send("type", "flags", "requestId", "talk", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", true);
        assertThat(bobWs.reply("talk").path("code").asText()).isEqualTo("observer_cannot_set_flags");
    }
}
