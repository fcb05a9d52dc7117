package dev.huddle.server.live;

import static dev.huddle.server.support.LiveFixture.assertGapless;
import static dev.huddle.server.support.LiveFixture.story;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.Presence;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two or three real WebSocket clients in one room: joins, flags, leaves, reconnects, silence (S1, T1–T3). */
class LiveRoomTest {
    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    String room;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s.withPingIntervalMs(100));
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        room = f.huddle(ann, bob).get("id").asText();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    @DisplayName("S1/S3: two clients see each other's join, flag changes and leave, in seq order without gaps")
    void twoClientsSeeEachOther() {
        WsClient a = f.connect(ann);
        WsClient b = f.connect(bob);
        JsonNode snapA = f.subscribe(a, room);
        assertThat(snapA.path("type").asText()).isEqualTo("snapshot");
        long base = snapA.path("seq").asLong();
        f.subscribe(b, room);

        f.join(a, room, "ann-tab");
        f.join(b, room, "bob-tab");
        a.send("type", "flags", "huddleId", room, "sessionId", "ann-tab", "isSpeaking", true);
        b.await(m -> "change".equals(m.path("type").asText()) && m.path("entry").path("data").path("isSpeaking").asBoolean());
        b.send("type", "flags", "huddleId", room, "sessionId", "bob-tab", "isRecording", true);
        a.await(m -> "change".equals(m.path("type").asText()) && m.path("entry").path("data").path("isRecording").asBoolean());
        b.send("type", "leave", "requestId", "bye", "huddleId", room, "sessionId", "bob-tab");
        assertThat(b.reply("bye").path("type").asText()).isEqualTo("left");

        await().atMost(Duration.ofSeconds(10)).until(() -> story(a.changes(room)).contains("leave " + bob.userId()));
        List<JsonNode> seenByA = a.changes(room);
        assertGapless(seenByA, base);
        assertThat(story(seenByA)).containsSubsequence("join " + ann.userId(), "join " + bob.userId(),
                "update " + ann.userId(), "update " + bob.userId(), "leave " + bob.userId());
        // S3: a change carries the one entry.
        JsonNode leave = seenByA.get(seenByA.size() - 1);
        assertThat(leave.path("entry").path("online").asBoolean()).isFalse();
        assertThat(leave.path("entry").path("data").path("displayName").asText()).isEqualTo("Bob");
        await().atMost(Duration.ofSeconds(10)).until(() -> story(b.changes(room)).contains("leave " + bob.userId()));
        assertGapless(b.changes(room), base);
        assertThat(story(b.changes(room))).isEqualTo(story(seenByA));
    }

    @Test
    @DisplayName("S3: a burst of 60 changes reaches a subscriber as the first changes alone and the rest in a few batches, in seq order without gaps")
    void burstIsBatched() {
        WsClient a = f.connect(ann);
        long base = f.subscribe(a, room).path("seq").asLong();
        Presence presence = f.t.server.presence();
        for (int i = 0; i < 60; i++) {
            presence.heartbeat(room, "burst-user-" + i, "tab-" + i, 10_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.changes(room).size() == 60);
        assertGapless(a.changes(room), base);
        List<JsonNode> frames = a.frames().stream().filter(m -> m.path("type").asText().startsWith("change")).toList();
        // The first changes go out alone and at once (an ordinary room never waits); the burst is batched.
        assertThat(frames.subList(0, Pacer.BURST)).allSatisfy(m -> assertThat(m.path("type").asText()).isEqualTo("change"));
        assertThat(frames).anySatisfy(m -> assertThat(m.path("changes").size()).isGreaterThan(1));
        assertThat(frames.size()).isLessThan(30);
        assertThat(story(a.changes(room))).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 60).mapToObj(i -> "join burst-user-" + i).toList());
    }

    @Test
    @DisplayName("T2: a socket cut without goodbye and a reconnect with the session token before the deadline: no leave, no join, one entry")
    void reconnectContinuesTheSession() {
        WsClient watcher = f.connect(bob);
        long base = f.subscribe(watcher, room).path("seq").asLong();
        WsClient a = f.connect(ann);
        JsonNode joined = f.join(a, room, "ann-tab");
        String token = joined.path("sessionToken").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);

        a.abort();
        f.clock().advance(5_000);
        WsClient again = f.connect(ann);
        JsonNode rejoined = f.join(again, room, "ann-tab", "sessionToken", token);
        assertThat(rejoined.path("sessionToken").asText()).isEqualTo(token);
        assertThat(rejoined.path("resumed").asBoolean()).isTrue();

        // The old deadline (T0 + 25 s) passes: the session lives on, refreshed by the new socket's join.
        f.clock().advance(21_000);
        again.send("type", "flags", "huddleId", room, "sessionId", "ann-tab", "isSpeaking", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 2);
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId(), "update " + ann.userId());
        assertGapless(watcher.changes(room), base);
        List<JsonNode> list = f.serverList(ann, room);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("online").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("T1/T2: a client that goes silent is shown offline at its deadline; the others see exactly one leave")
    void silentClientLeavesAtItsDeadline() {
        WsClient watcher = f.connect(bob);
        long base = f.subscribe(watcher, room).path("seq").asLong();
        WsClient a = f.connect(ann);
        f.join(a, room, "ann-tab");
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);
        a.abort();
        await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().openSockets() == 1);

        long deadline = TestServer_T0() + Presence.deadline(0, 10_000);
        f.clock().advanceTo(deadline - 1);
        assertThat(f.serverList(bob, room).get(0).path("online").asBoolean()).isTrue();
        f.clock().advanceTo(deadline + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 2);
        f.clock().advance(60_000);
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId(), "leave " + ann.userId());
        assertGapless(watcher.changes(room), base);
        JsonNode entry = f.serverList(bob, room).get(0);
        assertThat(entry.path("online").asBoolean()).isFalse();
        assertThat(entry.path("lastDisconnected").asLong()).isEqualTo(deadline);
        // Nothing more arrives later: exactly one leave.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> watcher.changes(room).size() == 2);
    }

    @Test
    @DisplayName("T1: a client whose socket stays open but that stops reading and answering pings is offline at its deadline")
    void clientThatStopsReadingLeavesAtItsDeadline() throws Exception {
        WsClient watcher = f.connect(bob);
        long base = f.subscribe(watcher, room).path("seq").asLong();
        try (RawWsClient frozen = new RawWsClient(f.t.server.socketPort(), ann.token(), 4_096)) {
            frozen.sendText("{\"type\":\"join\",\"huddleId\":\"" + room + "\",\"sessionId\":\"ann-tab\",\"interval\":1000}");
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);
            // Pings go unanswered; the engine's clock passes the deadline (T0 + 2.5 s) in steps.
            for (int step = 0; step < 6; step++) {
                f.clock().advance(500);
                long pongs = f.t.server.live().pongsReceived();
                await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().pongsReceived() >= pongs + 2);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 2);
            assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId(), "leave " + ann.userId());
            assertGapless(watcher.changes(room), base);
            assertThat(f.serverList(bob, room).get(0).path("lastDisconnected").asLong())
                    .isEqualTo(dev.huddle.server.support.TestServer.T0 + 2_500);
            assertThat(f.t.server.live().openSockets()).as("the frozen socket is still open").isEqualTo(2);
        }
    }

    @Test
    @DisplayName("T1: a client that answers pings but sends no messages for 3x its interval stays online (background tab)")
    void pongsKeepABackgroundTabOnline() {
        WsClient watcher = f.connect(bob);
        f.subscribe(watcher, room);
        WsClient a = f.connect(ann);
        f.join(a, room, "ann-tab", "interval", 1_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);

        // 3 × the interval in steps of 500 ms; after each step wait until the server has seen a pong.
        for (int step = 0; step < 8; step++) {
            f.clock().advance(500);
            long pongs = f.t.server.live().pongsReceived();
            await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().pongsReceived() >= pongs + 2);
        }
        f.t.server.presence().expireDue();
        assertThat(f.serverList(bob, room).get(0).path("online").asBoolean()).isTrue();
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId());
    }

    @Test
    @DisplayName("S1: sockets subscribing to and unsubscribing from one room at once, emptying it now and then, leave exactly the subscribed ones registered, and each gets the next change")
    void subscriptionsComingAndGoingAtOnce() throws Exception {
        List<WsClient> sockets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sockets.add(f.connect(i % 2 == 0 ? ann : bob));
        }
        ExecutorService pool = Executors.newFixedThreadPool(sockets.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i++) {
                WsClient c = sockets.get(i);
                boolean staysSubscribed = i < 4;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 40; round++) {
                        assertThat(f.subscribe(c, room).path("type").asText()).isEqualTo("snapshot");
                        if (round < 39 || !staysSubscribed) {
                            String rid = "unsub-" + round;
                            c.send("type", "unsubscribe", "requestId", rid, "huddle", room);
                            assertThat(c.reply(rid).path("type").asText()).isEqualTo("unsubscribed");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> d : done) {
                d.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(f.t.server.live().subscribers(room)).isEqualTo(4);

        f.join(sockets.get(0), room, "ann-tab");
        for (WsClient c : sockets.subList(0, 4)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> story(c.changes(room)).contains("join " + ann.userId()));
        }
    }

    private static long TestServer_T0() {
        return dev.huddle.server.support.TestServer.T0;
    }
}
