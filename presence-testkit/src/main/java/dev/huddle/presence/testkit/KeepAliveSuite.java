package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.HeldSession;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.PresenceStore;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The keep-alive of sessions held by a node's sockets ({@code Presence.hold}, T1 at O(nodes) store cost),
 * against a store: frames cost the store nothing, one lease renewal per tick keeps every held session
 * alive, and a node that stops (dies, or pauses longer than its lease) has its sessions released to end
 * within one session deadline of its last renewal, exactly once, through another node's expiry (P5, P7);
 * a paused node that comes back holds again what is still live and marks what ended. A store's test
 * module extends this class. Node A holds sessions; node B is a second engine on the same data.
 */
public abstract class KeepAliveSuite {
    protected static final long T0 = 1_700_000_000_000L;
    protected static final long INTERVAL = 10_000;
    protected static final long TTL = 25_000;
    protected static final long TICK = Presence.DEFAULT_KEEP_ALIVE_TICK_MS;

    protected final ManualClock clock = new ManualClock(T0);
    /** Store calls made through node A, by method name. */
    protected final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** The size of every hold batch node A sent. */
    protected final List<Integer> batches = new CopyOnWriteArrayList<>();
    protected static final long LEASE = 3 * TICK;
    protected Presence a;
    protected Presence b;
    protected final ChangeRecorder changes = new ChangeRecorder();

    /** A fresh, empty store. */
    protected abstract PresenceStore newStore(DataMerger merger, int changeLogCapacity);

    /** A second node's store on the same data as {@code first} (the same instance where there is no other way). */
    protected abstract PresenceStore peerOf(PresenceStore first);

    @BeforeEach
    void startNodes() {
        PresenceStore store = newStore(DataMerger.DEFAULT, 64);
        a = Presence.builder().store(counting(store)).clock(clock).startWorker(false).build();
        PresenceStore peer = peerOf(store);
        b = Presence.builder().store(peer == store ? uncloseable(store) : peer).clock(clock).startWorker(false).build();
        b.subscribe(changes);
    }

    @AfterEach
    void stopNodes() {
        b.close();
        a.close();
    }

    private HeldSession join(String room, String user, String session, List<String> lost) {
        HeartbeatResult beat = a.heartbeat(room, user, session, INTERVAL);
        return a.hold(room, user, session, INTERVAL, beat, () -> lost.add(session)).orElseThrow();
    }

    private Entry entry(String room, String user) {
        return b.listRoom(room, false, 100).stream().filter(e -> e.userId().equals(user)).findFirst().orElseThrow();
    }

    private int count(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    @Test
    @DisplayName("T1: a held session's frames cost the store nothing; one lease renewal per tick keeps every held session alive")
    void t1_framesCostNothingAndOneLeaseRenewalPerTickKeepsSessionsAlive() {
        List<String> lost = new ArrayList<>();
        List<HeldSession> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(join("room-" + (i % 4), "user-" + i, "s" + i, lost));
        }
        calls.clear();
        for (int i = 0; i < 50; i++) {
            held.forEach(HeldSession::touch);
        }
        assertThat(calls).as("frames alone send nothing to the store").isEmpty();

        int ticks = 0;
        for (long t = 0; t < 5 * TTL; t += TICK) {
            clock.advance(TICK);
            if (t % INTERVAL == 0) {
                held.forEach(HeldSession::touch); // the socket answers its ping
            }
            a.keepAlive().tick();
            ticks++;
            b.expireDue();
        }
        assertThat(count("renewLease")).as("one lease renewal per tick, whatever the sessions").isEqualTo(ticks);
        assertThat(calls.keySet()).as("nothing per session: " + calls).containsOnly("renewLease");
        for (int i = 0; i < 20; i++) {
            assertThat(entry("room-" + (i % 4), "user-" + i).online()).isTrue();
        }
        assertThat(changes.all()).allMatch(c -> c.kind() == ChangeKind.JOIN);
        assertThat(lost).isEmpty();
        assertThat(a.keepAlive().size()).isEqualTo(20);
    }

