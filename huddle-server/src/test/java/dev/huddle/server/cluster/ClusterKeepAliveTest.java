package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.join;
import static dev.huddle.server.support.ClusterFixture.listed;
import static dev.huddle.server.support.ClusterFixture.view;
import static dev.huddle.server.support.ClusterFixture.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.PrivateRedis;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node keep-alive in cluster mode (T1 at O(nodes) Redis cost): a socket's pongs touch its sessions
 * in the node's memory and the node renews them in batches, so an idle socket costs Redis nothing per
 * ping; and when such a node dies, each of its users leaves once, on a surviving node, at the deadline
 * of a frame the node renewed — within one session deadline of its death (P5, P7).
 */
class ClusterKeepAliveTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long DEADLINE = 25_000;
    private static final Set<String> INSIDE_RENEW = Set.of("hget", "hset", "zadd");

    @TempDir
    Path dir;

    @Test
    @DisplayName("Node death after a minute of held keep-alive (T1, P5, P7): each user of the killed node leaves once, on the survivor, at the deadline of a frame the node renewed, within one deadline of the death")
    void killedNodesHeldSessionsLeaveOnceAtARenewedFramesDeadline() {
        ManualClock clock = new ManualClock(TestServer.T0);
        try (ClusterFixture f = new ClusterFixture(dir, clock)) {
            Node survivor = f.start();
            Node doomed = f.start();
            Guest owner = f.guest(survivor, "Owner");
            List<Guest> users = List.of(f.guest(doomed, "Ann"), f.guest(doomed, "Bob"), f.guest(doomed, "Cy"));
            String room = f.huddle(survivor, owner, users);
            WsClient watch = f.connect(survivor, owner);
            long start = subscribe(watch, room).path("seq").asLong();
            for (int i = 0; i < users.size(); i++) {
                join(f.connect(doomed, users.get(i)), room, "tab-" + i);
            }
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 3);
            assertThat(doomed.server().presence().keepAlive().size()).isEqualTo(3);

            // A minute of idle sockets: the node pings every 100 ms (real time); every 3.7 s of the clock,
            // wait for fresh pongs, then let the keep-alive tick.
            List<Long> frames = new ArrayList<>(List.of(TestServer.T0));
            for (int i = 0; i < 16; i++) {
                clock.advance(3_700);
                long pongs = doomed.server().live().pongsReceived();
                await().atMost(WAIT).until(() -> doomed.server().live().pongsReceived() >= pongs + 2 * users.size());
                frames.add(clock.millis());
                doomed.server().presence().keepAlive().tick();
            }
            assertThat(watch.changes(room)).as("nobody left while the node held them").hasSize(3);

            long death = clock.millis();
            f.kill(doomed);
            while (clock.millis() < death + DEADLINE + 1_000) {
                clock.advance(500);
                survivor.server().presence().expireDue(); // besides the survivor's own worker: still once each
            }
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 6);
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> watch.changes(room).size() == 6);
            Map<String, Long> leftAt = new HashMap<>();
            for (JsonNode c : watch.changes(room).subList(3, 6)) {
                assertThat(c.path("kind").asText()).isEqualTo("leave");
                leftAt.put(c.path("entry").path("userId").asText(), c.path("entry").path("lastDisconnected").asLong());
            }
            assertThat(leftAt.keySet()).containsExactlyInAnyOrderElementsOf(users.stream().map(Guest::userId).toList());
            for (long at : leftAt.values()) {
                assertThat(at).isGreaterThan(death).isLessThanOrEqualTo(death + DEADLINE);
                // the time is a real frame's P1 deadline: one the clock showed at a pong the node received
                assertThat(frames).contains(at - DEADLINE);
            }
            assertThat(watch.changes(room).get(5).path("seq").asLong()).isEqualTo(start + 6);
        }
    }

    @Test
    @DisplayName("A node that pauses longer than a session deadline (T1, P5, P7): its users leave once, at a deadline of a frame it heard; when it resumes, its open sockets are told session_ended and rejoin, and each user is listed once")
    void pausedNodesUsersLeaveOnceAndComeBackOnceWhenItResumes() {
        ManualClock clock = new ManualClock(TestServer.T0);
        try (ClusterFixture f = new ClusterFixture(dir, clock)) {
            Node survivor = f.start();
            Node paused = f.start();
            Guest owner = f.guest(survivor, "Owner");
            List<Guest> users = List.of(f.guest(paused, "Ann"), f.guest(paused, "Bob"));
            String room = f.huddle(survivor, owner, users);
            WsClient watch = f.connect(survivor, owner);
            long start = subscribe(watch, room).path("seq").asLong();
            List<WsClient> sockets = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                sockets.add(f.connect(paused, users.get(i)));
                join(sockets.get(i), room, "tab-" + i);
            }
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 2);
            assertThat(paused.server().presence().keepAlive().size()).isEqualTo(2);

            // The pause, simulated in-process (a JVM cannot SIGSTOP itself): the node hears nothing more from
            // its sockets, so it has nothing to renew; its last tick writes what it heard before.
            sockets.forEach(WsClient::pause);
            AtomicLong lastPongs = new AtomicLong(-1);
            await().pollInterval(Duration.ofMillis(150)).during(Duration.ofMillis(450)).atMost(WAIT)
                    .until(() -> lastPongs.getAndSet(paused.server().live().pongsReceived()) == lastPongs.get());
            paused.server().presence().keepAlive().tick();
            long pausedAt = clock.millis();
            while (clock.millis() < pausedAt + DEADLINE + 1_000) {
                clock.advance(500);
                paused.server().presence().keepAlive().tick(); // even if it ticked, it has no newer frame to vouch for
                survivor.server().presence().expireDue();
            }
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 4);
            for (JsonNode c : watch.changes(room).subList(2, 4)) {
                assertThat(c.path("kind").asText()).isEqualTo("leave");
                assertThat(c.path("entry").path("lastDisconnected").asLong()).isLessThanOrEqualTo(pausedAt + DEADLINE);
            }

            // It resumes: its sockets' frames arrive again, their sessions have ended, and the clients
            // (like huddle-js and the Java client) join afresh — one join each, no second entry.
            sockets.forEach(WsClient::resume);
            for (int i = 0; i < sockets.size(); i++) {
                WsClient c = sockets.get(i);
                c.await(m -> "error".equals(m.path("type").asText()) && "session_ended".equals(m.path("code").asText()));
                join(c, room, "tab-" + i + "-again");
            }
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 6);
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> watch.changes(room).size() == 6);
            List<String> ids = users.stream().map(Guest::userId).toList();
            List<JsonNode> changes = watch.changes(room);
            assertThat(changes.stream().map(c -> c.path("kind").asText()).toList())
                    .containsExactly("join", "join", "leave", "leave", "join", "join");
            assertThat(changes.subList(2, 4).stream().map(c -> c.path("entry").path("userId").asText()))
                    .containsExactlyInAnyOrderElementsOf(ids);
            assertThat(changes.subList(4, 6).stream().map(c -> c.path("entry").path("userId").asText()))
                    .containsExactlyInAnyOrderElementsOf(ids);
            assertThat(changes.get(5).path("seq").asLong()).as("no change missed or doubled").isEqualTo(start + 6);
            assertThat(view(watch, room)).isEqualTo(Map.of(ids.get(0), "online", ids.get(1), "online"));
            assertThat(listed(survivor, owner, room)).isEqualTo(Map.of(ids.get(0), "online", ids.get(1), "online"));
            assertThat(paused.server().presence().keepAlive().size()).as("held again, once each").isEqualTo(2);
        }
    }

    @Test
    @DisplayName("Idle Redis cost (T1): 20 idle sockets answering pings every 100 ms cost Redis no heartbeat; the node sends fewer than 20 commands a second, its data-loss watch included")
    void idleSocketsCostRedisNoCommandPerPing() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(dir); ClusterFixture f = new ClusterFixture(dir, TimeSource.system(), redis.url())) {
            Node node = f.start(Duration.ofSeconds(5), c -> c.withHttp(c.http().withoutGuestSignInLimits()));
            Guest owner = f.guest(node, "Owner");
            List<Guest> users = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                users.add(f.guest(node, "User " + i));
            }
            String room = f.huddle(node, owner, users);
            for (int i = 0; i < users.size(); i++) {
                join(f.connect(node, users.get(i)), room, "tab-" + i);
            }
            assertThat(node.server().presence().keepAlive().size()).isEqualTo(20);
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().configResetstat();
                long pongs = node.server().live().pongsReceived();
                long windowStart = System.nanoTime();
                // the window: until the sockets have answered 1 000 pings (~5 s), so every idle socket was
                // kept alive many times over while Redis counted
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> node.server().live().pongsReceived() - pongs >= 1_000);
                Map<String, Long> calls = commandCalls(c.sync().info("commandstats"));
                double seconds = (System.nanoTime() - windowStart) / 1e9;
                // what the node sends: Redis also counts the HGET, HSET and ZADD inside each renew script on their own
                long total = calls.entrySet().stream().filter(e -> !INSIDE_RENEW.contains(e.getKey()))
                        .mapToLong(Map.Entry::getValue).sum();
                // before the keep-alive, every pong past a second refreshed its session: ~10 commands each
                assertThat(calls.getOrDefault("evalsha", 0L) / seconds).as("scripts a second: renewals and nothing per ping, " + calls)
                        .isLessThanOrEqualTo(1.0);
                assertThat(total / seconds).as("commands per second, " + calls).isLessThan(20);
            } finally {
                client.shutdown();
            }
        }
    }

    /** {@code INFO commandstats} as command → calls. */
    private static Map<String, Long> commandCalls(String info) {
        Map<String, Long> out = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring(8, line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
                if (!name.startsWith("config")) {
                    out.put(name, Long.parseLong(calls));
                }
            }
        }
        return out;
    }
}
