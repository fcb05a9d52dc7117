package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.testkit.ChangeRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two store instances on one key prefix are two server nodes sharing one presence: each sees the
 * other's changes in seq order exactly once, expiry run on both at once ends each session once, a
 * resume (changesSince) works against either, and a subscription that goes deaf is repaired. Run
 * against one Redis server ({@link RedisTwoNodesTest}) and a Redis Cluster ({@link RedisClusterTest}).
 */
abstract class TwoNodesSuite {
    protected static final long INTERVAL = 10_000;
    protected static final long TTL = 25_000;
    protected final ManualClock clock = new ManualClock(1_700_000_000_000L);
    protected Presence a;
    protected Presence b;
    protected RedisPresenceStore storeB;
    protected final ChangeRecorder seenByA = new ChangeRecorder();
    protected final ChangeRecorder seenByB = new ChangeRecorder();

    /** A fresh key prefix (the caller deletes its keys afterwards, or the whole Redis goes). */
    protected abstract String newPrefix();

    /** A builder on the Redis under test (a shared client); the suite sets the rest. */
    protected abstract RedisStoreBuilder storeOn();

    protected RedisPresenceStore newStore(String prefix) {
        return storeOn().prefix(prefix).merger(DataMerger.DEFAULT).changeLogCapacity(1_024).build();
    }

    @BeforeEach
    void startTwoNodes() {
        String prefix = newPrefix();
        a = Presence.builder().store(newStore(prefix)).clock(clock).startWorker(false).build();
        storeB = newStore(prefix);
        b = Presence.builder().store(storeB).clock(clock).startWorker(false).build();
        a.subscribe(seenByA);
        b.subscribe(seenByB);
    }

    @AfterEach
    void stopNodes() {
        a.close();
        b.close();
    }

