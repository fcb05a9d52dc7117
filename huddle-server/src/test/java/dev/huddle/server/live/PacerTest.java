package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pacing of flags and room fan-out (FlagGate, LiveHub), on times passed in: no sleeps. */
class PacerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 1_000_000 * MS; // any nanoTime-style origin

    private final Pacer pacer = new Pacer();

    /** Sends as many as are due at {@code now}, as an owner does; returns how many went. */
    private int sendAllDue(long now, long window, int wanted) {
        int sent = 0;
        while (sent < wanted && pacer.wait(now, window) <= 0) {
            pacer.take(now, window);
            sent++;
        }
        return sent;
    }

    @Test
    @DisplayName("S3: a fresh bucket lets 3 sends go at once; the 4th is due one window later")
    void burstThenOnePerWindow() {
        assertThat(sendAllDue(T0, 50 * MS, 10)).isEqualTo(Pacer.BURST);
        assertThat(pacer.wait(T0, 50 * MS)).isEqualTo(50 * MS);
        assertThat(pacer.wait(T0 + 49 * MS, 50 * MS)).isEqualTo(MS);
        assertThat(sendAllDue(T0 + 50 * MS, 50 * MS, 10)).isEqualTo(1);
        assertThat(pacer.wait(T0 + 50 * MS, 50 * MS)).isEqualTo(50 * MS);
    }

    @Test
    @DisplayName("S3: an ordinary room never waits: one send a window or less, forever")
    void steadyTrafficNeverWaits() {
        for (int i = 0; i < 100; i++) {
            long now = T0 + i * 50 * MS;
            assertThat(pacer.wait(now, 50 * MS)).isLessThanOrEqualTo(0);
            pacer.take(now, 50 * MS);
        }
    }

    @Test
    @DisplayName("S3: after a quiet spell the whole burst is back, and no more than that")
    void refillsToTheBurstOnly() {
        sendAllDue(T0, 50 * MS, 10);
        assertThat(sendAllDue(T0 + 10_000 * MS, 50 * MS, 10)).isEqualTo(Pacer.BURST);
    }

    @Test
    @DisplayName("S3: a room that shrank after a burst waits no longer than its size now allows")
    void shrunkRoomWaitsItsNewWindowOnly() {
        long big = 500 * MS; // the window of a 10 000-subscriber room
        assertThat(sendAllDue(T0, big, 10)).isEqualTo(Pacer.BURST);
        assertThat(pacer.wait(T0, big)).isEqualTo(big);
        // Most subscribers left: the room's window is back to 50 ms. Without the cap the next send
        // would wait for the big window's debt, 500 ms; with it, one small window.
        assertThat(pacer.wait(T0, 50 * MS)).isEqualTo(50 * MS);
        assertThat(sendAllDue(T0 + 50 * MS, 50 * MS, 10)).isEqualTo(1);
    }

    @Test
    @DisplayName("S3: a room that grows is paced by its wider window from then on")
    void grownRoomWaitsTheWiderWindow() {
        sendAllDue(T0, 50 * MS, 10);
        sendAllDue(T0 + 50 * MS, 100 * MS, 10);
        long now = T0 + 50 * MS;
        for (int i = 0; i < 5; i++) {
            assertThat(pacer.wait(now, 100 * MS)).isEqualTo(100 * MS);
            now += 100 * MS;
            assertThat(sendAllDue(now, 100 * MS, 10)).isEqualTo(1);
        }
    }
}
