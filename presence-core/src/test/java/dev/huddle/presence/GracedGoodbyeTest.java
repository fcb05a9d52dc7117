package dev.huddle.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * T3 in real time: a goodbye with a departure grace ends the session when the grace is over, not
 * whenever the expiry worker would next have woken. Real time on purpose: a manual clock's advance
 * wakes the worker by itself, which hid a goodbye that never woke it.
 */
class GracedGoodbyeTest {

    @Test
    @DisplayName("T3: a goodbye with a 300 ms grace ends the session about 300 ms later, though the worker's next wake-up is a minute away")
    void gracedGoodbyeEndsAtTheGrace() {
        TimeSource clock = TimeSource.system();
        AtomicLong leftAt = new AtomicLong();
        try (Presence presence = Presence.builder().clock(clock).maxWorkerSleep(Duration.ofSeconds(60)).build()) {
            presence.subscribe(c -> {
                if (c.kind() == ChangeKind.LEAVE) {
                    leftAt.set(clock.millis());
                }
            });
            // The longest interval: the session's own deadline is 12.5 minutes away, so only the
            // goodbye's grace can bring the worker round in time.
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > 0); // asleep, nothing due
            long passes = presence.worker().passes();
            HeartbeatResult ann = presence.heartbeat("room", "ann", "tab", Presence.MAX_INTERVAL_MS);
            // Let the worker finish the pass the join woke it for and go to sleep until its next minute.
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.worker().passes() > passes);
            long saidGoodbye = clock.millis();
            assertThat(presence.disconnect(ann.sessionToken(), 300)).isTrue();

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> leftAt.get() != 0);
            assertThat(leftAt.get() - saidGoodbye).as("ms from goodbye to leave").isBetween(300L, 3_000L);
        }
    }
}
