package dev.huddle.load.bench;

import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Benchmarks 2 and 3: the first heartbeat of a new session (a join, target ≥ 300 000 ops/s) and an
 * immediate disconnect, one thread.
 *
 * <p>Memory stays bounded by measuring in batches: each invocation gets a fresh engine (built outside the
 * timed region) whose 100 rooms already exist with a token, and performs {@value #BATCH} operations in it,
 * so the figure includes the growth of the engine's maps as its rooms fill up. Every join is a new user
 * with a new 36-character session id, so it draws a session token from the engine's SecureRandom and emits
 * a {@code join}; every disconnect ends its user's last session and emits a {@code leave}.
 * {@code joinThenDisconnect} is the steady-state cross-check: one op = a join and the disconnect of that
 * session, in one long-lived engine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JoinBench {
    static final int BATCH = 10_000;
    private static final int ROOMS = 100;
    private static final String HOST = "usr_host000000000000";

    /** The ids of one batch, and an engine per invocation. */
    @State(Scope.Thread)
    public static class Batch {
        final String[] roomIds;
        final String[] rooms = new String[BATCH];
        final String[] users;
        final String[] ids;
        final String[] tokens = new String[BATCH];
        Presence presence;

        public Batch() {
            Ids gen = new Ids(7);
            roomIds = gen.uuids(ROOMS);
            for (int i = 0; i < BATCH; i++) {
                rooms[i] = roomIds[i % ROOMS];
            }
            users = gen.userIds(BATCH);
            ids = gen.uuids(BATCH);
        }

        /** A fresh engine whose rooms exist (one host each). */
        void freshEngine() {
            close();
            presence = Presence.builder().clock(new ManualClock(Ids.T0)).startWorker(false).build();
            for (String room : roomIds) {
                presence.heartbeat(room, HOST, "host-" + room, Ids.INTERVAL_MS);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (presence != null) {
                presence.close();
                presence = null;
            }
        }
    }

    /** A fresh engine with no users but the hosts. */
    @State(Scope.Thread)
    public static class Empty extends Batch {
        @Setup(Level.Invocation)
        public void setUp() {
            freshEngine();
        }
    }

    /** A fresh engine with the batch's sessions live. */
    @State(Scope.Thread)
    public static class Joined extends Batch {
        @Setup(Level.Invocation)
        public void setUp() {
            freshEngine();
            for (int i = 0; i < BATCH; i++) {
                tokens[i] = presence.heartbeat(rooms[i], users[i], ids[i], Ids.INTERVAL_MS).sessionToken();
            }
        }
    }

    /** One long-lived engine for the steady-state pair. */
    @State(Scope.Thread)
    public static class Steady extends Batch {
        long ops;

        @Setup(Level.Trial)
        public void setUp() {
            freshEngine();
        }
    }

    /** BATCH first heartbeats of new sessions of new users (each emits {@code join}). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void join(Empty b, Blackhole bh) {
        Presence p = b.presence;
        String[] rooms = b.rooms;
        String[] users = b.users;
        String[] ids = b.ids;
        for (int i = 0; i < BATCH; i++) {
            bh.consume(p.heartbeat(rooms[i], users[i], ids[i], Ids.INTERVAL_MS));
        }
    }

    /** BATCH immediate disconnects of live sessions, each its user's last (each emits {@code leave}). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void disconnect(Joined b, Blackhole bh) {
        Presence p = b.presence;
        String[] tokens = b.tokens;
        for (int i = 0; i < BATCH; i++) {
            bh.consume(p.disconnect(tokens[i]));
        }
    }

    /** Steady state, one engine: a join then the disconnect of that session; one op = both. */
    @Benchmark
    public boolean joinThenDisconnect(Steady b) {
        int i = (int) (b.ops++ % BATCH);
        // an ended session is forgotten, so its id comes back as a brand-new session (a new token, a join)
        HeartbeatResult r = b.presence.heartbeat(b.rooms[i], b.users[i], b.ids[i], Ids.INTERVAL_MS);
        return b.presence.disconnect(r.sessionToken());
    }
}
