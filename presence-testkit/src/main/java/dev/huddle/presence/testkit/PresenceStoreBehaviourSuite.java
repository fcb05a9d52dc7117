package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.InvalidArgumentException;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.SessionConflictException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link PresenceStore} must show, rule by rule (docs/design.md P1–P12, T3, S1, S2).
 * A store's test module extends this class and says how to build a fresh, empty store.
 *
 * <p>Longer than our ~500-line rule on purpose: it is a list of one short test per rule, and keeping
 * them in one class is what lets every store run exactly the same list (in memory, Redis, Redis
 * Cluster) from a one-line subclass.
 */
public abstract class PresenceStoreBehaviourSuite {
    protected static final long T0 = 1_700_000_000_000L;
    protected static final long INTERVAL = 10_000;
    protected static final long TTL = 25_000;
    protected static final int LOG_CAPACITY = 8;

    protected ManualClock clock;
    protected Presence presence;
    protected ChangeRecorder changes;

    /** Builds a fresh, empty store that keeps {@code changeLogCapacity} changes per room. */
    protected abstract PresenceStore newStore(DataMerger merger, int changeLogCapacity);

    protected PresenceStore store;

    @BeforeEach
    void startEngine() {
        clock = new ManualClock(T0);
        store = newStore(DataMerger.DEFAULT, LOG_CAPACITY);
        presence = Presence.builder().store(store).clock(clock).startWorker(false).build();
        changes = new ChangeRecorder();
        presence.subscribe(changes);
    }

    @AfterEach
    void stopEngine() {
        presence.close();
    }

    private HeartbeatResult beat(String room, String user, String session) {
        return presence.heartbeat(room, user, session, INTERVAL);
    }

    private Entry entry(String room, String user) {
        return presence.listRoom(room, false, 1000).stream().filter(e -> e.userId().equals(user)).findFirst().orElse(null);
    }

    // ---- P1, P3, P4 ----------------------------------------------------------------------------

    @Test
    @DisplayName("P1: the deadline is now + 2.5 × interval")
    void p1_deadlineIsTwoAndAHalfIntervals() {
        assertThat(beat("r", "alice", "s1").deadline()).isEqualTo(T0 + 25_000);
        assertThat(presence.heartbeat("r", "alice", "s1", 1_000).deadline()).isEqualTo(T0 + 2_500);
    }

