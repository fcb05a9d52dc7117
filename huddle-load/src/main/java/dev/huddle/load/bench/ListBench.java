package dev.huddle.load.bench;

import dev.huddle.presence.Entry;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import java.util.List;
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
 * Benchmark 5: {@code list(roomToken, limit)} of a room of 1 000 users, each with the five huddle data
 * keys; {@code offline} of them have left (at distinct times), the rest are online. Limit 104 is P8's
 * default, 1 000 the maximum.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ListBench {
    private static final int USERS = 1_000;

    @Param({"104", "1000"})
    public int limit;

    @Param({"0", "200"})
    public int offline;

    private Presence presence;
    private String roomToken;

    @Setup(Level.Trial)
    public void setUp() {
        ManualClock clock = new ManualClock(Ids.T0);
        presence = Presence.builder().clock(clock).startWorker(false).build();
        Ids gen = new Ids(3);
        String room = gen.uuid();
        String[] tokens = new String[USERS];
        for (int i = 0; i < USERS; i++) {
            String user = gen.userId();
            clock.advance(1);
            var r = presence.heartbeat(room, user, gen.uuid(), Ids.INTERVAL_MS, Ids.huddleData(user));
            roomToken = r.roomToken();
            tokens[i] = r.sessionToken();
        }
        for (int i = 0; i < offline; i++) {
            clock.advance(1);
            presence.disconnect(tokens[i * (USERS / Math.max(1, offline))]);
        }
        if (presence.list(roomToken, USERS).size() != USERS) {
            throw new IllegalStateException("room is not full");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        presence.close();
    }

    @Benchmark
    public List<Entry> list() {
        return presence.list(roomToken, limit);
    }
}
