package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.SessionConflictException;
import dev.huddle.presence.testkit.ChangeRecorder;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P2 across slots, and tokens that route themselves. A session id's claim lives in the id's own slot,
 * apart from the room, so a new session takes three steps (pending, claim, activate): these tests race
 * them from two nodes, and leave behind exactly what a node that dies between two steps leaves, to show
 * that no id ever has two live sessions and no leftover blocks an id. Tokens carry their partition:
 * forged and tampered ones are refused like unknown ones. Run against one Redis server
 * ({@link RedisSessionIdsAndTokensTest}) and a Redis Cluster ({@link RedisClusterTest}).
 */
abstract class SessionIdsAndTokensSuite {
    private static final long INTERVAL = 10_000;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private RedisPresenceStore storeA;
    private RedisPresenceStore storeB;
    private Presence a;
    private Presence b;
    private final ChangeRecorder seen = new ChangeRecorder();

    /** A fresh key prefix. */
    protected abstract String newPrefix();

    /** A builder on the Redis under test (a shared client). */
    protected abstract RedisStoreBuilder storeOn();

    /** Plain commands on the Redis under test, to leave behind what a dying node leaves. */
    protected abstract RedisClusterCommands<String, String> raw();

    @BeforeEach
    void startTwoNodes() {
        String prefix = newPrefix();
        storeA = storeOn().prefix(prefix).merger(DataMerger.DEFAULT).build();
        storeB = storeOn().prefix(prefix).merger(DataMerger.DEFAULT).build();
        a = Presence.builder().store(storeA).clock(clock).startWorker(false).build();
        b = Presence.builder().store(storeB).clock(clock).startWorker(false).build();
        a.subscribe(seen);
    }

    @AfterEach
    void stopNodes() {
        a.close();
        b.close();
    }

    private record Seat(String room, String user) {
    }

