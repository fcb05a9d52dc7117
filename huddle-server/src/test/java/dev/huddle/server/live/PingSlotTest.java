package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PingSlotTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long SLOT = Liveness.SLOT_NANOS;

    @Test
    @DisplayName("T1: sockets opened at scattered instants ping in shared slots of 1 s, never sooner than one interval after opening")
    void scatteredSocketsShareSlots() {
        long every = 10 * SECOND;
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 1000; i++) {
            long openedAt = random.nextLong() >>> 2; // nanoTime may be anything, negative included
            openedAt = random.nextBoolean() ? openedAt : -openedAt;
            long first = Liveness.firstPingNanos(openedAt, every);
            assertThat(first).as("seed %d", seed).isBetween(every, every + SLOT - 1);
            assertThat(Math.floorMod(openedAt + first, SLOT)).as("seed %d", seed).isZero();
        }
    }

    @Test
    @DisplayName("T1: with an interval under 1 s (a ping interval may be shorter than a session's) the slot shrinks to a tenth of it, so the first ping comes well within the session's deadline")
    void shortIntervalsUseFinerSlots() {
        long every = TimeUnit.MILLISECONDS.toNanos(600);
        long first = Liveness.firstPingNanos(12_345_678_901L, every);
        assertThat(first).isBetween(every, every + every / 10 - 1);
        assertThat(Math.floorMod(12_345_678_901L + first, every / 10)).isZero();
        assertThat(first).isLessThan(every * 5 / 2); // P1: the deadline is 2.5 × interval
    }
}
