package dev.huddle.load;

import dev.huddle.client.RoomConnection;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The speakers' toggling: each speaker flips its speaking flag after exponential gaps of mean {@code --toggle-mean-ms}. */
final class Toggles {
    private final long meanMs;
    private final Measurements measured;

    Toggles(long meanMs, Measurements measured) {
        this.meanMs = meanMs;
        this.measured = measured;
    }

    /** Schedules {@code c}'s next toggle on {@code timers}, and the one after it, until the timers stop; {@code counted}: in the report. */
    void schedule(ScheduledExecutorService timers, RoomConnection c, Random rnd, boolean counted) {
        long delay = Math.max(1, (long) (-Math.log(1 - rnd.nextDouble()) * meanMs));
        timers.schedule(() -> {
            c.setFlags(measured.toggle(c.userId(), counted), null);
            schedule(timers, c, rnd, counted);
        }, delay, TimeUnit.MILLISECONDS);
    }
}