    @Test
    @DisplayName("P2 race: one session id heartbeated from two nodes into three rooms for three users at once is never live twice")
    void oneSessionIdRacedFromManyRoomsAndUsers() throws Exception {
        List<Seat> seats = List.of(new Seat("room-1", "alice"), new Seat("room-2", "alice"), new Seat("room-1", "bob"),
                new Seat("room-3", "carol"));
        long seed = new Random().nextLong();
        String sid = "shared-tab";
        ExecutorService pool = Executors.newFixedThreadPool(seats.size());
        CountDownLatch start = new CountDownLatch(1);
        List<AtomicInteger> wins = new ArrayList<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < seats.size(); w++) {
            Seat mine = seats.get(w);
            Presence node = w % 2 == 0 ? a : b;
            Random rnd = new Random(seed + w);
            AtomicInteger won = new AtomicInteger();
            wins.add(won);
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 60; i++) {
                    HeartbeatResult hb;
                    try {
                        hb = node.heartbeat(mine.room(), mine.user(), sid, INTERVAL);
                    } catch (SessionConflictException e) {
                        continue;
                    }
                    won.incrementAndGet();
                    // While this seat holds the id nobody else can end or take it: every other seat must
                    // be empty, on both nodes.
                    for (Seat other : seats) {
                        for (Presence n : List.of(a, b)) {
                            boolean live = n.liveSessionToken(other.room(), other.user(), sid).isPresent();
                            assertThat(live).as("%s live while %s holds %s; seed %d", other, mine, sid, seed)
                                    .isEqualTo(other.equals(mine));
                        }
                    }
                    if (rnd.nextBoolean()) {
                        node.heartbeat(mine.room(), mine.user(), sid, INTERVAL); // a live heartbeat of the holder
                    }
                    assertThat(node.disconnect(hb.sessionToken())).as("the holder's disconnect; seed %d", seed).isTrue();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();

        int total = wins.stream().mapToInt(AtomicInteger::get).sum();
        assertThat(total).as("some heartbeat won; seed %d", seed).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> count(ChangeKind.LEAVE) == total);
        for (int w = 0; w < seats.size(); w++) {
            Seat s = seats.get(w);
            List<String> story = seen.story(s.room()).stream().filter(x -> x.endsWith(" " + s.user())).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < wins.get(w).get(); i++) {
                expected.add("join " + s.user());
                expected.add("leave " + s.user());
            }
            assertThat(story).as("%s: one join and one leave per win, alternating; seed %d", s, seed).isEqualTo(expected);
        }
        assertThat(raw().exists(storeA.keys().claimKey(sid))).as("every claim was released").isZero();
        assertThat(storeA.earliestDeadline()).as("no pending session is left behind").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    @DisplayName("P2: a claim left behind by a node that died before releasing it blocks nobody")
    void aClaimLeftBehindBlocksNobody() {
        HeartbeatResult first = a.heartbeat("room-1", "alice", "s1", INTERVAL);
        String claim = raw().get(storeA.keys().claimKey("s1"));
        assertThat(claim).contains("room-1").contains("alice");
        assertThat(a.disconnect(first.sessionToken())).isTrue();
        assertThat(raw().get(storeA.keys().claimKey("s1"))).as("released").isNull();

        raw().set(storeA.keys().claimKey("s1"), claim); // as if the node died between the room's script and the release
        HeartbeatResult bob = b.heartbeat("room-2", "bob", "s1", INTERVAL);
        assertThat(b.liveSessionToken("room-2", "bob", "s1")).contains(bob.sessionToken());
        assertThat(raw().get(storeA.keys().claimKey("s1"))).contains("room-2").contains("bob");
        assertThatThrownBy(() -> a.heartbeat("room-1", "alice", "s1", INTERVAL)).as("bob holds it now")
                .isInstanceOf(SessionConflictException.class);
    }

    @Test
    @DisplayName("P2: a stale claim of the same room and user is replaced too (a reconnecting tab after its node died)")
    void aClaimLeftBehindForTheSameSeatIsReplaced() {
        HeartbeatResult first = a.heartbeat("room-1", "alice", "s1", INTERVAL);
        String claim = raw().get(storeA.keys().claimKey("s1"));
        a.disconnect(first.sessionToken());
        raw().set(storeA.keys().claimKey("s1"), claim);
        HeartbeatResult again = b.heartbeat("room-1", "alice", "s1", INTERVAL);
        assertThat(again.sessionToken()).isNotEqualTo(first.sessionToken());
        assertThat(raw().get(storeA.keys().claimKey("s1"))).isNotEqualTo(claim);
        assertThat(b.disconnect(again.sessionToken())).isTrue();
        assertThat(raw().get(storeA.keys().claimKey("s1"))).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.room("room-1").size() == 4);
        assertThat(seen.story("room-1")).containsExactly("join alice", "leave alice", "join alice", "leave alice");
    }

    @Test
    @DisplayName("P2: a node that died after claiming an id, before its session went live, blocks nobody and leaves no ghost")
    void aNodeThatDiedAfterClaimingBlocksNobody() {
        long now = clock.millis();
        storeA.heartbeats().beginWithoutActivating("room-1", "alice", "s1", now, Presence.deadline(now, INTERVAL), true);
        assertThat(a.listRoom("room-1", false, 10)).as("a pending session is invisible").isEmpty();
        assertThat(a.liveSessionToken("room-1", "alice", "s1")).isEmpty();
        assertThat(raw().get(storeA.keys().claimKey("s1"))).contains("room-1");

        HeartbeatResult bob = b.heartbeat("room-2", "bob", "s1", INTERVAL);
        assertThat(b.listRoom("room-2", true, 10)).extracting(Entry::userId).containsExactly("bob");
        // The dead node's pending session was removed when bob's claim replaced its claim: it can never go live.
        assertThat(a.listRoom("room-1", false, 10)).isEmpty();
        assertThat(a.updateSession("room-1", "alice", "s1", Map.of())).isFalse();

        b.disconnect(bob.sessionToken());
        a.heartbeat("room-1", "alice", "s1", INTERVAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.all().size() == 3);
        assertThat(seen.story("room-2")).containsExactly("join bob", "leave bob");
        assertThat(seen.story("room-1")).containsExactly("join alice");
    }

    @Test
    @DisplayName("P2: the same tab resuming on another node adopts the session a dead node left pending: one join")
    void theSameSeatAdoptsAPendingSession() {
        long now = clock.millis();
        storeA.heartbeats().beginWithoutActivating("room-1", "alice", "s1", now, Presence.deadline(now, INTERVAL), true);
        HeartbeatResult hb = b.heartbeat("room-1", "alice", "s1", INTERVAL);
        assertThat(b.liveSessionToken("room-1", "alice", "s1")).contains(hb.sessionToken());
        assertThat(a.heartbeat("room-1", "alice", "s1", INTERVAL).sessionToken()).isEqualTo(hb.sessionToken());
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.all().size() == 1);
        assertThat(seen.story("room-1")).containsExactly("join alice");
        assertThatThrownBy(() -> b.heartbeat("room-2", "alice", "s1", INTERVAL)).isInstanceOf(SessionConflictException.class);
    }

    @Test
    @DisplayName("P2: a node that died before claiming leaves a pending session that expiry reclaims silently")
    void aPendingSessionIsReclaimedSilently() {
        long now = clock.millis();
        long deadline = Presence.deadline(now, INTERVAL);
        storeA.heartbeats().beginWithoutActivating("room-1", "alice", "s1", now, deadline, false);
        assertThat(raw().get(storeA.keys().claimKey("s1"))).isNull();
        long reclaimAt = storeA.earliestDeadline();
        assertThat(reclaimAt).isEqualTo(deadline + Heartbeats.PENDING_GRACE_MS);

        HeartbeatResult elsewhere = b.heartbeat("room-2", "bob", "s1", INTERVAL); // nothing blocks the id meanwhile
        b.disconnect(elsewhere.sessionToken());
        clock.advance(reclaimAt - now - 1);
        a.expireDue();
        assertThat(storeA.earliestDeadline()).isEqualTo(reclaimAt);
        clock.advance(1);
        a.expireDue();
        assertThat(storeA.earliestDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(raw().hlen(storeA.keys().roomKey(storeA.keys().partition("room-1"), "ses", "room-1"))).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.all().size() == 2);
        assertThat(seen.story("room-1")).isEmpty();
    }

    @Test
    @DisplayName("P4, P6, P8: tokens name their partition; forged or tampered ones are refused like unknown ones, changing nothing")
    void forgedAndTamperedTokensAreRefused() {
        HeartbeatResult alice = a.heartbeat("room-1", "alice", "s1", INTERVAL);
        b.heartbeat("room-1", "bob", "s2", INTERVAL);
        for (String t : List.of(alice.roomToken(), alice.sessionToken())) {
            assertThat(t).matches("(0|[1-9][0-9]*)-[A-Za-z0-9_-]{22}");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.all().size() == 2);
        List<Entry> before = a.listRoom("room-1", false, 100);
        List<Change> changesBefore = seen.all();

        List<String> forged = new ArrayList<>();
        for (String t : List.of(alice.sessionToken(), alice.roomToken())) {
            int dash = t.indexOf('-');
            int p = Integer.parseInt(t.substring(0, dash));
            String random = t.substring(dash + 1);
            forged.add(((p + 1) % RedisPresenceStore.DEFAULT_PARTITIONS) + "-" + random); // another partition
            forged.add(p + "-" + flip(random));                                           // another random part
            forged.add(random);                                                            // no partition
            forged.add("0" + p + "-" + random);                                           // not canonical
            forged.add("99999-" + random);                                                 // no such partition
            forged.add("-" + random);
            forged.add(p + "-");
            forged.add(p + "-" + random + "x");
            forged.add("{" + p + "}-" + random);                                           // a hash tag
            forged.add("x".repeat(256));
            forged.add(p + "-ünïcödé-" + random);
        }
        forged.add(alice.roomToken());     // a room token is no session token,
        for (String t : forged) {
            assertThatCode(() -> assertThat(a.disconnect(t)).as("disconnect %s", t).isFalse()).doesNotThrowAnyException();
            assertThatCode(() -> assertThat(b.disconnect(t, 1_500)).as("disconnect %s", t).isFalse()).doesNotThrowAnyException();
        }
        forged.remove(alice.roomToken());
        forged.add(alice.sessionToken());  // and a session token no room token
        for (String t : forged) {
            assertThatCode(() -> assertThat(a.list(t)).as("list %s", t).isEmpty()).doesNotThrowAnyException();
        }
        assertThat(a.listRoom("room-1", false, 100)).isEqualTo(before);
        assertThat(a.list(alice.roomToken())).isEqualTo(before);
        clock.advance(INTERVAL);
        a.expireDue();
        assertThat(seen.all()).isEqualTo(changesBefore);
        assertThat(a.disconnect(alice.sessionToken())).isTrue();
    }

    @Test
    @DisplayName("P2: a claim lives until its session's deadline plus a grace, live heartbeats extend it, and one left unreleased goes away by itself")
    void aClaimHasABoundedLifetime() {
        long grace = RedisPresenceStore.DEFAULT_CLAIM_GRACE.toMillis();
        a.heartbeat("room-1", "alice", "s1", INTERVAL);
        long deadlineIn = Presence.deadline(clock.millis(), INTERVAL) - clock.millis();
        String key = storeA.keys().claimKey("s1");
        assertThat(raw().pttl(key)).as("a new claim's lifetime").isBetween(deadlineIn + grace - 5_000, deadlineIn + grace);

        raw().pexpire(key, 1_000); // as if the claim were about to run out
        b.heartbeat("room-1", "alice", "s1", INTERVAL); // a live heartbeat, on the other node
        await().atMost(Duration.ofSeconds(5)).until(() -> raw().pttl(key) > deadlineIn + grace - 5_000);

        // a short grace, so that a claim whose release was lost (its node died) visibly runs out
        try (RedisPresenceStore shortGrace = storeOn().prefix(storeA.prefix()).claimGrace(Duration.ofMillis(300)).build()) {
            long now = clock.millis();
            HeartbeatResult hb = shortGrace.heartbeat("room-2", "bob", "s2", now, now + 200, null, () -> java.util.UUID.randomUUID().toString());
            String key2 = shortGrace.keys().claimKey("s2");
            String claim = raw().get(key2);
            long left = raw().pttl(key2);
            assertThat(left).isBetween(1L, 500L);
            assertThat(shortGrace.disconnect(hb.sessionToken(), now, now)).isTrue();
            assertThat(raw().exists(key2)).as("released").isZero();
            raw().psetex(key2, left, claim); // what a node that died before the release leaves behind
            await().atMost(Duration.ofSeconds(5)).until(() -> raw().exists(key2) == 0);
        }
    }

    @Test
    @DisplayName("P2: a claim lost while its session is live (a failover) is re-asserted by the session's next heartbeat")
    void aLostClaimIsReassertedByTheNextHeartbeat() {
        a.heartbeat("room-1", "alice", "s1", INTERVAL);
        String key = storeA.keys().claimKey("s1");
        String claim = raw().get(key);
        raw().del(key); // the claim's master failed over and its replica had not received it
        b.heartbeat("room-1", "alice", "s1", INTERVAL);
        await().atMost(Duration.ofSeconds(5)).until(() -> claim.equals(raw().get(key)));
        assertThat(raw().pttl(key)).isPositive();
        assertThatThrownBy(() -> b.heartbeat("room-2", "bob", "s1", INTERVAL)).isInstanceOf(SessionConflictException.class);
        assertThat(b.listRoom("room-2", false, 10)).isEmpty();
    }

    @Test
    @DisplayName("P2: expiry releases the claims of every session it ended in one batch")
    void expiryReleasesTheClaimsOfABatch() {
        for (int i = 0; i < 12; i++) {
            a.heartbeat("room-" + (i % 4), "user-" + i, "tab-" + i, INTERVAL);
        }
        for (int i = 0; i < 12; i++) {
            assertThat(raw().exists(storeA.keys().claimKey("tab-" + i))).isOne();
        }
        clock.advance(Presence.deadline(0, INTERVAL));
        assertThat(storeB.expire(clock.millis(), 100)).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            assertThat(raw().exists(storeA.keys().claimKey("tab-" + i))).as("claim of tab-%d", i).isZero();
        }
    }

    private static String flip(String s) {
        char c = s.charAt(5);
        return s.substring(0, 5) + (c == 'A' ? 'B' : 'A') + s.substring(6);
    }

    private long count(ChangeKind kind) {
        return seen.all().stream().filter(c -> c.kind() == kind).count();
    }
}
