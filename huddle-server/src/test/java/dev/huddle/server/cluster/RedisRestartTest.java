package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.join;
import static dev.huddle.server.support.ClusterFixture.listed;
import static dev.huddle.server.support.ClusterFixture.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.PrivateRedis;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis killed and restarted without persistence, under two live nodes. The test runs its own
 * redis-server (a child process on a free port) so it can kill it; the nodes run on the system clock,
 * since what is measured is how fast presence re-forms in real time.
 */
class RedisRestartTest {
    /** One deadline of the clients here: 2.5 × their 10 s interval (P1). */
    private static final Duration ONE_DEADLINE = Duration.ofMillis(25_000);

    @TempDir
    Path dir;
    PrivateRedis redis;
    ClusterFixture f;

    @BeforeEach
    void setUp() {
        redis = new PrivateRedis(dir);
        f = new ClusterFixture(dir, TimeSource.system(), redis.url());
    }

    @AfterEach
    void tearDown() {
        try {
            f.close();
        } finally {
            redis.close();
        }
    }

    @Test
    @DisplayName("Redis restarted without persistence: sockets stay open and nodes report 503 meanwhile; then nodes recover, presence re-forms within one deadline, every subscriber is resynced, no ghost stays online")
    void redisRestartWithoutPersistence() {
        ClusterFixture.Scene s = f.threeMembersOnTwoNodes(Duration.ofMillis(500), "flags", Map.of("isSpeaking", true));
        Node a = s.a();
        Node b = s.b();
        Guest owner = s.owner();
        Guest ann = s.ann();
        Guest bob = s.bob();
        Guest carol = s.carol();
        String room = s.room();
        WsClient watchA = s.watchA();
        WsClient watchB = s.watchB();
        WsClient annWs = s.annWs();
        WsClient bobWs = s.bobWs();
        final WsClient bobFirst = bobWs;
        WsClient carolWs = s.carolWs();
        Map<String, String> before = new TreeMap<>(Map.of(ann.userId(), "online+speaking", bob.userId(), "online",
                carol.userId(), "online"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(view(watchA, room)).isEqualTo(before);
            assertThat(view(watchB, room)).isEqualTo(before);
        });
        assertThat(health(a).status()).isEqualTo(200);

        redis.kill();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (Node n : List.of(a, b)) {
                Api.Response h = health(n);
                assertThat(h.status()).isEqualTo(503);
                assertThat(h.json().path("reason").asText()).isEqualTo("redis_unreachable");
            }
        });
        carolWs.abort(); // her socket drops while Redis is away: she must not come back as a ghost
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
                .until(() -> !annWs.isClosed() && !bobFirst.isClosed() && !watchA.isClosed() && !watchB.isClosed());

        redis.start();
        long back = System.nanoTime();
        Map<String, String> after = new TreeMap<>(Map.of(ann.userId(), "online+speaking", bob.userId(), "online"));
        await().atMost(ONE_DEADLINE).untilAsserted(() -> {
            for (Node n : List.of(a, b)) {
                assertThat(health(n).status()).isEqualTo(200);
                assertThat(listed(n, owner, room)).isEqualTo(after);
            }
            assertThat(view(watchA, room)).isEqualTo(after);
            assertThat(view(watchB, room)).isEqualTo(after);
        });
        long reformedMs = (System.nanoTime() - back) / 1_000_000;
        assertThat(reformedMs).as("presence re-formed within one deadline").isLessThan(ONE_DEADLINE.toMillis());
        for (WsClient w : List.of(watchA, watchB)) {
            assertThat(w.ofType("snapshot").size()).as("resynced with a fresh snapshot").isGreaterThanOrEqualTo(2);
        }
        String metrics = a.api().get("/metrics", (String) null).body();
        assertThat(metrics).contains("huddle_redis_reachable 1.0").containsPattern("huddle_redis_interruptions_total [1-9]");
        assertThat(annWs.isClosed() || bobWs.isClosed()).isFalse();

        // Each re-created session's client was told its new token (a joined message that is not a reply),
        // and that token continues the session on another node after a drop: no leave/join.
        String bobToken = bobWs.await(m -> "joined".equals(m.path("type").asText()) && !m.hasNonNull("requestId")
                && "bob-tab".equals(m.path("sessionId").asText())).path("sessionToken").asText();
        annWs.await(m -> "joined".equals(m.path("type").asText()) && !m.hasNonNull("requestId"));
        int changesA = watchA.changes(room).size();
        bobWs.abort();
        bobWs = f.connect(a, bob);
        assertThat(join(bobWs, room, "bob-tab", "sessionToken", bobToken).path("resumed").asBoolean()).isTrue();

        // The re-formed room is live again: a flag change reaches both nodes' subscribers.
        bobWs.send("type", "flags", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", true);
        Map<String, String> speaking = new TreeMap<>(Map.of(ann.userId(), "online+speaking", bob.userId(), "online+speaking"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(view(watchA, room)).isEqualTo(speaking);
            assertThat(view(watchB, room)).isEqualTo(speaking);
        });
        assertThat(watchA.changes(room).subList(changesA, watchA.changes(room).size()))
                .extracting(m -> m.path("kind").asText()).containsExactly("update");
    }

    private static Api.Response health(Node n) {
        return n.api().get("/health", (String) null);
    }
}
