package dev.huddle.load.bench;

import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import java.nio.charset.StandardCharsets;
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
 * Benchmark 1: the heartbeat of a live session, on one thread (target ≥ 2 000 000 ops/s).
 *
 * <p>{@code sessions} sessions are joined up front, spread over rooms of 100, and heartbeated in turn.
 * The manual clock is paced as in production: each session is heartbeated once per 10 s interval of
 * simulated time (with 100 000 sessions the clock moves 1 ms every 10 heartbeats; with one session, 10 s
 * per heartbeat), so every heartbeat pushes its deadline later. With {@code expiry = true} the engine's
 * expiry pass also runs whenever simulated time crosses a 100 ms boundary (P5's allowance), so the lazy
 * deadline queue's re-scheduling of nodes that came due for sessions still alive — about one per two
 * heartbeats at this pacing — is paid for inside the figure, on the same thread. That is the honest
 * figure; {@code expiry = false} shows the heartbeat call alone.
 *
 * <p>{@code ids}: {@code same} passes the very String instances the engine stored at join, so hashes are
 * cached and {@code equals} succeeds on identity — the engine's best case. {@code copies} stores distinct
 * copies in the engine, so lookups compare bytes as they would for ids parsed from a request (the
 * caller's hashes stay cached). {@code parsed} builds the three ids afresh from bytes on every heartbeat,
 * as a server parsing a request does: the engine hashes them too, and the figure includes making three
 * strings (and reading the benchmark's own cold byte arrays, which a server would have hot).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class LiveHeartbeatBench {
    private static final int ROOM_SIZE = 100;
    private static final long EXPIRY_PASS_EVERY_MS = 100;

    @Param({"1", "100000"})
    public int sessions;

    @Param({"false", "true"})
    public boolean expiry;

    @Param({"same", "copies", "parsed"})
    public String ids;

    private ManualClock clock;
    private Presence presence;
    private String[] rooms;
    private String[] users;
    private String[] sessionIds;
    private byte[][] roomBytes;
    private byte[][] userBytes;
    private byte[][] sessionBytes;
    private boolean parsed;
    /** The clock moves {@code stepMs} every {@code opsPerStep} heartbeats. */
    private int opsPerStep;
    private long stepMs;
    private int next;
    private int sinceStep;
    private long nextPass;

    @Setup(Level.Trial)
    public void setUp() {
        clock = new ManualClock(Ids.T0);
        presence = Presence.builder().clock(clock).startWorker(false).build();
        Ids gen = new Ids(42);
        String[] roomIds = gen.uuids((sessions + ROOM_SIZE - 1) / ROOM_SIZE);
        rooms = new String[sessions];
        users = gen.userIds(sessions);
        sessionIds = gen.uuids(sessions);
        parsed = ids.equals("parsed");
        boolean copies = !ids.equals("same");
        roomBytes = new byte[sessions][];
        userBytes = new byte[sessions][];
        sessionBytes = new byte[sessions][];
        for (int i = 0; i < sessions; i++) {
            rooms[i] = roomIds[i / ROOM_SIZE];
            roomBytes[i] = rooms[i].getBytes(StandardCharsets.ISO_8859_1);
            userBytes[i] = users[i].getBytes(StandardCharsets.ISO_8859_1);
            sessionBytes[i] = sessionIds[i].getBytes(StandardCharsets.ISO_8859_1);
            if (copies) {
                presence.heartbeat(copy(roomBytes[i]), copy(userBytes[i]), copy(sessionBytes[i]), Ids.INTERVAL_MS);
            } else {
                presence.heartbeat(rooms[i], users[i], sessionIds[i], Ids.INTERVAL_MS);
            }
        }
        if (sessions >= Ids.INTERVAL_MS) {
            opsPerStep = (int) (sessions / Ids.INTERVAL_MS);
            stepMs = 1;
        } else {
            opsPerStep = 1;
            stepMs = Ids.INTERVAL_MS / sessions;
        }
        nextPass = clock.millis() + EXPIRY_PASS_EVERY_MS;
    }

    private static String copy(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        presence.close();
    }

    @Benchmark
    public HeartbeatResult heartbeat() {
        int i = next;
        next = i + 1 == sessions ? 0 : i + 1;
        if (++sinceStep == opsPerStep) {
            sinceStep = 0;
            long now = clock.advance(stepMs);
            if (expiry && now >= nextPass) {
                nextPass = now + EXPIRY_PASS_EVERY_MS;
                // one batch per call while the worker thread is off; loop as the worker's pass does
                while (presence.expireDue() > 0) {
                }
            }
        }
        if (parsed) {
            return presence.heartbeat(copy(roomBytes[i]), copy(userBytes[i]), copy(sessionBytes[i]), Ids.INTERVAL_MS);
        }
        return presence.heartbeat(rooms[i], users[i], sessionIds[i], Ids.INTERVAL_MS);
    }
}