    @Test
    @DisplayName("P5, P7: a node that dies has its held sessions released at its lease's expiry; each ends once, one session deadline after the lease's last renewal")
    void p5_deadNodesHeldSessionsEndWithinOneDeadlineOfItsLastRenewalExactlyOnce() {
        List<String> lost = new ArrayList<>();
        HeldSession alice = join("r", "alice", "s1", lost);
        HeldSession bob = join("r", "bob", "s2", lost);
        long lastRenewal = T0;
        for (int i = 0; i < 9; i++) {
            clock.advance(3_700); // odd times, so a deadline names the renewal it came from
            alice.touch();
            bob.touch();
            a.keepAlive().tick();
            lastRenewal = clock.millis();
        }
        long death = clock.millis();
        // A dies: no more frames reach the store, no more ticks. B's expiry runs every 100 ms.
        while (clock.millis() < death + LEASE + TTL + 1_000) {
            clock.advance(100);
            b.expireDue();
        }
        for (String user : List.of("alice", "bob")) {
            Entry e = entry("r", user);
            assertThat(e.online()).isFalse();
            assertThat(e.lastDisconnected()).isEqualTo(lastRenewal + TTL).isLessThanOrEqualTo(death + TTL);
            assertThat(changes.count("r", user, ChangeKind.LEAVE)).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("P5: a held session whose socket falls silent goes back to its last frame's deadline and ends there, while the node lives")
    void p5_silentSocketsSessionEndsAtItsLastFramesDeadline() {
        List<String> lost = new ArrayList<>();
        HeldSession alice = join("r", "alice", "s1", lost);
        HeldSession bob = join("r", "bob", "s2", lost);
        clock.advance(3_300);
        alice.touch();
        long lastFrame = clock.millis();
        while (clock.millis() < lastFrame + TTL + 1_000) {
            clock.advance(TICK);
            bob.touch();
            a.keepAlive().tick();
            b.expireDue();
        }
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(lastFrame + TTL);
        assertThat(alice.held()).isFalse();
        assertThat(entry("r", "bob").online()).isTrue();
        assertThat(bob.held()).isTrue();
        assertThat(changes.story("r")).containsExactly("join alice", "join bob", "leave alice");
    }

    @Test
    @DisplayName("T1, P5: a node paused longer than its lease but not its sessions' deadline holds them again when it resumes: nobody leaves")
    void t1_nodePausedLongerThanItsLeaseHoldsItsLiveSessionsAgain() {
        List<String> lost = new ArrayList<>();
        HeldSession alice = join("r", "alice", "s1", lost);
        a.keepAlive().tick();
        long pausedAt = clock.millis();
        while (clock.millis() < pausedAt + LEASE + 2_000) { // released by B, deadline pausedAt + TTL not reached
            clock.advance(500);
            b.expireDue();
        }
        a.keepAlive().tick(); // it resumes: its lease was lost; the session is still live, so it holds it again
        assertThat(alice.held()).isTrue();
        for (long t = 0; t < 2 * TTL; t += TICK) {
            clock.advance(TICK);
            alice.touch();
            a.keepAlive().tick();
            b.expireDue();
        }
        assertThat(entry("r", "alice").online()).isTrue();
        assertThat(lost).isEmpty();
        assertThat(changes.story("r")).containsExactly("join alice");
    }

    @Test
    @DisplayName("P5, P7: a node paused past its sessions' deadlines finds them ended once on resuming, each marked lost with the lease, so its open sockets create them again")
    void p5_nodePausedPastTheDeadlineFindsItsSessionsEndedOnceAndMarked() {
        List<String> lost = new ArrayList<>();
        HeldSession alice = join("r", "alice", "s1", lost);
        HeldSession bob = join("r", "bob", "s2", lost);
        a.keepAlive().tick();
        long pausedAt = clock.millis();
        while (clock.millis() < pausedAt + LEASE + TTL + 1_000) {
            clock.advance(500);
            b.expireDue();
        }
        for (String user : List.of("alice", "bob")) {
            assertThat(entry("r", user).online()).isFalse();
            assertThat(entry("r", user).lastDisconnected()).isEqualTo(pausedAt + TTL);
        }
        a.keepAlive().tick(); // it resumes
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.size() == 2);
        assertThat(lost).containsExactlyInAnyOrder("s1", "s2");
        assertThat(alice.held()).isFalse();
        assertThat(alice.lostWithLease()).isTrue();
        assertThat(bob.lostWithLease()).isTrue();
        assertThat(a.keepAlive().size()).isZero();
        assertThat(changes.story("r")).containsExactly("join alice", "join bob", "leave alice", "leave bob");
    }

    @Test
    @DisplayName("T2: a socket gone without a goodbye leaves its sessions the deadline of its last frame")
    void t2_releasedSessionKeepsItsLastFramesDeadline() {
        HeldSession alice = join("r", "alice", "s1", new ArrayList<>());
        clock.advance(7_300);
        alice.touch();
        long lastFrame = clock.millis();
        clock.advance(1_000);
        alice.release();
        assertThat(alice.held()).isFalse();
        assertThat(a.keepAlive().size()).isZero();

        clock.advanceTo(lastFrame + TTL - 1);
        b.expireDue();
        assertThat(entry("r", "alice").online()).isTrue();
        clock.advanceTo(lastFrame + TTL);
        b.expireDue();
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(lastFrame + TTL);
        assertThat(changes.story("r")).containsExactly("join alice", "leave alice");
    }

    @Test
    @DisplayName("T3: a departure grace is not undone by the keep-alive, nor by the socket closing after it")
    void t3_departureGraceStandsAgainstTheKeepAlive() {
        List<String> lost = new ArrayList<>();
        HeartbeatResult beat = a.heartbeat("r", "alice", "s1", INTERVAL);
        HeldSession alice = a.hold("r", "alice", "s1", INTERVAL, beat, () -> lost.add("s1")).orElseThrow();
        HeartbeatResult beatBob = a.heartbeat("r", "bob", "s2", INTERVAL);
        HeldSession bob = a.hold("r", "bob", "s2", INTERVAL, beatBob, () -> lost.add("s2")).orElseThrow();
        clock.advance(INTERVAL);
        alice.touch();
        bob.touch();
        long leftAt = clock.millis();
        assertThat(b.disconnect(beat.sessionToken(), 1_500)).isTrue(); // the page's beacon, through node B
        assertThat(b.disconnect(beatBob.sessionToken(), 1_500)).isTrue();
        alice.touch();
        alice.release(); // alice's socket closes after the beacon
        bob.touch(); // bob's socket answers one more ping, then the keep-alive ticks
        clock.advance(1_000);
        a.keepAlive().tick();
        clock.advance(500);
        b.expireDue();
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(leftAt + 1_500);
        assertThat(entry("r", "bob").online()).isFalse();
        assertThat(entry("r", "bob").lastDisconnected()).isEqualTo(leftAt + 1_500);
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.contains("s2"));
        for (long t = 0; t < TTL; t += TICK) {
            clock.advance(TICK);
            bob.touch();
            a.keepAlive().tick();
        }
        assertThat(lost).containsExactly("s2");
        assertThat(bob.held()).isFalse();
        assertThat(bob.lostWithLease()).isFalse();
        assertThat(changes.story("r")).containsExactly("join alice", "join bob", "leave alice", "leave bob");
    }

