package dev.huddle.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.store.InMemoryPresenceStore;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** P5: the worker sleeps until the earliest deadline, survives failures, and is woken only when needed. */
class ExpiryWorkerTest {

    /** A store whose expiry fails the first {@code failures} times, to prove the worker survives. */
    static final class FlakyStore extends ForwardingStore {
        final AtomicInteger failures;

        FlakyStore(PresenceStore delegate, int failures) {
            super(delegate);
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public int expire(long now, int maxSessions) {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("store unavailable (test)");
            }
            return super.expire(now, maxSessions);
        }
    }

    /**
     * Regression (review 1.1): a join that lands after the worker read the earliest deadline but
     * before it went to sleep must still wake it. The store runs such a join from inside
     * earliestDeadline(), the narrowest point of that window. Real time, because a fake clock's
     * advance would wake the worker by itself: only the join's hint may wake it here. Without the
     * fix the worker sleeps 60 s and bob stays online long past his 2.5 s deadline.
     */
    @Test
    void aJoinDuringAPassIsNotSleptThrough() {
        AtomicBoolean injected = new AtomicBoolean();
        Presence[] engine = new Presence[1];
        PresenceStore racing = new ForwardingStore(new InMemoryPresenceStore()) {
            @Override
            public long earliestDeadline() {
                long earliest = super.earliestDeadline();
                // The pass that just ended alice finds the queue empty: bob joins right then.
                if (earliest == Long.MAX_VALUE && injected.compareAndSet(false, true)) {
                    engine[0].heartbeat("r", "bob", "b", 1_000);
                }
                return earliest;
            }
        };
        Presence presence = Presence.builder().store(racing).clock(TimeSource.system()).startWorker(false).build();
        engine[0] = presence;
        try (presence) {
            presence.heartbeat("r", "alice", "a", 1_000);
            presence.worker().start();
            await().atMost(Duration.ofSeconds(8)).untilTrue(injected);
            await().atMost(Duration.ofSeconds(8)).until(() -> presence.listRoom("r", true, 10).isEmpty());
            assertThat(presence.listRoom("r", false, 10)).extracting(Entry::userId).containsExactlyInAnyOrder("alice", "bob");
        }
    }

    @Test
    void aFailingPassDoesNotStopTheWorker() {
        ManualClock clock = new ManualClock(1_000);
        FlakyStore store = new FlakyStore(new InMemoryPresenceStore(), 3);
        try (Presence presence = Presence.builder().store(store).clock(clock).build()) {
            presence.heartbeat("r", "alice", "s", 1_000);
            clock.advance(2_500);
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.listRoom("r", true, 10).isEmpty());
            assertThat(store.failures.get()).isNegative();
        }
    }

    /**
     * X3: a worker that hits a {@link VirtualMachineError} (here a stack overflow in a pass) does not retry
     * as if nothing happened: it stops and calls the death handler once, with the error; the server's
     * handler ends the process. Closing the engine is not a death.
     */
    @Test
    void aVirtualMachineErrorKillsTheWorkerAndCallsTheDeathHandlerOnce() {
        ManualClock clock = new ManualClock(1_000);
        AtomicInteger passes = new AtomicInteger();
        PresenceStore broken = new ForwardingStore(new InMemoryPresenceStore()) {
            @Override
            public int expire(long now, int maxSessions) {
                if (passes.incrementAndGet() == 2) {
                    throw new StackOverflowError("deep (test)");
                }
                return super.expire(now, maxSessions);
            }
        };
        java.util.List<Throwable> deaths = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Presence presence = Presence.builder().store(broken).clock(clock).onWorkerDeath(deaths::add).build()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() >= 1);
            presence.heartbeat("r", "alice", "s", 1_000);
            clock.advance(2_500);
            await().atMost(Duration.ofSeconds(5)).until(() -> !deaths.isEmpty());
            assertThat(deaths).singleElement().isInstanceOf(StackOverflowError.class);
            assertThat(presence.worker().alive()).isFalse();
            clock.advance(10_000);
            assertThat(passes.get()).as("no pass after death").isEqualTo(2);
        }
        assertThat(deaths).hasSize(1);

        java.util.List<Throwable> none = new java.util.concurrent.CopyOnWriteArrayList<>();
        Presence closed = Presence.builder().clock(clock).onWorkerDeath(none::add).build();
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.worker().passes() >= 1);
        closed.close();
        assertThat(none).as("close is not a death").isEmpty();
    }

    @Test
    void aLiveHeartbeatDoesNotWakeTheWorker() {
        ManualClock clock = new ManualClock(1_000);
        try (Presence presence = Presence.builder().clock(clock).build()) {
            presence.heartbeat("r", "alice", "s", 10_000);
            long settled = awaitIdle(presence);
            for (int i = 0; i < 100; i++) {
                presence.heartbeat("r", "alice", "s", 10_000);
            }
            // Wake it once on purpose and wait for that pass: if heartbeats had woken it, passes would be higher.
            presence.worker().wake();
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > settled);
            assertThat(presence.worker().passes()).isEqualTo(settled + 1);
        }
    }

    @Test
    void aNewEarlierDeadlineWakesTheWorker() {
        ManualClock clock = new ManualClock(1_000);
        try (Presence presence = Presence.builder().clock(clock).build()) {
            presence.heartbeat("r", "alice", "a", 100_000);
            long settled = awaitIdle(presence);
            presence.heartbeat("r", "bob", "b", 1_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > settled);
        }
    }

    private static long awaitIdle(Presence presence) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            long p = presence.worker().passes();
            boolean stable = p == last[0] && p > 0;
            last[0] = p;
            return stable;
        });
        return last[0];
    }

    /**
     * P5 with engines sharing one store (cluster mode): a session created through engine B does not
     * hint engine A's worker, which was asleep on an empty store; its maximum sleep bounds how late it
     * notices. Real time, since a manual clock's advance would wake it by itself. With the default
     * (60 s) the session would stay online long past its 2.5 s deadline.
     */
    @Test
    void aDeadlineCreatedThroughAnotherEngineIsFoundWithinTheMaximumSleep() {
        InMemoryPresenceStore shared = new InMemoryPresenceStore();
        java.util.concurrent.atomic.AtomicLong leftAt = new java.util.concurrent.atomic.AtomicLong();
        shared.addListener(c -> {
            if (c.kind() == ChangeKind.LEAVE) {
                leftAt.set(System.currentTimeMillis());
            }
        });
        Presence a = Presence.builder().store(shared).clock(TimeSource.system()).maxWorkerSleep(Duration.ofMillis(200)).build();
        Presence b = Presence.builder().store(new ForwardingStore(shared) {
            @Override
            public void close() {
                // a owns the shared store
            }
        }).clock(TimeSource.system()).startWorker(false).build();
        try (a; b) {
            assertThat(a.worker().maxSleepMs()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> a.worker().passes() >= 1); // a is asleep on an empty store
            long deadline = b.heartbeat("r", "bob", "b", 1_000).deadline();
            await().atMost(Duration.ofSeconds(8)).until(() -> leftAt.get() != 0);
            assertThat(leftAt.get() - deadline).as("ms after the deadline").isLessThan(200 + 100 + 400);
        }
    }

    @Test
    void theDefaultMaximumSleepIsOneMinuteAndOutOfRangeValuesAreRefused() {
        try (Presence p = Presence.builder().startWorker(false).build()) {
            assertThat(p.worker().maxSleepMs()).isEqualTo(60_000);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Presence.builder().maxWorkerSleep(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
