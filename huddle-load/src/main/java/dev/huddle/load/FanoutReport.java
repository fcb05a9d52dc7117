package dev.huddle.load;

import java.util.List;
import java.util.Locale;

/**
 * What one fan-out run measured (docs/BENCHMARKS.md, "Fan-out"): one room of {@code members}, each
 * phase's events issued one at a time, each after every observer saw the previous one.
 *
 * @param members sockets in the room, all subscribed
 * @param observers of them, the ones decoding and timing
 * @param phases join, toggle and leave, in that order
 * @param idleCpuPercent server CPU over {@code idleMs} with everyone joined and nobody doing anything, in % of one core
 * @param serverThreads the server's threads with everyone joined (after the idle window)
 * @param heapAfterGcMiB the server's heap after a full GC with everyone joined
 * @param errors events not seen by every observer in time, plus frames an observer could not read
 */
public record FanoutReport(int members, int observers, List<Phase> phases, long idleMs, double idleCpuPercent,
        ServerProcess.Pauses idleGc, int serverThreads, double heapAfterGcMiB, long errors) {

    /**
     * One phase: its events, the latency of each until the last observer saw it, and what the server spent.
     *
     * @param frames change frames the server fanned out in the phase (its {@code huddle_ws_change_frames_total})
     * @param framesReceived change frames the members' sockets received in the phase
     * @param cpuMicrosPerFrame server CPU (user + system) over the phase, divided by {@code frames}
     * @param sysMicrosPerFrame of that, the kernel's part (system time)
     */
    public record Phase(String name, int events, int seenByAll, double p50Ms, double p99Ms, double maxMs,
            double cpuSeconds, long frames, long framesReceived, double cpuMicrosPerFrame, double sysMicrosPerFrame,
            ServerProcess.Pauses gc) {
    }

    /** The report as the lines the tool prints: one per phase, then the idle figures. */
    String text() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "fanout members=%d observers=%d errors=%d%n",
                members, observers, errors));
        for (Phase p : phases) {
            s.append(String.format(Locale.ROOT,
                    "phase %-6s events %d seen-by-all %d | p50 %.2f ms p99 %.2f ms max %.2f ms | server cpu %.2f s, "
                            + "%d frames (%d received), %.2f us/frame (sys %.2f) | gc pauses %d max %.1f ms%n",
                    p.name(), p.events(), p.seenByAll(), p.p50Ms(), p.p99Ms(), p.maxMs(), p.cpuSeconds(), p.frames(),
                    p.framesReceived(), p.cpuMicrosPerFrame(), p.sysMicrosPerFrame(), p.gc().count(), p.gc().maxMs()));
        }
        s.append(String.format(Locale.ROOT, "idle %d s: server cpu %.2f %% of a core, gc pauses %d | threads %d | heap after gc %.1f MiB",
                idleMs / 1000, idleCpuPercent, idleGc.count(), serverThreads, heapAfterGcMiB));
        return s.toString();
    }
}
