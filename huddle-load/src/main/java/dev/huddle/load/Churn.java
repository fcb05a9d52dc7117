package dev.huddle.load;

import dev.huddle.client.RoomConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Churn ({@code --churn-per-second}): a random online non-speaker says goodbye (a real leave, no grace)
 * and comes back after an exponential time away as a new session of the same user, as a user closing
 * the page and opening it again would: a real leave, then a real join.
 */
final class Churn {
    private final List<SimulatedUser> live;
    private final long awayMeanMs;
    private final Measurements measured;
    private final ScheduledExecutorService timers;
    private final Random random;

    Churn(List<SimulatedUser> live, long awayMeanMs, Measurements measured, ScheduledExecutorService timers, Random random) {
        this.live = live;
        this.awayMeanMs = awayMeanMs;
        this.measured = measured;
        this.timers = timers;
        this.random = random;
    }

    /** Runs {@code perSecond} churn steps a second on the timers until they stop. */
    void start(double perSecond) {
        long everyMicros = Math.max(1, (long) (1_000_000 / perSecond));
        timers.scheduleAtFixedRate(this::step, everyMicros, everyMicros, TimeUnit.MICROSECONDS);
    }

    private void step() {
        List<SimulatedUser> candidates = new ArrayList<>();
        for (SimulatedUser u : live) {
            if (!u.speaker && u.status() == RoomConnection.Status.JOINED) {
                candidates.add(u);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        SimulatedUser gone = candidates.get(random.nextInt(candidates.size()));
        live.remove(gone);
        measured.sent(gone.userId(), false);
        gone.conn.leave(0);
        measured.churnLeaves.incrementAndGet();
        long awayMs = (long) (-Math.log(1 - random.nextDouble()) * awayMeanMs);
        timers.schedule(() -> {
            SimulatedUser back = gone.again();
            back.counting = true; // a churned-in session counts deliveries from its snapshot on (firstSeq stays -1)
            live.add(back);
            back.open();
            measured.churnJoins.incrementAndGet();
        }, awayMs, TimeUnit.MILLISECONDS);
    }
}
