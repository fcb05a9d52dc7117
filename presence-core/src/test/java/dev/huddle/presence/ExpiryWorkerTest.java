package dev.huddle.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.store.InMemoryPresenceStore;
import java.time.Duration;
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
}