    @Test
    @DisplayName("Changes made through A reach B's listeners, and B's reach A's: in seq order, exactly once")
    void changesCrossNodesInOrderExactlyOnce() throws Exception {
        long seed = new Random().nextLong();
        List<String> rooms = List.of("huddle-1", "huddle-2", "huddle-3");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            Presence node = w % 2 == 0 ? a : b;
            Random rnd = new Random(seed + w);
            int worker = w;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 300; i++) {
                    String room = rooms.get(rnd.nextInt(rooms.size()));
                    String user = "u" + rnd.nextInt(4);
                    String session = room + "/" + user + "/" + worker;
                    int op = rnd.nextInt(10);
                    if (op < 5) {
                        node.heartbeat(room, user, session, INTERVAL, Map.of("speaking", String.valueOf(rnd.nextBoolean())));
                    } else if (op < 7) {
                        node.updateSession(room, user, session, Map.of("recording", String.valueOf(rnd.nextBoolean())));
                    } else {
                        node.liveSessionToken(room, user, session).ifPresent(t -> node.disconnect(t));
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();

        String context = "seed " + seed;
        for (String room : rooms) {
            long top = a.snapshot(room).seq();
            assertThat(top).as("room %s had changes; %s", room, context).isPositive();
            await().atMost(Duration.ofSeconds(10)).until(() -> seenByA.room(room).size() >= top && seenByB.room(room).size() >= top);
            List<Change> onA = seenByA.room(room);
            List<Change> onB = seenByB.room(room);
            for (int i = 0; i < onB.size(); i++) {
                assertThat(onB.get(i).seq()).as("B sees %s in seq order exactly once; %s", room, context).isEqualTo(i + 1);
                assertThat(onA.get(i).seq()).as("A sees %s in seq order exactly once; %s", room, context).isEqualTo(i + 1);
            }
            assertThat(onB).as("both nodes see the same story of %s; %s", room, context).isEqualTo(onA);
            assertThat(onB).hasSize((int) top);
            assertThat(b.listRoom(room, false, 100)).isEqualTo(a.listRoom(room, false, 100));
            assertThat(a.changesSince(room, a.snapshot(room).epoch(), 0)).hasValue(onA);
        }
    }

    @Test
    @DisplayName("Expiry run on both nodes at once ends each session exactly once (one leave per user)")
    void expiryOnBothNodesEndsEachSessionOnce() throws Exception {
        int users = 150;
        for (int i = 0; i < users; i++) {
            Presence node = i % 2 == 0 ? a : b;
            node.heartbeat("room-" + i % 5, "u" + i, "s" + i, INTERVAL);
            node.heartbeat("room-" + i % 5, "u" + i, "s" + i + "-tab2", INTERVAL);
        }
        clock.advance(TTL);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> passes = new ArrayList<>();
        for (Presence node : List.of(a, b, a, b)) {
            passes.add(pool.submit(() -> {
                start.await();
                return node.expireDue();
            }));
        }
        start.countDown();
        for (Future<Integer> f : passes) {
            f.get();
        }
        pool.shutdown();

        for (int r = 0; r < 5; r++) {
            assertThat(a.listRoom("room-" + r, true, 1_000)).isEmpty();
        }
        for (ChangeRecorder seen : List.of(seenByA, seenByB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> countLeaves(seen) >= users);
            for (int i = 0; i < users; i++) {
                assertThat(seen.count("room-" + i % 5, "u" + i, ChangeKind.LEAVE)).as("leaves of u%d", i).isEqualTo(1);
                assertThat(seen.count("room-" + i % 5, "u" + i, ChangeKind.JOIN)).as("joins of u%d", i).isEqualTo(1);
            }
        }
        for (int r = 0; r < 5; r++) {
            for (Entry e : b.listRoom("room-" + r, false, 1_000)) {
                assertThat(e.lastDisconnected()).isEqualTo(clock.millis());
            }
        }
        assertThat(a.expireDue()).isZero();
        assertThat(b.expireDue()).isZero();
    }

    @Test
    @DisplayName("Resume across nodes: a snapshot from A, changes through B, changesSince on either gives exactly the missed ones")
    void changesSinceWorksAcrossNodes() {
        RoomSnapshot snap = a.snapshot("r");
        HeartbeatResult alice = b.heartbeat("r", "alice", "s1", INTERVAL);
        b.heartbeat("r", "bob", "s2", INTERVAL);
        a.updateRoomUser("r", "bob", Map.of("displayName", "Bob"));
        b.disconnect(alice.sessionToken());

        assertThat(b.snapshot("r").epoch()).isEqualTo(snap.epoch());
        for (Presence node : List.of(a, b)) {
            assertThat(node.changesSince("r", snap.epoch(), snap.seq())).hasValueSatisfying(list -> {
                assertThat(list.stream().map(c -> c.kind() + " " + c.entry().userId()))
                        .containsExactly("JOIN alice", "JOIN bob", "UPDATE bob", "LEAVE alice");
                assertThat(list.stream().map(Change::seq)).containsExactly(1L, 2L, 3L, 4L);
            });
            assertThat(node.changesSince("r", snap.epoch(), 3)).hasValueSatisfying(list -> assertThat(list).hasSize(1));
            assertThat(node.changesSince("r", "another-epoch", 3)).isEmpty();
        }
        assertThat(a.list(alice.roomToken())).extracting(Entry::userId).containsExactly("bob", "alice");
    }

    @Test
    @DisplayName("A subscription that silently stops delivering is detected by the probe and repaired, missing nothing")
    void aDeafSubscriptionIsDetectedAndRepaired() {
        RedisPresenceStore c = storeOn().prefix(storeB.prefix()).probeInterval(Duration.ofMillis(200))
                .timeout(Duration.ofSeconds(1)).build();
        ChangeRecorder seenByC = new ChangeRecorder();
        c.addListener(seenByC);
        try {
            a.heartbeat("r", "u0", "s0", INTERVAL);
            await().atMost(Duration.ofSeconds(10)).until(() -> seenByC.room("r").size() == 1);
            assertThat(c.health().probeSubscription(Duration.ofSeconds(2))).isTrue();

            // Deaf but connected: the connection stays up and answers, it just no longer delivers.
            var deaf = c.subscription().connection();
            deaf.sync().unsubscribe();
            for (int i = 1; i <= 10; i++) {
                a.heartbeat("r", "u" + i, "s" + i, INTERVAL);
            }
            // No further change of the room comes: only the probe can notice, and the catch-up repair.
            await().atMost(Duration.ofSeconds(10)).until(() -> seenByC.room("r").size() >= 11);
            assertThat(c.subscription().connection()).isNotSameAs(deaf);
            assertThat(seenByC.room("r")).isEqualTo(seenByA.room("r"));
            await().atMost(Duration.ofSeconds(5)).until(c.health()::subscriptionHealthy);
            assertThat(c.health().ping()).isTrue();
        } finally {
            c.close();
        }
    }

    @Test
    @DisplayName("Real time: both nodes' expiry workers running, each expired session ends once, at its deadline")
    void bothWorkersRunningInRealTime() {
        String prefix = newPrefix();
        ChangeRecorder seen = new ChangeRecorder();
        try (Presence x = Presence.builder().store(newStore(prefix)).build();
                Presence y = Presence.builder().store(newStore(prefix)).build()) {
            x.subscribe(seen);
            List<Long> deadlines = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Presence node = i % 2 == 0 ? x : y;
                deadlines.add(node.heartbeat("rt", "u" + i, "s" + i, 1_000).deadline());
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> x.listRoom("rt", true, 100).isEmpty()
                    && countLeaves(seen) >= 40);
            for (int i = 0; i < 40; i++) {
                assertThat(seen.count("rt", "u" + i, ChangeKind.LEAVE)).as("leaves of u%d", i).isEqualTo(1);
            }
            for (Entry e : y.listRoom("rt", false, 100)) {
                assertThat(e.lastDisconnected()).isEqualTo(deadlines.get(Integer.parseInt(e.userId().substring(1))));
            }
        }
    }

    protected static long countLeaves(ChangeRecorder seen) {
        return seen.all().stream().filter(c -> c.kind() == ChangeKind.LEAVE).count();
    }
}