    @Test
    @DisplayName("P3: the first live session marks the user online and emits one join; repeats emit nothing")
    void p3_firstHeartbeatJoinsAndRepeatsAreSilent() {
        beat("r", "alice", "s1");
        assertThat(changes.story("r")).containsExactly("join alice");
        Change join = changes.all().get(0);
        assertThat(join.entry().online()).isTrue();
        assertThat(join.entry().lastDisconnected()).isZero();

        clock.advance(5_000);
        beat("r", "alice", "s1");
        beat("r", "alice", "s1");
        assertThat(changes.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("P3: a heartbeat that only moves a deadline later emits nothing and never makes expiry due sooner")
    void p3_liveHeartbeatIsQuiet() {
        beat("r", "alice", "s1");
        clock.advance(1_000);
        HeartbeatResult again = beat("r", "alice", "s1");
        assertThat(changes.size()).isEqualTo(1);
        assertThat(store.earliestDeadline()).isBetween(T0 + TTL, again.deadline());
        clock.advance(TTL - 1);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).isTrue();
    }

    @Test
    @DisplayName("P4: tokens are URL-safe, ≥128 bits, stable for the room and for the session")
    void p4_tokensAreStableAndUrlSafe() {
        HeartbeatResult a1 = beat("r", "alice", "s1");
        HeartbeatResult a2 = beat("r", "alice", "s1");
        HeartbeatResult b = beat("r", "bob", "s2");
        assertThat(a2.roomToken()).isEqualTo(a1.roomToken()).isEqualTo(b.roomToken());
        assertThat(a2.sessionToken()).isEqualTo(a1.sessionToken()).isNotEqualTo(b.sessionToken());
        assertThat(a1.roomToken()).isNotEqualTo(a1.sessionToken());
        for (String token : List.of(a1.roomToken(), a1.sessionToken(), b.sessionToken())) {
            assertThat(token).matches("[A-Za-z0-9_-]{22,}");
        }
        assertThat(beat("other", "alice", "s3").roomToken()).isNotEqualTo(a1.roomToken());
    }

    // ---- P2 ------------------------------------------------------------------------------------

    @Test
    @DisplayName("P2: a session id reused for another room or user fails and changes nothing")
    void p2_sessionIdBelongsToOneRoomAndUser() {
        HeartbeatResult first = beat("r", "alice", "s1");
        List<Entry> before = presence.listRoom("r", false, 100);
        int events = changes.size();

        assertThatThrownBy(() -> beat("r2", "alice", "s1")).isInstanceOf(SessionConflictException.class)
                .hasMessageContaining("s1");
        assertThatThrownBy(() -> beat("r", "bob", "s1")).isInstanceOf(SessionConflictException.class);

        assertThat(changes.size()).isEqualTo(events);
        assertThat(presence.listRoom("r", false, 100)).isEqualTo(before);
        assertThat(presence.listRoom("r2", false, 100)).isEmpty();
        assertThat(presence.listUser("bob", false, 100)).isEmpty();
        assertThat(beat("r", "alice", "s1").sessionToken()).isEqualTo(first.sessionToken());
    }

    @Test
    @DisplayName("P2: once a session has ended its id may start a session elsewhere")
    void p2_endedSessionIdIsFree() {
        HeartbeatResult first = beat("r", "alice", "s1");
        presence.disconnect(first.sessionToken());
        beat("r2", "bob", "s1");
        assertThat(entry("r2", "bob").online()).isTrue();
    }

    // ---- P5 ------------------------------------------------------------------------------------

    @Test
    @DisplayName("P5, P7: a session with no heartbeats goes offline at its deadline with lastDisconnected set")
    void p5_sessionWithoutHeartbeatsExpiresAtDeadline() {
        beat("r", "alice", "s1");
        clock.advance(TTL - 1);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).isTrue();

        clock.advance(1);
        presence.expireDue();
        Entry alice = entry("r", "alice");
        assertThat(alice.online()).isFalse();
        assertThat(alice.lastDisconnected()).isEqualTo(T0 + TTL);
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");
    }

    @Test
    @DisplayName("P5: the worker thread wakes for the earliest deadline and acts on it (fake clock)")
    void p5_workerThreadActsAtTheDeadline() {
        presence.close();
        store = newStore(DataMerger.DEFAULT, LOG_CAPACITY);
        presence = Presence.builder().store(store).clock(clock).build();
        presence.subscribe(changes);
        beat("r", "alice", "s1");

        long passes = presence.worker().passes();
        clock.advance(TTL - 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > passes);
        assertThat(entry("r", "alice").online()).isTrue();

        clock.advance(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !entry("r", "alice").online());
        // The fake clock stood still at the deadline while the worker acted: the leave is stamped exactly then.
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(T0 + TTL);
        assertThat(changes.count("r", "alice", ChangeKind.LEAVE)).isEqualTo(1);
    }

    @Test
    @DisplayName("P5: heartbeats keep a session alive past its first deadline")
    void p5_heartbeatsKeepSessionAlive() {
        beat("r", "alice", "s1");
        for (int i = 0; i < 10; i++) {
            clock.advance(INTERVAL);
            beat("r", "alice", "s1");
            presence.expireDue();
        }
        assertThat(clock.millis()).isGreaterThan(T0 + 3 * TTL);
        assertThat(entry("r", "alice").online()).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice");
    }

