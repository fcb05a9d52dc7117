package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.listed;
import static dev.huddle.server.support.ClusterFixture.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.LogCapture;
import dev.huddle.server.support.PrivateRedis;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis unreachable for longer than a deadline, then back with its data (a restart with persistence,
 * or a long network cut). Nodes share one {@link ManualClock}, so "longer than a deadline" is exact.
 */
class RedisOutageTest {
    @TempDir
    Path dir;
    ManualClock clock;
    PrivateRedis redis;
    ClusterFixture f;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(TestServer.T0);
        redis = new PrivateRedis(dir);
        f = new ClusterFixture(dir, clock, redis.url());
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
    @DisplayName("Redis away longer than a deadline, back with its data: sockets stay open, users whose sockets lived are online again at once, the one whose socket died meanwhile goes offline at its deadline, every node agrees")
    void outageLongerThanADeadline() {
        ClusterFixture.Scene s = f.threeMembersOnTwoNodes(Duration.ofMillis(500));
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
        WsClient carolWs = s.carolWs();
        await().atMost(Duration.ofSeconds(10)).until(() -> watchA.changes(room).size() == 3 && watchB.changes(room).size() == 3);

        redis.save();
        redis.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> health(a) == 503 && health(b) == 503);
        carolWs.abort();
        clock.advance(30_000); // every deadline (T0 + 25 s) passes while Redis is away
        await().during(Duration.ofMillis(1_000)).atMost(Duration.ofSeconds(5))
                .until(() -> !annWs.isClosed() && !bobWs.isClosed() && !watchA.isClosed() && !watchB.isClosed());

        redis.start(); // with the saved data: the sessions are there, with deadlines in the past
        Map<String, String> expected = new TreeMap<>(Map.of(ann.userId(), "online", bob.userId(), "online",
                carol.userId(), "offline"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (Node n : List.of(a, b)) {
                assertThat(health(n)).isEqualTo(200);
                assertThat(listed(n, owner, room)).isEqualTo(expected);
            }
            assertThat(view(watchA, room)).isEqualTo(expected);
            assertThat(view(watchB, room)).isEqualTo(expected);
        });
        Api.Response list = a.api().get("/api/presence/list?huddle=" + room, owner.token());
        list.json().forEach(e -> {
            if (e.path("userId").asText().equals(carol.userId())) {
                assertThat(e.path("lastDisconnected").asLong()).as("offline at her deadline").isEqualTo(TestServer.T0 + 25_000);
            }
        });
        assertThat(annWs.isClosed() || bobWs.isClosed()).isFalse();
    }

    @Test
    @DisplayName("subscribe while Redis is away: 'unavailable' with the request's id, nothing stays subscribed, the socket stays open, nothing logged with a stack trace; once Redis is back the same subscribe gets a snapshot")
    void subscribeWhileRedisIsAwayIsRefusedAsUnavailable() {
        Node a = f.start(Duration.ofMillis(500));
        Guest owner = f.guest(a, "Owner");
        String room = f.huddle(a, owner, List.of());
        WsClient ws = f.connect(a, owner);
        redis.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> health(a) == 503);

        try (LogCapture log = LogCapture.alone("dev.huddle")) {
            ws.send("type", "subscribe", "requestId", "away", "huddle", room);
            JsonNode refused = ws.reply("away");
            assertThat(refused.path("type").asText()).as(refused.toString()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("unavailable");
            assertThat(a.server().live().subscribers(room)).as("no half-made subscription").isZero();
            assertThat(ws.isClosed()).isFalse();
            // The store logs its outage at a bounded rate (its first line came with the kill): no line per request.
            assertThat(log.causes()).as(log.messages().toString()).allMatch(java.util.Objects::isNull);
        }

        redis.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> health(a) == 200);
        assertThat(ClusterFixture.subscribe(ws, room).path("room").asText()).isEqualTo(room);
        assertThat(a.server().live().subscribers(room)).isEqualTo(1);
    }

    private static int health(Node n) {
        return n.api().get("/health", (String) null).status();
    }
}
