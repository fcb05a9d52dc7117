package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.join;
import static dev.huddle.server.support.ClusterFixture.listed;
import static dev.huddle.server.support.ClusterFixture.story;
import static dev.huddle.server.support.ClusterFixture.subscribe;
import static dev.huddle.server.support.ClusterFixture.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.redis.Deafen;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode end to end: several real server nodes in one JVM sharing one Redis key prefix, one
 * PostgreSQL database, one guest secret and one {@link ManualClock} (so deadlines are exact), with real
 * WebSocket clients spread over them.
 */
class ClusterRoomTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    ManualClock clock;
    ClusterFixture f;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(TestServer.T0);
        f = new ClusterFixture(dir, clock);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    @DisplayName("Cluster (P3, P7, P10, P11, S1): clients spread over three nodes see one room — joins, flag changes and leaves everywhere, in the same order, exactly once")
    void oneConsistentRoom() {
        List<Node> nodes = List.of(f.start(), f.start(), f.start());
        Guest owner = f.guest(nodes.get(0), "Owner");
        List<Guest> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            users.add(f.guest(nodes.get(i % 3), "User " + i)); // a token from one node works on all
        }
        String room = f.huddle(nodes.get(1), owner, users);
        List<WsClient> watchers = new ArrayList<>();
        long start = -1;
        for (Node n : nodes) {
            WsClient w = f.connect(n, owner);
            long seq = subscribe(w, room).path("seq").asLong();
            assertThat(start == -1 || start == seq).as("one snapshot seq on every node").isTrue();
            start = seq;
            watchers.add(w);
        }

        List<String> expected = new ArrayList<>();
        List<WsClient> clients = new ArrayList<>();
        long seq = start;
        for (int i = 0; i < 6; i++) {
            WsClient c = f.connect(nodes.get((i + 1) % 3), users.get(i));
            join(c, room, "tab-" + i);
            clients.add(c);
            expected.add(++seq + " join " + users.get(i).userId());
        }
        for (int i = 0; i < 6; i++) {
            clients.get(i).send("type", "flags", "requestId", "f" + i, "huddleId", room, "sessionId", "tab-" + i, "isSpeaking", true);
            expected.add(++seq + " update " + users.get(i).userId());
            int n = expected.size();
            await().atMost(WAIT).until(() -> watchers.stream().allMatch(w -> w.changes(room).size() >= n));
        }
        for (int i = 0; i < 6; i++) {
            WsClient c = clients.get(i);
            c.send("type", "leave", "requestId", "bye" + i, "huddleId", room, "sessionId", "tab-" + i);
            assertThat(c.reply("bye" + i).path("type").asText()).isEqualTo("left");
            expected.add(++seq + " leave " + users.get(i).userId());
        }
        await().atMost(WAIT).until(() -> watchers.stream().allMatch(w -> w.changes(room).size() >= expected.size()));
        for (WsClient w : watchers) {
            assertThat(story(w, room)).containsExactlyElementsOf(expected);
        }
        Map<String, String> everyoneOffline = new TreeMap<>();
        users.forEach(u -> everyoneOffline.put(u.userId(), "offline")); // flags show only while a session says so (H5)
        for (int i = 0; i < 3; i++) {
            assertThat(listed(nodes.get(i), owner, room)).isEqualTo(everyoneOffline);
            assertThat(view(watchers.get(i), room)).isEqualTo(everyoneOffline);
        }
    }

    @Test
    @DisplayName("Cluster races (P11): 12 clients on three nodes joining, toggling and leaving one room at once give contiguous seqs, one story on every node and one final list")
    void racesGiveOneStory() throws Exception {
        List<Node> nodes = List.of(f.start(), f.start(), f.start());
        Guest owner = f.guest(nodes.get(0), "Owner");
        List<Guest> users = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            users.add(f.guest(nodes.get(i % 3), "Racer " + i));
        }
        String room = f.huddle(nodes.get(0), owner, users);
        List<WsClient> watchers = new ArrayList<>();
        for (Node n : nodes) {
            WsClient w = f.connect(n, owner);
            subscribe(w, room);
            watchers.add(w);
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int k = i;
                all.add(CompletableFuture.runAsync(() -> {
                    WsClient c = f.connect(nodes.get(k % 3), users.get(k));
                    join(c, room, "tab-" + k);
                    for (int t = 0; t < 4; t++) {
                        c.send("type", "flags", "huddleId", room, "sessionId", "tab-" + k, "isSpeaking", t % 2 == 0);
                    }
                    if (k % 2 == 0) {
                        c.send("type", "leave", "requestId", "bye", "huddleId", room, "sessionId", "tab-" + k);
                        c.reply("bye");
                    } else {
                        join(c, room, "tab-" + k, "flags", Map.of("isSpeaking", false)); // a second heartbeat on the same socket
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get();
        } finally {
            pool.shutdownNow();
        }
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            expected.put(users.get(i).userId(), i % 2 == 0 ? "offline" : "online");
        }
        await().atMost(WAIT).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(listed(nodes.get(i), owner, room)).isEqualTo(expected);
                assertThat(view(watchers.get(i), room)).isEqualTo(expected); // checks contiguous seqs as well
            }
            assertThat(story(watchers.get(1), room)).isEqualTo(story(watchers.get(0), room));
            assertThat(story(watchers.get(2), room)).isEqualTo(story(watchers.get(0), room));
        });
        List<String> s = story(watchers.get(0), room);
        assertThat(s.stream().filter(x -> x.contains(" join ")).count()).as("one join per user: %s", s).isEqualTo(12);
        assertThat(s.stream().filter(x -> x.contains(" leave ")).count()).as("one leave per leaver: %s", s).isEqualTo(6);
    }

    @Test
    @DisplayName("Node death (T2, P5, P7): clients of a killed node resume on others with no leave/join; those that don't go offline at their deadline, exactly once with three expiry workers")
    void nodeDeath() {
        Node a = f.start();
        Node b = f.start();
        Node c = f.start();
        Node doomed = f.start();
        Guest owner = f.guest(a, "Owner");
        List<Guest> users = List.of(f.guest(doomed, "Moves to A"), f.guest(doomed, "Moves to B"),
                f.guest(doomed, "Never returns"), f.guest(c, "Stays on C"));
        String room = f.huddle(a, owner, users);
        WsClient watchA = f.connect(a, owner);
        WsClient watchB = f.connect(b, owner);
        long start = subscribe(watchA, room).path("seq").asLong();
        subscribe(watchB, room);

        List<String> tokens = new ArrayList<>();
        List<WsClient> onDoomed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WsClient ws = f.connect(doomed, users.get(i));
            tokens.add(join(ws, room, "tab-" + i).path("sessionToken").asText());
            onDoomed.add(ws);
        }
        WsClient onC = f.connect(c, users.get(3));
        join(onC, room, "tab-3");
        await().atMost(WAIT).until(() -> watchA.changes(room).size() == 4 && watchB.changes(room).size() == 4);

        f.kill(doomed);
        await().atMost(WAIT).until(() -> onDoomed.stream().allMatch(WsClient::isClosed));

        // 10 s later (deadlines are T0 + 25 s) two of them reconnect elsewhere and continue their sessions.
        clock.advance(10_000);
        JsonNode onA = join(f.connect(a, users.get(0)), room, "tab-0", "sessionToken", tokens.get(0));
        JsonNode onB = join(f.connect(b, users.get(1)), room, "tab-1", "sessionToken", tokens.get(1));
        assertThat(onA.path("resumed").asBoolean()).isTrue();
        assertThat(onB.path("resumed").asBoolean()).isTrue();
        join(onC, room, "tab-3"); // the survivor's own heartbeat on its live socket

        // Past the deadline of the one that never came back: every remaining worker wakes on the advance.
        long[] passes = f.nodes().stream().mapToLong(n -> n.server().presence().worker().passes()).toArray();
        clock.advance(16_000);
        await().atMost(WAIT).until(() -> watchA.changes(room).size() >= 5 && watchB.changes(room).size() >= 5);
        List<Node> alive = f.nodes();
        assertThat(alive).hasSize(3);
        for (int i = 0; i < alive.size(); i++) {
            long before = passes[i];
            Node n = alive.get(i);
            await().atMost(WAIT).until(() -> n.server().presence().worker().passes() >= before + 2);
        }
        List<String> expected = List.of(
                (start + 1) + " join " + users.get(0).userId(), (start + 2) + " join " + users.get(1).userId(),
                (start + 3) + " join " + users.get(2).userId(), (start + 4) + " join " + users.get(3).userId(),
                (start + 5) + " leave " + users.get(2).userId());
        assertThat(story(watchA, room)).containsExactlyElementsOf(expected);
        assertThat(story(watchB, room)).containsExactlyElementsOf(expected);
        JsonNode leave = watchA.changes(room).get(4).path("entry");
        assertThat(leave.path("lastDisconnected").asLong()).as("offline at its deadline").isEqualTo(TestServer.T0 + 25_000);
        Map<String, String> expectedList = new TreeMap<>(Map.of(users.get(0).userId(), "online",
                users.get(1).userId(), "online", users.get(2).userId(), "offline", users.get(3).userId(), "online"));
        for (Node n : alive) {
            assertThat(listed(n, owner, room)).isEqualTo(expectedList);
        }
    }

    @Test
    @DisplayName("P5, H7: presence_expiries_total summed over both nodes' /metrics equals the sessions that expired — each counted once in the cluster, whichever node's worker ended it")
    void expiriesCountedOnceAcrossNodes() {
        List<Node> nodes = List.of(f.start(), f.start());
        Guest owner = f.guest(nodes.get(0), "Owner");
        List<Guest> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            users.add(f.guest(nodes.get(i % 2), "User " + i));
        }
        String room = f.huddle(nodes.get(0), owner, users);
        WsClient watch = f.connect(nodes.get(1), owner);
        subscribe(watch, room);
        assertThat(expiries(nodes)).isZero();
        for (int i = 0; i < users.size(); i++) { // HTTP heartbeats, spread over both nodes: deadlines T0 + 25 s
            Guest g = users.get(i);
            Api.Response r = nodes.get(i % 2).api().post("/api/presence/heartbeat", g.token(),
                    Map.of("roomId", room, "userId", g.userId(), "sessionId", "tab-" + i, "interval", 10_000));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> watch.changes(room).size() == 6);

        long[] passes = nodes.stream().mapToLong(n -> n.server().presence().worker().passes()).toArray();
        clock.advance(25_001); // past every deadline: both nodes' workers wake and race for the sessions
        await().atMost(WAIT).until(() -> watch.changes(room).size() >= 12);
        for (int i = 0; i < nodes.size(); i++) {
            long before = passes[i];
            Node n = nodes.get(i);
            await().atMost(WAIT).until(() -> n.server().presence().worker().passes() >= before + 2);
        }
        List<String> s = story(watch, room);
        assertThat(s.stream().filter(x -> x.contains(" leave ")).count()).as("one leave per session: %s", s).isEqualTo(6);
        String split = nodes.stream().map(n -> n.api().metric("presence_expiries_total") + " on node " + n.index()).toList().toString();
        assertThat(expiries(nodes)).as("summed over the nodes (%s)", split).isEqualTo(6.0);
    }

    /** {@code presence_expiries_total} summed over {@code nodes}' {@code /metrics}. */
    private static double expiries(List<Node> nodes) {
        return nodes.stream().mapToDouble(n -> n.api().metric("presence_expiries_total")).sum();
    }

    @Test
    @DisplayName("Cluster: a node whose Redis subscription silently stops delivering detects it with its probe, resubscribes and catches up — its subscribers miss nothing")
    void deafSubscriptionIsRepaired() {
        Node a = f.start();
        Node b = f.start(Duration.ofMillis(300));
        Guest owner = f.guest(a, "Owner");
        List<Guest> users = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            users.add(f.guest(a, "User " + i));
        }
        String room = f.huddle(a, owner, users);
        WsClient watchB = f.connect(b, owner);
        subscribe(watchB, room);
        assertThat(b.api().get("/health", (String) null).status()).isEqualTo(200);

        Object deaf = Deafen.deafen(b.server().cluster().store());
        for (int i = 0; i < 4; i++) {
            join(f.connect(a, users.get(i)), room, "tab-" + i);
        }
        Map<String, String> expected = new TreeMap<>();
        users.forEach(u -> expected.put(u.userId(), "online"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(view(watchB, room)).isEqualTo(expected));
        assertThat(watchB.changes(room)).hasSize(4);
        assertThat(Deafen.connection(b.server().cluster().store())).isNotSameAs(deaf);
        await().atMost(WAIT).until(() -> b.api().get("/health", (String) null).status() == 200);
    }

    @Test
    @DisplayName("Cluster (S2): a subscriber that left node A resumes on node B with {epoch, seq} and gets exactly the changes made meanwhile through node C")
    void resumeAcrossNodes() {
        Node a = f.start();
        Node b = f.start();
        Node c = f.start();
        Guest owner = f.guest(a, "Owner");
        Guest ann = f.guest(c, "Ann");
        Guest bob = f.guest(c, "Bob");
        String room = f.huddle(a, owner, List.of(ann, bob));
        WsClient away = f.connect(a, owner);
        JsonNode snap = subscribe(away, room);
        away.close();

        WsClient annWs = f.connect(c, ann);
        join(annWs, room, "ann-tab");
        join(f.connect(c, bob), room, "bob-tab");
        annWs.send("type", "flags", "huddleId", room, "sessionId", "ann-tab", "isSpeaking", true);
        await().atMost(WAIT).until(() -> c.server().presence().snapshot(room).seq() == snap.path("seq").asLong() + 3);

        WsClient back = f.connect(b, owner);
        String rid = "resume-1";
        back.send("type", "subscribe", "requestId", rid, "huddle", room,
                "resume", Map.of("epoch", snap.path("epoch").asText(), "seq", snap.path("seq").asLong()));
        JsonNode reply = back.reply(rid);
        assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("resumed");
        long s0 = snap.path("seq").asLong();
        await().atMost(WAIT).until(() -> back.changes(room).size() == 3);
        assertThat(story(back, room)).containsExactly((s0 + 1) + " join " + ann.userId(),
                (s0 + 2) + " join " + bob.userId(), (s0 + 3) + " update " + ann.userId());
    }
}