    @Test
    @DisplayName("P5: expiry works in bounded batches and a later pass finishes the rest")
    void p5_expiryIsBatched() {
        for (int i = 0; i < 10; i++) {
            beat("r", "u" + i, "s" + i);
        }
        clock.advance(TTL);
        assertThat(store.expire(clock.millis(), 3)).isEqualTo(3);
        assertThat(presence.listRoom("r", true, 100)).hasSize(7);
        presence.expireDue();
        assertThat(presence.listRoom("r", true, 100)).isEmpty();
        assertThat(store.earliestDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    @DisplayName("P5 (regression): expireDue ends everything due, past one batch, with no worker thread")
    void p5_expireDueFinishesEveryBatch() {
        for (int i = 0; i < 2_500; i++) {
            beat("r" + i % 7, "u" + i, "s" + i);
        }
        clock.advance(TTL);
        presence.expireDue();
        for (int r = 0; r < 7; r++) {
            assertThat(presence.listRoom("r" + r, true, 1000)).isEmpty();
        }
        assertThat(store.earliestDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    // ---- P6, P7, T3 ----------------------------------------------------------------------------

    @Test
    @DisplayName("P6: disconnect is immediate and idempotent; P7: one leave")
    void p6_disconnectIsImmediateAndIdempotent() {
        HeartbeatResult hb = beat("r", "alice", "s1");
        clock.advance(3_000);
        assertThat(presence.disconnect(hb.sessionToken())).isTrue();
        Entry alice = entry("r", "alice");
        assertThat(alice.online()).isFalse();
        assertThat(alice.lastDisconnected()).isEqualTo(T0 + 3_000);

        assertThat(presence.disconnect(hb.sessionToken())).isFalse();
        clock.advance(TTL);
        presence.expireDue();
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");
    }

    @Test
    @DisplayName("P6: an unknown token is a no-op")
    void p6_unknownTokenIsNoOp() {
        beat("r", "alice", "s1");
        int events = changes.size();
        assertThat(presence.disconnect("no-such-token-aaaaaaaaaa")).isFalse();
        assertThat(changes.size()).isEqualTo(events);
        assertThat(entry("r", "alice").online()).isTrue();
    }

    @Test
    @DisplayName("P7: a second session keeps the user online until the last one ends")
    void p7_lastSessionDecides() {
        HeartbeatResult tab1 = beat("r", "alice", "tab1");
        clock.advance(1_000);
        HeartbeatResult tab2 = beat("r", "alice", "tab2");
        presence.disconnect(tab1.sessionToken());
        assertThat(entry("r", "alice").online()).isTrue();
        clock.advance(1_000);
        presence.disconnect(tab2.sessionToken());
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(T0 + 2_000);
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");
    }

    @Test
    @DisplayName("P7: a disconnected tab and an expired tab of one user give exactly one leave")
    void p7_mixedEndingsGiveOneLeave() {
        HeartbeatResult tab1 = beat("r", "alice", "tab1");
        beat("r", "alice", "tab2");
        clock.advance(TTL);
        presence.disconnect(tab1.sessionToken());
        presence.expireDue();
        assertThat(changes.count("r", "alice", ChangeKind.LEAVE)).isEqualTo(1);
        assertThat(entry("r", "alice").online()).isFalse();
    }

    @Test
    @DisplayName("P1, P5: a heartbeat with a shorter interval brings the deadline earlier, and expiry follows it")
    void p1_shorterIntervalBringsTheDeadlineEarlier() {
        presence.heartbeat("r", "alice", "s1", Presence.MAX_INTERVAL_MS);
        clock.advance(1_000);
        presence.heartbeat("r", "alice", "s1", 1_000);
        clock.advance(2_499);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).isTrue();
        clock.advance(1);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).as("ended at the new deadline, not the old one").isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(T0 + 3_500);
    }

    @Test
    @DisplayName("P6, T3: disconnect says whether it found a live session: true for a live or graced one, false once it has ended")
    void p6_disconnectReportsWhatItFound() {
        HeartbeatResult graced = beat("r", "alice", "s1");
        assertThat(presence.disconnect(graced.sessionToken(), 1_000)).isTrue();
        assertThat(presence.disconnect(graced.sessionToken(), 500)).as("still live during its grace").isTrue();
        clock.advance(500);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).as("the shorter grace won").isFalse();
        assertThat(presence.disconnect(graced.sessionToken())).isFalse();
        assertThat(presence.disconnect(graced.sessionToken(), 1_000)).isFalse();
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");
    }

    @Test
    @DisplayName("P12: updateSession is true for a live session of that room and user, false otherwise, and then changes nothing")
    void p12_updateSessionReportsWhatItFound() {
        HeartbeatResult a = beat("r", "alice", "s1");
        assertThat(presence.updateSession("r", "alice", "s1", Map.of("isSpeaking", "true"))).isTrue();
        assertThat(entry("r", "alice").data()).containsEntry("isSpeaking", "true");
        int before = changes.size();
        assertThat(presence.updateSession("r", "alice", "s1", Map.of("isSpeaking", "true"))).as("the same again").isTrue();
        assertThat(entry("r", "alice").data()).containsEntry("isSpeaking", "true");
        assertThat(changes.size()).as("nothing changed, nothing emitted").isEqualTo(before);
        assertThat(presence.updateSession("r", "bob", "s1", Map.of("isSpeaking", "false"))).isFalse();
        assertThat(presence.updateSession("other", "alice", "s1", Map.of("isSpeaking", "false"))).isFalse();
        assertThat(presence.updateSession("r", "alice", "no-such-session", Map.of("isSpeaking", "false"))).isFalse();
        presence.disconnect(a.sessionToken());
        int events = changes.size();
        Entry ended = entry("r", "alice");
        assertThat(presence.updateSession("r", "alice", "s1", Map.of("isSpeaking", "false"))).as("ended").isFalse();
        assertThat(changes.size()).isEqualTo(events);
        assertThat(entry("r", "alice")).isEqualTo(ended);
    }

    @Test
    @DisplayName("T3: a departure grace ends the session at now + grace unless a heartbeat comes first")
    void t3_departureGrace() {
        HeartbeatResult hb = beat("r", "alice", "s1");
        assertThat(presence.disconnect(hb.sessionToken(), 1_500)).isTrue();
        clock.advance(1_499);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).isTrue();
        clock.advance(1);
        presence.expireDue();
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(T0 + 1_500);
    }

