package dev.huddle.load.bench;

import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 4: 100 000 sessions expiring at once (target &lt; 300 ms for the whole pass).
 *
 * <p>Each invocation builds, outside the timed region, a fresh engine with {@value #SESSIONS} live
 * sessions (one per user) spread over {@code rooms} rooms, their deadlines spread over one second of
 * joins, then moves the clock past every deadline. The timed part is the expiry worker's pass
 * ({@code expireDue()} until nothing is due), batch by batch, ending every session and emitting every
 * {@code leave}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class ExpiryBench {
    static final int SESSIONS = 100_000;

    /** 100 rooms of 1 000, or 1 000 rooms of 100. */
    @Param({"100", "1000"})
    public int rooms;

    private String[] roomOf;
    private String[] users;
    private String[] ids;
    private Presence presence;
    private int expired;

    @Setup(Level.Trial)
    public void ids() {
        Ids gen = new Ids(11);
        String[] roomIds = gen.uuids(rooms);
        roomOf = new String[SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
            roomOf[i] = roomIds[i % rooms];
        }
        users = gen.userIds(SESSIONS);
        ids = gen.uuids(SESSIONS);
    }

    @Setup(Level.Invocation)
    public void join() {
        ManualClock clock = new ManualClock(Ids.T0);
        presence = Presence.builder().clock(clock).startWorker(false).build();
        for (int i = 0; i < SESSIONS; i++) {
            if (i % 100 == 0) {
                clock.advance(1);
            }
            presence.heartbeat(roomOf[i], users[i], ids[i], Ids.INTERVAL_MS);
        }
        clock.advance(Presence.deadline(0, Ids.INTERVAL_MS) + 1);
        expired = 0;
    }

    @TearDown(Level.Invocation)
    public void check() {
        if (presence.expireDue() != 0 || expired != SESSIONS) {
            throw new IllegalStateException("expected the pass to expire " + SESSIONS + ", it examined " + expired);
        }
        presence.close();
        presence = null;
    }

    /**
     * The expiry pass. {@code expireDue()} of an engine whose worker thread was never started ends only
     * one batch (1 024) per call, so it is called until nothing is due, which is what the running
     * worker's own pass does.
     */
    @Benchmark
    public int expireAll() {
        int total = 0;
        for (int n; (n = presence.expireDue()) > 0; ) {
            total += n;
        }
        return expired = total;
    }
}
