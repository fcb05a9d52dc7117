package dev.huddle.load;

import java.util.List;
import java.util.Map;

/**
 * What a load run measured, all on one clock on one machine.
 *
 * <p>The top-level latency fields (p50Ms … maxMs, histogram, perSecond) are speaking toggles: from
 * the toggle to each subscriber's receipt of the resulting change (scenario 1). {@code joins} and
 * {@code leaves} run from the moment a user's client sends its join (its socket is open) or its
 * leave, to each other client of the room seeing that user come online or go offline. {@code crash}
 * is present only when clients were killed; {@code consistency} compares every client's final list
 * with the server's.
 *
 * <p>{@code errors} counts everything that went wrong: error replies from the server (by code), and
 * the consistency and crash checks' findings ({@code ghost}, {@code missing}, {@code duplicate},
 * {@code server_ghost}, {@code server_missing}, {@code offline_late}, {@code offline_not_seen}), and
 * {@code warmup_not_converged} when the clients still disagreed at the end of the warm-up.
 *
 * <p>{@code acrossNodes} is the toggle latencies whose speaker and receiver used different servers
 * (empty with one server): end to end across the cluster's nodes.
 */
public record Report(
        int users, int rooms, long durationMs, long warmupMs,
        int sessionsConnected, long togglesSent, long changesDelivered, long updatesMatched,
        long latencySamples, double p50Ms, double p90Ms, double p99Ms, double maxMs,
        long errors, Map<String, Long> errorCodes, long resyncs, long reconnects, long churnLeaves,
        double serverCpuSeconds, double serverPeakRssMiB,
        List<long[]> histogram, List<long[]> perSecond, List<Connection> connections,
        double joinWindowMs, long churnJoins, long joinsObserved, long leavesObserved,
        Latency joins, Latency leaves, long serverResyncs, long serverTooSlow,
        Consistency consistency, Crash crash, Latency acrossNodes) {

    /** One connection's view of its room at the end: the first snapshot's seq, what it applied, where it ended. */
    public record Connection(String room, long firstSeq, long changesApplied, long finalSeq) {
    }

    /**
     * One series of latencies: count, percentiles in ms, a histogram {@code {upper bound µs, count}}
     * and {@code {second, count, p50 µs, p99 µs, max µs}} per second of the run.
     */
    public record Latency(long samples, double p50Ms, double p90Ms, double p99Ms, double maxMs,
            List<long[]> histogram, List<long[]> perSecond) {
    }

    /**
     * Every live client's list of online users compared, at the end, with its room's reference: the
     * server's own list ({@code GET /api/presence/list}) where that holds every online user (fewer
     * than the API's limit of 1 000), else the users the tool itself holds online there.
     *
     * @param clientsExact clients whose list equals the reference exactly, without duplicates
     * @param ghosts users a client shows online that the reference does not hold (summed over clients)
     * @param missing users of the reference a client does not show online (summed over clients)
     * @param duplicates extra rows for one user, in clients' views and in the server's lists
     * @param serverGhosts users the server lists online although the tool has no live session for them
     * @param serverMissing users with a live session in the tool whom the server does not list online
     */
    public record Consistency(int rooms, int roomsComparedWithServer, int clientsChecked, int clientsExact,
            long ghosts, long missing, long duplicates, long serverGhosts, long serverMissing) {
    }

    /**
     * Clients killed without a goodbye, and how long until every remaining client of their room
     * showed them offline.
     *
     * @param boundMs 2.5 × interval (the longest a session can live after its last frame, P1) + 500 ms
     * @param killToOffline from the kill to the last observer's receipt of the leave, per killed session
     * @param overBound killed sessions whose kill-to-offline exceeded {@code boundMs}
     * @param deadlineToOffline from the session's deadline (the leave's {@code lastDisconnected}) to the
     *     last observer's receipt, per killed session: the target is ≤ 500 ms
     * @param overDeadline killed sessions shown offline more than 500 ms after their deadline
     */
    public record Crash(int killed, int seenOfflineByAll, int observers, double boundMs, Latency killToOffline,
            long overBound, Latency deadlineToOffline, long overDeadline) {
    }
}
