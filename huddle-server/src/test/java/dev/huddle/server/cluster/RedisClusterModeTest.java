package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.join;
import static dev.huddle.server.support.ClusterFixture.listed;
import static dev.huddle.server.support.ClusterFixture.story;
import static dev.huddle.server.support.ClusterFixture.subscribe;
import static dev.huddle.server.support.ClusterFixture.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.ManualClock;
import dev.huddle.presence.redis.RedisClusterFixture;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import io.lettuce.core.RedisClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode on a Redis Cluster: two server nodes whose {@code HUDDLE_REDIS_URL} is
 * {@code redis-cluster://…} (a real cluster of three masters, {@link RedisClusterFixture}) share one
 * room, and the nodes' own use of Redis works there too: {@code /health}, and noticing that one master
 * lost its data.
 */
class RedisClusterModeTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RedisClusterFixture redis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRedisCluster() {
        redis = RedisClusterFixture.start();
    }

    @AfterAll
    static void stopRedisCluster() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisplayName("Cluster mode on Redis Cluster (P3, P7, H5, S1): a join, a flag and a leave on node A are seen, in order, by a subscriber on node B")
    void joinFlagLeaveCrossNodes() {
        try (ClusterFixture f = new ClusterFixture(dir, new ManualClock(TestServer.T0), redis.url())) {
            Node a = f.start();
            Node b = f.start();
            Guest owner = f.guest(a, "Owner");
            Guest ann = f.guest(b, "Ann");
            String room = f.huddle(b, owner, List.of(ann));
            WsClient watchB = f.connect(b, owner);
            long start = subscribe(watchB, room).path("seq").asLong();

            WsClient annOnA = f.connect(a, ann);
            join(annOnA, room, "ann-tab");
            annOnA.send("type", "flags", "requestId", "speak", "huddleId", room, "sessionId", "ann-tab", "isSpeaking", true);
            await().atMost(WAIT).until(() -> watchB.changes(room).size() >= 2);
            assertThat(view(watchB, room)).isEqualTo(Map.of(ann.userId(), "online+speaking"));
            assertThat(listed(b, owner, room)).isEqualTo(Map.of(ann.userId(), "online+speaking"));

            annOnA.send("type", "leave", "requestId", "bye", "huddleId", room, "sessionId", "ann-tab");
            assertThat(annOnA.reply("bye").path("type").asText()).isEqualTo("left");
            await().atMost(WAIT).until(() -> watchB.changes(room).size() >= 3);
            assertThat(story(watchB, room)).containsExactly((start + 1) + " join " + ann.userId(),
                    (start + 2) + " update " + ann.userId(), (start + 3) + " leave " + ann.userId());
            assertThat(view(watchB, room)).isEqualTo(Map.of(ann.userId(), "offline"));
            assertThat(listed(a, owner, room)).isEqualTo(Map.of(ann.userId(), "offline"));

            for (Node n : List.of(a, b)) {
                assertThat(n.server().cluster().reachable()).isTrue();
                assertThat(n.server().cluster().checkNow()).as("no data loss seen").isZero();
                assertThat(n.api().get("/health", (String) null).status()).isEqualTo(200);
            }

            // One master loses its data alone (restarted empty, no replica took over): both nodes notice,
            // though the other masters kept theirs, and resync their subscribers with a snapshot.
            int before = watchB.received().size();
            RedisClient nodes = RedisClient.create();
            try (var master = redis.connectToNode(redis.ports().get(2), nodes)) {
                master.sync().flushall();
            } finally {
                nodes.shutdown();
            }
            for (Node n : List.of(a, b)) {
                await().atMost(WAIT).until(() -> n.server().cluster().generation() == 1);
                assertThat(n.server().cluster().checkNow()).isEqualTo(1);
            }
            await().atMost(WAIT).until(() -> watchB.received().stream().skip(before)
                    .anyMatch(m -> "snapshot".equals(m.path("type").asText())));
        }
    }
}