    @Test
    @DisplayName("T3: a reload that heartbeats within the grace continues the session: no leave, no join")
    void t3_reloadWithinGraceContinues() {
        HeartbeatResult hb = beat("r", "alice", "s1");
        presence.disconnect(hb.sessionToken(), 1_500);
        clock.advance(800);
        HeartbeatResult again = beat("r", "alice", "s1");
        clock.advance(5_000);
        presence.expireDue();
        assertThat(again.sessionToken()).isEqualTo(hb.sessionToken());
        assertThat(entry("r", "alice").online()).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice");
    }

    @Test
    @DisplayName("T2: liveSessionToken names a live session's token only for its room and user, and changes nothing")
    void t2_liveSessionTokenIsReadOnly() {
        HeartbeatResult hb = beat("r", "alice", "s1");
        assertThat(presence.liveSessionToken("r", "alice", "s1")).contains(hb.sessionToken());
        assertThat(presence.liveSessionToken("r", "bob", "s1")).isEmpty();
        assertThat(presence.liveSessionToken("r2", "alice", "s1")).isEmpty();
        assertThat(presence.liveSessionToken("r", "alice", "s2")).isEmpty();
        presence.disconnect(hb.sessionToken());
        assertThat(presence.liveSessionToken("r", "alice", "s1")).isEmpty();
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");
    }

    // ---- P8, P9 --------------------------------------------------------------------------------

