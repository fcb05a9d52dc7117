package dev.huddle.load;

import java.util.List;

/**
 * What a load run measured. Latencies are from the sender's action (a flag toggle) to each
 * subscriber's receipt of the resulting change, one clock on one machine.
 */
public record Report(
        int users, int rooms, long durationMs,
        int sessionsConnected, long togglesSent, long changesDelivered, long updatesMatched,
        long latencySamples, double p50Ms, double p90Ms, double p99Ms, double maxMs,
        long errors, java.util.Map<String, Long> errorCodes, long resyncs, long reconnects, long churnLeaves,
        double serverCpuSeconds, double serverPeakRssMiB,
        List<long[]> histogram, List<long[]> perSecond, List<Connection> connections) {

    /** One connection's view of its room at the end: the first snapshot's seq, what it applied, where it ended. */
    public record Connection(String room, long firstSeq, long changesApplied, long finalSeq) {
    }
}
