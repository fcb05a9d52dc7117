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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node lease in cluster mode (T1 at O(nodes) Redis cost): a socket's pongs touch its sessions in
 * the node's memory and the node renews one lease per tick, so an idle socket costs Redis nothing per
 * ping and nothing per tick; when such a node dies, its lease runs out and each of its users leaves
 * once, on a surviving node, one session deadline after the lease's last renewal (P5, P7); a node that
 * pauses longer than that creates the sessions of its still-open sockets again when it resumes.
 */
class ClusterKeepAliveTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long DEADLINE = 25_000;
    /** The node lease: three keep-alive ticks of 5 s. */
    private static final long LEASE = 15_000;

    @TempDir
    Path dir;

    @Test
    @DisplayName("Node death after a minute of held keep-alive (T1, P5, P7): its lease runs out, and each user of the killed node leaves once, on the survivor, one session deadline after the lease's last renewal, within one deadline of the death")
    void killedNodesHeldSessionsLeaveOnceOneDeadlineAfterItsLastRenewal() {
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
            // wait for fresh pongs, then let the keep-alive tick (its own ticks, every 5 s of real time,
            // renew at one of these clock readings too).
            List<Long> renewals = new ArrayList<>(List.of(TestServer.T0));
            for (int i = 0; i < 16; i++) {
                clock.advance(3_700);
                long pongs = doomed.server().live().pongsReceived();
                await().atMost(WAIT).until(() -> doomed.server().live().pongsReceived() >= pongs + 2 * users.size());
                renewals.add(clock.millis());
                doomed.server().presence().keepAlive().tick();
            }
            assertThat(watch.changes(room)).as("nobody left while the node held them").hasSize(3);

            long death = clock.millis();
            f.kill(doomed);
            while (clock.millis() < death + LEASE + DEADLINE + 1_000) {
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
                assertThat(at).isEqualTo(death + DEADLINE);
                assertThat(renewals).contains(at - DEADLINE);
            }
            assertThat(watch.changes(room).get(5).path("seq").asLong()).isEqualTo(start + 6);
        }
    }

    @Test
    @DisplayName("A node that pauses longer than its lease and a session deadline (T1, P5, P7): its users leave once, on the survivor; when it resumes, it creates again the sessions of its open sockets — one join each, no client rejoins, each user listed once")
    void pausedNodesUsersLeaveOnceAndItRecreatesTheirSessionsWhenItResumes() {
        ManualClock clock = new ManualClock(TestServer.T0);
        PausableClock pausable = new PausableClock(clock);
        try (ClusterFixture f = new ClusterFixture(dir, clock)) {
            Node survivor = f.start();
            Node paused = f.start(Duration.ofSeconds(5), c -> c, pausable);
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

            // The pause, simulated in-process (a JVM cannot SIGSTOP itself): the node's time stands still
            // (a tick of its own renews nothing past where its lease was) and it hears nothing from its
            // sockets, while the rest of the cluster lives on past its lease and the sessions' deadline.
            paused.server().presence().keepAlive().tick();
            long pausedAt = clock.millis();
            pausable.freeze();
            sockets.forEach(WsClient::pause);
            while (clock.millis() < pausedAt + LEASE + DEADLINE + 1_000) {
                clock.advance(500);
                survivor.server().presence().expireDue();
            }
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 4);
            for (JsonNode c : watch.changes(room).subList(2, 4)) {
                assertThat(c.path("kind").asText()).isEqualTo("leave");
                assertThat(c.path("entry").path("lastDisconnected").asLong()).isEqualTo(pausedAt + DEADLINE);
            }

            // It resumes (SIGCONT): its first tick finds its lease lost, and its sockets, still open, create
            // their sessions again at their next frame — the clients do nothing but answer pings.
            pausable.thaw();
            paused.server().presence().keepAlive().tick();
            sockets.forEach(WsClient::resume);
            await().atMost(WAIT).until(() -> watch.changes(room).size() == 6);
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> watch.changes(room).size() == 6);
            for (WsClient c : sockets) {
                assertThat(c.received()).as("nobody was told session_ended")
                        .noneMatch(m -> "session_ended".equals(m.path("code").asText()));
            }
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
            await().atMost(WAIT).until(() -> paused.server().presence().keepAlive().size() == 2);
        }
    }

    /** A node's clock that can stand still while the shared one moves on: the node's time during a SIGSTOP. */
    private static final class PausableClock implements TimeSource {
        private final TimeSource shared;
        private volatile long frozenAt = Long.MIN_VALUE;

        PausableClock(TimeSource shared) {
            this.shared = shared;
        }

        void freeze() {
            frozenAt = shared.millis();
        }

        void thaw() {
            frozenAt = Long.MIN_VALUE;
        }

        @Override
        public long millis() {
            long f = frozenAt;
            return f != Long.MIN_VALUE ? f : shared.millis();
        }

        @Override
        public void onAdvance(Runnable callback) {
            shared.onAdvance(callback);
        }
    }

    @Test
    @DisplayName("Idle Redis cost (T1, the node lease): 20 idle sockets answering pings every 100 ms cost Redis nothing per session — no script, no session write; the node sends fewer than 20 commands a second, its lease and data-loss watch included")
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
                long total = calls.values().stream().mapToLong(Long::longValue).sum();
                // before the node keep-alive, every pong past a second refreshed its session (~10 commands);
                // before the lease, every session was rewritten about once per interval (HGET, HSET, ZADD)
                assertThat(calls).as("no script and no session read or write while idle").doesNotContainKeys("evalsha", "hget", "hset");
                // the lease: one ZADD per tick (5 s) in the one partition the room lives in
                assertThat(calls.getOrDefault("zadd", 0L)).as("lease renewals, " + calls).isLessThanOrEqualTo((long) (seconds / 5) + 1);
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
