package dev.huddle.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What an embedding application sets up and tears down: the builder's options take effect, the worker lives and stops with the engine. */
class EngineSetupTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    @DisplayName("every builder option takes effect: tokens, merge rule, resume log, expiry batch and clock")
    void builderOptionsTakeEffect() {
        ManualClock clock = new ManualClock(T0);
        AtomicInteger minted = new AtomicInteger();
        DataMerger shout = (user, sessions) -> Map.of("name", String.valueOf(user.get("name")).toUpperCase());
        try (Presence presence = Presence.builder().clock(clock).startWorker(false)
                .tokens(() -> "token-" + minted.incrementAndGet())
                .merger(shout)
                .changeLogCapacity(2)
                .expiryBatchSize(1)
                .build()) {
            assertThat(presence.clock()).isSameAs(clock);

            HeartbeatResult ann = presence.heartbeat("r", "ann", "a", 1_000);
            assertThat(ann.sessionToken()).startsWith("token-");
            assertThat(ann.roomToken()).startsWith("token-");

            presence.updateRoomUser("r", "ann", Map.of("name", "ann"));
            assertThat(presence.listRoom("r", false, 10).get(0).data()).containsExactly(Map.entry("name", "ANN"));

            String epoch = presence.snapshot("r").epoch();
            presence.heartbeat("r", "bob", "b", 1_000);
            presence.heartbeat("r", "cid", "c", 1_000); // changes 1…4: a log of 2 holds 3 and 4
            assertThat(presence.changesSince("r", epoch, 2)).isPresent();
            assertThat(presence.changesSince("r", epoch, 1)).isEmpty();

            // Three sessions due at once, ended one per batch: expireDue examines all three.
            clock.advance(2_500);
            assertThat(presence.expireDue()).isEqualTo(3);
            assertThat(presence.listRoom("r", true, 10)).isEmpty();
            assertThat(presence.expireDue()).as("nothing left to examine").isZero();
        }
    }

    @Test
    @DisplayName("the expiry worker is a daemon thread that lives while the engine does and stops when it closes, detaching listeners")
    void workerLivesAndStopsWithTheEngine() {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Presence presence = Presence.builder().clock(TimeSource.system()).build();
        List<Change> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        presence.subscribe(heard::add);
        assertThat(presence.worker().alive()).isTrue();
        Thread worker = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("presence-expiry") && !before.contains(t)).findFirst().orElseThrow();
        assertThat(worker.isDaemon()).as("never keeps the JVM up").isTrue();

        presence.close();
        assertThat(presence.worker().alive()).isFalse();
        assertThat(worker.isAlive()).as("close returns once the thread has ended").isFalse();
        presence.heartbeat("r", "ann", "a", 1_000);
        assertThat(heard).as("a closed engine's listeners hear nothing more").isEmpty();
    }

    @Test
    @DisplayName("a manual clock only moves forward and tells its listeners each time it moves")
    void manualClockMovesForwardOnly() {
        ManualClock clock = new ManualClock(T0);
        AtomicInteger told = new AtomicInteger();
        clock.onAdvance(told::incrementAndGet);

        assertThat(clock.advance(5)).isEqualTo(T0 + 5);
        assertThat(told).hasValue(1);
        clock.advanceTo(T0 + 100);
        assertThat(clock.millis()).isEqualTo(T0 + 100);
        assertThat(told).hasValue(2);
        clock.advanceTo(T0 + 100);
        clock.advanceTo(T0 + 50);
        assertThat(clock.millis()).as("never backward").isEqualTo(T0 + 100);
        assertThat(told).as("no move, no call").hasValue(2);
        clock.advanceTo(T0 + 101);
        assertThat(clock.millis()).isEqualTo(T0 + 101);
        assertThatThrownBy(() -> clock.advance(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a fake clock's advance wakes a running worker, which ends what became due without anyone calling expireDue")
    void manualClockWakesTheWorker() {
        ManualClock clock = new ManualClock(T0);
        try (Presence presence = Presence.builder().clock(clock).maxWorkerSleep(Duration.ofSeconds(60)).build()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > 0); // asleep, nothing due
            long passes = presence.worker().passes();
            presence.heartbeat("r", "ann", "a", Presence.MAX_INTERVAL_MS);
            // The worker sleeps a real minute (its longest), since the deadline is 12.5 fake minutes away.
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > passes);
            clock.advance(Presence.deadline(0, Presence.MAX_INTERVAL_MS));
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.listRoom("r", true, 10).isEmpty());
        }
    }

    @Test
    @DisplayName("closing the engine from an interrupted thread still closes it, and leaves the thread's interrupt flag set")
    void closeFromAnInterruptedThread() {
        Presence presence = Presence.builder().clock(TimeSource.system()).build();
        Thread.currentThread().interrupt();
        try {
            presence.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(presence.worker().alive()).isFalse();
        } finally {
            Thread.interrupted();
        }
    }
}
