package dev.huddle.load.bench;

import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jol.info.GraphLayout;

/**
 * Benchmark 6: memory per live session (target ≤ 512 bytes: entry, session, tokens, indexes).
 *
 * <p>Not a JMH benchmark: it builds {@code sessions} live sessions in a listener-free engine —
 * 36-character UUID session ids, 20-character user ids, one session per user, spread over {@code rooms}
 * rooms — and reports (used heap after − used heap before) / sessions, each reading taken after several
 * full GCs; run it with {@code -XX:+UseSerialGC} for a stable reading. The ids are made inside the
 * measured window and kept only by the engine, as a server's request strings would be. It then walks the
 * engine's object graph with JOL for an exact figure and a per-class breakdown. Both are repeated with
 * the five huddle data keys (H5) on every session.
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -Xmx2g -cp huddle-load/target/benchmarks.jar
 * -Djdk.attach.allowAttachSelf=true dev.huddle.load.bench.SessionFootprint [sessions] [rooms] [jol|nojol]}
 */
public final class SessionFootprint {
    /** The target of issue 2. */
    static final long TARGET_BYTES = 512;

    private SessionFootprint() {
    }

    public static void main(String[] args) {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        boolean jol = args.length <= 2 || !args[2].equals("nojol");
        System.out.printf(Locale.ROOT, "SessionFootprint: %,d live sessions, 1 per user, %,d rooms, %s, max heap %,d MB%n",
                sessions, rooms, System.getProperty("java.vm.name") + " " + Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20);
        measure("no data", sessions, rooms, false, jol);
        measure("5-key data", sessions, rooms, true, jol);
    }

    private static void measure(String label, int sessions, int rooms, boolean withData, boolean walk) {
        boolean jol = walk;
        Ids gen = new Ids(withData ? 2 : 1);
        String[] roomIds = gen.uuids(rooms);
        ManualClock clock = new ManualClock(Ids.T0);
        // -Dfootprint.changeLog=N sets the per-room resume log (default 1 024); with 1, the figure is the
        // session's own state (entry, session, tokens, indexes) without the recent joins the log retains.
        int changeLog = Integer.getInteger("footprint.changeLog", 1_024);
        Presence presence = Presence.builder().clock(clock).changeLogCapacity(changeLog).startWorker(false).build();
        long emptyGraph = jol ? graphSize(presence) : 0;
        jol = emptyGraph >= 0;

        long before = usedAfterGc();
        for (int i = 0; i < sessions; i++) {
            if (i % 1_000 == 0) {
                clock.advance(1);
            }
            String user = gen.userId();
            Map<String, String> data = withData ? Ids.huddleData(user) : null;
            presence.heartbeat(roomIds[i % rooms], user, gen.uuid(), Ids.INTERVAL_MS, data);
        }
        long after = usedAfterGc();
        Reference.reachabilityFence(presence);

        double perSession = (after - before) / (double) sessions;
        System.out.printf(Locale.ROOT, "RESULT heap  [%s]: %.1f bytes per live session (%,d bytes for %,d sessions; target <= %d) -> %s%n",
                label, perSession, after - before, sessions, TARGET_BYTES, perSession <= TARGET_BYTES ? "MET" : "MISSED");
        if (jol) {
            GraphLayout graph = GraphLayout.parseInstance(presence);
            double exact = (graph.totalSize() - emptyGraph) / (double) sessions;
            System.out.printf(Locale.ROOT, "RESULT jol   [%s]: %.1f bytes per live session (engine graph %,d bytes, %,d objects; empty engine %,d bytes)%n",
                    label, exact, graph.totalSize(), graph.totalCount(), emptyGraph);
            System.out.println("Per class, whole engine (count, bytes, per session):");
            printTop(graph, sessions, 22);
        }
        presence.close();
    }

    private static void printTop(GraphLayout graph, int sessions, int n) {
        graph.getClasses().stream()
                .sorted((a, b) -> Long.compare(graph.getClassSizes().count(b), graph.getClassSizes().count(a)))
                .limit(n)
                .forEach(c -> {
                    long count = graph.getClassCounts().count(c);
                    long bytes = graph.getClassSizes().count(c);
                    System.out.printf(Locale.ROOT, "  %10d %12d %8.1f  %s%n", count, bytes, bytes / (double) sessions, c.getName());
                });
    }

    /** The engine graph's size, or -1 when JOL cannot walk it (it needs -Djdk.attach.allowAttachSelf=true). */
    private static long graphSize(Object root) {
        try {
            return GraphLayout.parseInstance(root).totalSize();
        } catch (RuntimeException e) {
            System.out.println("JOL cannot walk the engine (" + e.getMessage()
                    + "); run with -Djdk.attach.allowAttachSelf=true for the exact figure");
            return -1;
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc(); // a full, synchronous collection with the serial (and G1) collector
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
