package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RoomWindowTest {
    private static final long MS50 = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    @DisplayName("S3: a room of up to 1 000 subscribers batches a burst per HUDDLE_WS_ROOM_BATCH_MS")
    void ordinaryRoomsKeepTheWindow() {
        assertThat(LiveHub.batchWindowNanos(MS50, 0)).isEqualTo(MS50);
        assertThat(LiveHub.batchWindowNanos(MS50, 100)).isEqualTo(MS50);
        assertThat(LiveHub.batchWindowNanos(MS50, 1000)).isEqualTo(MS50);
    }

    @Test
    @DisplayName("S3: a bigger room's window widens in proportion, so a burst sends at most 20 000 frames a second however big the room")
    void bigRoomsWidenIt() {
        assertThat(LiveHub.batchWindowNanos(MS50, 2000)).isEqualTo(2 * MS50);
        assertThat(LiveHub.batchWindowNanos(MS50, 5000)).isEqualTo(5 * MS50);
        for (int subscribers : new int[] {1001, 2000, 3333, 10_000}) {
            double framesPerSecond = subscribers * 1e9 / LiveHub.batchWindowNanos(MS50, subscribers);
            assertThat(framesPerSecond).isLessThanOrEqualTo(20_000.0001);
        }
    }

    @Test
    @DisplayName("S3: with batching off (0 ms) no room waits, whatever its size")
    void offStaysOff() {
        assertThat(LiveHub.batchWindowNanos(0, 5000)).isZero();
    }
}