    @Test
    @DisplayName("P8: online users first, then offline users newest-disconnected first; limit applies")
    void p8_listOrderAndLimit() {
        HeartbeatResult a = beat("r", "alice", "a");
        clock.advance(1);
        HeartbeatResult b = beat("r", "bob", "b");
        clock.advance(1);
        beat("r", "carol", "c");
        clock.advance(1);
        beat("r", "dave", "d");
        clock.advance(10);
        presence.disconnect(a.sessionToken());
        clock.advance(10);
        presence.disconnect(b.sessionToken());

        List<String> order = presence.list(a.roomToken()).stream().map(Entry::userId).toList();
        assertThat(order).containsExactly("carol", "dave", "bob", "alice");
        assertThat(presence.list(a.roomToken(), 3).stream().map(Entry::userId)).containsExactly("carol", "dave", "bob");
        assertThat(presence.list(a.roomToken(), 1)).hasSize(1);
    }

    @Test
    @DisplayName("P8: an unknown room token lists nothing")
    void p8_unknownTokenIsEmpty() {
        beat("r", "alice", "a");
        assertThat(presence.list("unknown-token-aaaaaaaaaa")).isEmpty();
    }

    @Test
    @DisplayName("P8: the default limit is 104")
    void p8_defaultLimit() {
        for (int i = 0; i < 110; i++) {
            beat("r", "u" + i, "s" + i);
        }
        assertThat(presence.list(beat("r", "u0", "s0").roomToken())).hasSize(104);
    }

    @Test
    @DisplayName("P9: listRoom can show only online users; listUser spans rooms")
    void p9_listRoomAndListUser() {
        HeartbeatResult r1 = beat("r1", "alice", "a1");
        beat("r2", "alice", "a2");
        beat("r3", "alice", "a3");
        beat("r1", "bob", "b1");
        clock.advance(5);
        presence.disconnect(r1.sessionToken());

        assertThat(presence.listRoom("r1", true, 10).stream().map(Entry::userId)).containsExactly("bob");
        assertThat(presence.listRoom("r1", false, 10).stream().map(Entry::userId)).containsExactly("bob", "alice");
        assertThat(presence.listUser("alice", false, 10).stream().map(Entry::roomId)).containsExactly("r2", "r3", "r1");
        assertThat(presence.listUser("alice", true, 10).stream().map(Entry::roomId)).containsExactly("r2", "r3");
        assertThat(presence.listUser("alice", false, 2)).hasSize(2);
        assertThat(presence.listUser("nobody", false, 10)).isEmpty();
    }

    // ---- P10 -----------------------------------------------------------------------------------