    @Test
    @DisplayName("P6, P7: a held session ended elsewhere is let go and reported at its user's leave, with no store call")
    void p6_sessionEndedElsewhereIsLostAtTheLeave() {
        List<String> lost = new ArrayList<>();
        HeldSession alice = join("r", "alice", "s1", lost);
        HeartbeatResult bob = a.heartbeat("r", "bob", "s2", INTERVAL);
        HeldSession heldBob = a.hold("r", "bob", "s2", INTERVAL, bob, () -> lost.add("s2")).orElseThrow();
        calls.clear();
        assertThat(b.disconnect(bob.sessionToken())).isTrue(); // through node B: A hears the leave
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.contains("s2"));
        assertThat(lost).containsExactly("s2");
        assertThat(alice.held()).isTrue();
        assertThat(heldBob.lostWithLease()).isFalse();
        assertThat(a.keepAlive().size()).isEqualTo(1);
        assertThat(calls).isEmpty();
    }

    @Test
    @DisplayName("P6, P2: a held session ended elsewhere while its user stays online: a new session with its id is left alone by the old socket's close")
    void p6_newSessionWithTheIdIsLeftAloneByTheOldHolder() {
        join("r", "alice", "other-tab", new ArrayList<>()); // keeps alice online: no leave
        HeartbeatResult beat = a.heartbeat("r", "alice", "s1", INTERVAL);
        HeldSession old = a.hold("r", "alice", "s1", INTERVAL, beat, () -> { }).orElseThrow();
        assertThat(b.disconnect(beat.sessionToken())).isTrue();
        HeartbeatResult again = b.heartbeat("r", "alice", "s1", INTERVAL); // a new session, same id, new token
        long newDeadline = again.deadline();
        for (long t = 0; t < 2 * TICK; t += TICK) {
            clock.advance(TICK);
            old.touch();
            a.keepAlive().tick();
        }
        old.release(); // its socket closes much later than the new session's heartbeat: writes nothing to it
        b.disconnect(a.liveSessionToken("r", "alice", "other-tab").orElseThrow());
        clock.advanceTo(newDeadline);
        b.expireDue();
        assertThat(entry("r", "alice").online()).isFalse();
        assertThat(entry("r", "alice").lastDisconnected()).isEqualTo(newDeadline);
    }

    @Test
    @DisplayName("T1: a session whose interval is shorter than two ticks is not held (its frames heartbeat)")
    void t1_shortIntervalsAreNotHeld() {
        HeartbeatResult beat = a.heartbeat("r", "alice", "s1", 2 * TICK - 1);
        assertThat(a.hold("r", "alice", "s1", 2 * TICK - 1, beat, () -> { })).isEmpty();
        assertThat(a.hold("r", "alice", "s1", 2 * TICK, beat, () -> { })).isPresent();
    }

    /** {@code store} with every call counted in {@link #calls}. */
    private PresenceStore counting(PresenceStore store) {
        return (PresenceStore) Proxy.newProxyInstance(PresenceStore.class.getClassLoader(),
                new Class<?>[] {PresenceStore.class}, (proxy, method, args) -> {
                    if (!List.of("close", "addListener", "holdRefreshMs").contains(method.getName())) {
                        calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
                        if (method.getName().equals("hold")) {
                            batches.add(((List<?>) args[0]).size());
                        }
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** {@code store} for a second engine that must not close it (node A's engine does). */
    private static PresenceStore uncloseable(PresenceStore store) {
        return (PresenceStore) Proxy.newProxyInstance(PresenceStore.class.getClassLoader(),
                new Class<?>[] {PresenceStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