    @Test
    @DisplayName("P10: updateRoomUser sets the data and emits update; an identical update emits nothing")
    void p10_updateEmitsUpdate() {
        beat("r", "alice", "a");
        assertThat(presence.updateRoomUser("r", "alice", Map.of("displayName", "Alice"))).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice", "update alice");
        assertThat(changes.all().get(1).entry().data()).containsEntry("displayName", "Alice");
        assertThat(entry("r", "alice").data()).containsEntry("displayName", "Alice");

        presence.updateRoomUser("r", "alice", Map.of("displayName", "Alice"));
        assertThat(changes.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("P10: updating a user with no entry returns false and changes nothing")
    void p10_updateOfAbsentUser() {
        beat("r", "alice", "a");
        assertThat(presence.updateRoomUser("r", "bob", Map.of("x", "y"))).isFalse();
        assertThat(presence.updateRoomUser("nowhere", "bob", Map.of("x", "y"))).isFalse();
        assertThat(changes.size()).isEqualTo(1);
        assertThat(presence.listRoom("r", false, 10)).hasSize(1);
    }

    @Test
    @DisplayName("P10: removeRoomUser deletes the entry, spends its session tokens and emits remove")
    void p10_removeRoomUser() {
        HeartbeatResult a = beat("r", "alice", "a");
        beat("r", "bob", "b");
        assertThat(presence.removeRoomUser("r", "alice")).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice", "join bob", "remove alice");
        assertThat(presence.list(a.roomToken()).stream().map(Entry::userId)).containsExactly("bob");
        assertThat(presence.disconnect(a.sessionToken())).isFalse();
        assertThat(presence.removeRoomUser("r", "alice")).isFalse();
        clock.advance(TTL);
        presence.expireDue();
        assertThat(changes.story("r")).containsExactly("join alice", "join bob", "remove alice", "leave bob");
    }

    @Test
    @DisplayName("P10: removeRoom deletes every entry, spends the room token and emits remove per entry")
    void p10_removeRoom() {
        HeartbeatResult a = beat("r", "alice", "a");
        HeartbeatResult b = beat("r", "bob", "b");
        assertThat(presence.removeRoom("r")).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice", "join bob", "remove alice", "remove bob");
        assertThat(presence.list(a.roomToken())).isEmpty();
        assertThat(presence.listRoom("r", false, 10)).isEmpty();
        assertThat(presence.disconnect(b.sessionToken())).isFalse();
        assertThat(presence.removeRoom("r")).isFalse();
        assertThat(store.earliestDeadline()).as("no live session left, so nothing is due").isEqualTo(Long.MAX_VALUE);
        assertThat(presence.removeRoom("never-used")).isFalse();
        assertThat(presence.removeRoomUser("never-used", "alice")).isFalse();

        HeartbeatResult again = beat("r", "alice", "a");
        assertThat(again.roomToken()).isNotEqualTo(a.roomToken());
        assertThat(changes.room("r").get(4).seq()).isEqualTo(5);
    }

    // ---- P11, P12, S1, S2 ----------------------------------------------------------------------

    @Test
    @DisplayName("P11: every room numbers its changes 1, 2, 3… with no gap, independently of other rooms")
    void p11_sequenceNumbersAreGaplessPerRoom() {
        HeartbeatResult a = beat("r1", "alice", "a");
        beat("r2", "alice", "a2");
        beat("r1", "bob", "b");
        presence.updateRoomUser("r1", "bob", Map.of("k", "v"));
        presence.disconnect(a.sessionToken());
        clock.advance(TTL);
        presence.expireDue();
        for (String room : List.of("r1", "r2")) {
            List<Long> seqs = changes.room(room).stream().map(Change::seq).toList();
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= seqs.size(); i++) {
                expected.add(i);
            }
            assertThat(seqs).isEqualTo(expected);
        }
        assertThat(changes.room("r1")).hasSize(5);
        assertThat(changes.room("r2")).hasSize(2);
    }

    @Test
    @DisplayName("P12: sessions carry data; the entry shows the merge; a session's end updates it")
    void p12_sessionDataMerges() {
        presence.heartbeat("r", "alice", "tab1", INTERVAL, Map.of("tab", "one"));
        HeartbeatResult tab2 = presence.heartbeat("r", "alice", "tab2", INTERVAL, Map.of("tab", "two", "mic", "on"));
        assertThat(entry("r", "alice").data()).containsEntry("tab", "two").containsEntry("mic", "on");

        assertThat(presence.updateSession("r", "alice", "tab2", Map.of("mic", "off"))).isTrue();
        assertThat(entry("r", "alice").data()).containsEntry("mic", "off");
        assertThat(presence.updateSession("r", "alice", "tab2", Map.of("mic", "off"))).isTrue();
        assertThat(presence.updateSession("r", "bob", "tab2", Map.of("mic", "on"))).isFalse();
        assertThat(presence.updateSession("r", "alice", "nope", Map.of("mic", "on"))).isFalse();

        presence.disconnect(tab2.sessionToken());
        assertThat(entry("r", "alice").data()).isEqualTo(Map.of("tab", "one"));
        assertThat(changes.story("r")).containsExactly("join alice", "update alice", "update alice", "update alice");
    }

    @Test
    @DisplayName("P12: the merge rule is the caller's (an OR of flags here)")
    void p12_customMerger() {
        presence.close();
        DataMerger anySpeaking = (user, sessions) -> Map.of("speaking",
                String.valueOf(sessions.stream().anyMatch(s -> "true".equals(s.get("speaking")))));
        store = newStore(anySpeaking, LOG_CAPACITY);
        presence = Presence.builder().store(store).clock(clock).startWorker(false).build();
        presence.heartbeat("r", "alice", "tab1", INTERVAL, Map.of("speaking", "true"));
        presence.heartbeat("r", "alice", "tab2", INTERVAL, Map.of("speaking", "false"));
        assertThat(entry("r", "alice").data()).containsEntry("speaking", "true");
        presence.updateSession("r", "alice", "tab1", Map.of("speaking", "false"));
        assertThat(entry("r", "alice").data()).containsEntry("speaking", "false");
    }

    @Test
    @DisplayName("P12: a merge rule that throws leaves every entry and the change stream consistent")
    void p12_throwingMergerChangesNothingHalfway() {
        presence.close();
        DataMerger broken = (user, sessions) -> {
            if (sessions.stream().anyMatch(s -> "boom".equals(s.get("x")))) {
                throw new IllegalStateException("broken merge rule (test)");
            }
            return DataMerger.DEFAULT.merge(user, sessions);
        };
        store = newStore(broken, LOG_CAPACITY);
        presence = Presence.builder().store(store).clock(clock).startWorker(false).build();
        changes = new ChangeRecorder();
        presence.subscribe(changes);
        HeartbeatResult hb = presence.heartbeat("r", "alice", "a", INTERVAL, Map.of("x", "boom"));
        assertThat(entry("r", "alice").online()).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice");
        presence.disconnect(hb.sessionToken());
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");

        presence.heartbeat("r", "bob", "b", INTERVAL, Map.of("x", "fine"));
        assertThat(entry("r", "bob").data()).containsEntry("x", "fine");
        presence.updateSession("r", "bob", "b", Map.of("x", "boom"));
        assertThat(entry("r", "bob").data()).as("the entry keeps the data it had").containsEntry("x", "fine");
    }

    @Test
    @DisplayName("P10, P8: after most of a room's users are removed, it lists exactly those left, and each removed user's rooms drop it")
    void p10_manyRemovalsKeepTheListRight() {
        for (int i = 0; i < 30; i++) {
            beat("r", String.format("u%02d", i), "s" + i);
            clock.advance(1);
        }
        for (int i = 0; i < 30; i++) {
            if (i % 6 != 0) {
                assertThat(presence.removeRoomUser("r", String.format("u%02d", i))).isTrue();
            }
        }
        assertThat(presence.listRoom("r", false, 100).stream().map(Entry::userId))
                .containsExactlyInAnyOrder("u00", "u06", "u12", "u18", "u24");
        assertThat(presence.listUser("u01", false, 10)).isEmpty();
        assertThat(presence.listUser("u06", false, 10)).hasSize(1);
    }

    @Test
    @DisplayName("S1: a snapshot carries the sequence number of the last change it includes")
    void s1_snapshotIsConsistentWithChanges() {
        assertThat(presence.snapshot("r").seq()).isZero();
        beat("r", "alice", "a");
        beat("r", "bob", "b");
        RoomSnapshot snap = presence.snapshot("r");
        assertThat(snap.seq()).isEqualTo(2);
        assertThat(snap.entries().stream().map(Entry::userId)).containsExactly("alice", "bob");
        assertThat(snap.epoch()).isNotBlank();
    }

    @Test
    @DisplayName("S2: changes since a seq are replayed while held; past the log or another epoch → snapshot")
    void s2_changesSince() {
        String epoch = presence.snapshot("r").epoch();
        for (int i = 0; i < 5; i++) {
            beat("r", "u" + i, "s" + i);
        }
        assertThat(presence.changesSince("r", epoch, 2)).hasValueSatisfying(list ->
                assertThat(list.stream().map(Change::seq)).containsExactly(3L, 4L, 5L));
        assertThat(presence.changesSince("r", epoch, 5)).hasValue(List.of());
        assertThat(presence.changesSince("r", epoch, 6)).isEmpty();
        assertThat(presence.changesSince("r", "another-epoch", 2)).isEmpty();

        for (int i = 5; i < 5 + LOG_CAPACITY; i++) {
            beat("r", "u" + i, "s" + i);
        }
        assertThat(presence.changesSince("r", epoch, 2)).isEmpty();
        // The window's edges: the oldest change held is 6, so resuming after 5 replays all it holds,
        // and after 4 (change 5 is gone) needs a snapshot rather than a list with a hole in it.
        assertThat(presence.changesSince("r", epoch, 5)).hasValueSatisfying(list ->
                assertThat(list.stream().map(Change::seq)).containsExactly(java.util.stream.LongStream
                        .rangeClosed(6, 5 + LOG_CAPACITY).boxed().toArray(Long[]::new)));
        assertThat(presence.changesSince("r", epoch, 4)).isEmpty();
        assertThat(presence.changesSince("r", epoch, 5 + LOG_CAPACITY)).hasValue(List.of());
        assertThat(presence.changesSince("r", epoch, 6 + LOG_CAPACITY)).isEmpty();
        assertThat(presence.changesSince("unknown-room", epoch, 0)).hasValue(List.of());
        assertThat(presence.changesSince("unknown-room", epoch, 3)).as("a room with no changes cannot resume after 3").isEmpty();
    }

    // ---- bad input -----------------------------------------------------------------------------

    @Test
    @DisplayName("Bad input: null, blank, 257-character and control-character ids, intervals, limits and graces out of range "
            + "are refused with a typed error and change nothing")
    void badInputIsRefusedAndChangesNothing() {
        HeartbeatResult ok = beat("r", "alice", "a");
        List<Entry> before = presence.listRoom("r", false, 100);
        int events = changes.size();
        String tooLong = "x".repeat(257);
        List<Consumer<Presence>> bad = new ArrayList<>();
        for (String id : new String[] {null, "", "   ", tooLong, "a\nevent=forged", "nul\u0000"}) {
            bad.add(p -> p.heartbeat(id, "alice", "a", INTERVAL));
            bad.add(p -> p.heartbeat("r", id, "a", INTERVAL));
            bad.add(p -> p.heartbeat("r", "alice", id, INTERVAL));
            bad.add(p -> p.disconnect(id));
            bad.add(p -> p.list(id));
            bad.add(p -> p.listRoom(id, false, 10));
            bad.add(p -> p.listUser(id, false, 10));
            bad.add(p -> p.updateRoomUser(id, "alice", Map.of()));
            bad.add(p -> p.updateSession("r", "alice", id, Map.of()));
            bad.add(p -> p.removeRoomUser("r", id));
            bad.add(p -> p.removeRoom(id));
        }
        for (long interval : new long[] {-1, 0, 999, 300_001, Long.MAX_VALUE}) {
            bad.add(p -> p.heartbeat("r", "alice", "a", interval));
        }
        for (int limit : new int[] {-1, 0, 1_001}) {
            bad.add(p -> p.list(ok.roomToken(), limit));
            bad.add(p -> p.listRoom("r", false, limit));
            bad.add(p -> p.listUser("alice", false, limit));
        }
        for (long grace : new long[] {-1, 30_001}) {
            bad.add(p -> p.disconnect(ok.sessionToken(), grace));
        }
        Map<String, String> hugeValue = Map.of("k", "v".repeat(2_049));
        bad.add(p -> p.heartbeat("r", "alice", "a", INTERVAL, hugeValue));
        bad.add(p -> p.updateRoomUser("r", "alice", hugeValue));
        bad.add(p -> p.updateRoomUser("r", "alice", null));
        Map<String, String> tooMany = new java.util.HashMap<>();
        for (int i = 0; i < 33; i++) {
            tooMany.put("k" + i, "v");
        }
        bad.add(p -> p.updateSession("r", "alice", "a", tooMany));

        for (Consumer<Presence> call : bad) {
            assertThatThrownBy(() -> call.accept(presence)).isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).code()).isEqualTo("invalid_argument"));
        }
        assertThat(changes.size()).isEqualTo(events);
        assertThat(presence.listRoom("r", false, 100)).isEqualTo(before);
        assertThat(entry("r", "alice").online()).isTrue();
        assertThat(presence.listUser("alice", false, 100)).hasSize(1);
    }
}
