package dev.huddle.load;

import dev.huddle.client.Participant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a run measures, all on one clock ({@code System.nanoTime()}): what the clients sent (toggles,
 * joins, leaves), what the other clients of the room saw of it and how long that took, and the errors.
 * Joins and leaves are matched to their sends only while measuring (the connect phase of a burst, and
 * the run). Thread-safe: the clients' I/O threads report into it.
 */
final class Measurements {
    /** A user's toggle: the value sent and when (nanoTime). */
    private record Sent(boolean value, long atNanos) {
    }

    private final Map<String, Sent> lastSent = new ConcurrentHashMap<>();
    /**
     * When each user's client last sent a join, and a leave (nanoTime). Kept apart: a churned user may
     * be back (a join sent) before every observer has seen its leave, which must still match the leave.
     */
    private final Map<String, Long> lastJoinSent = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLeaveSent = new ConcurrentHashMap<>();
    final Latencies toggleLatencies = new Latencies();
    /** The toggle latencies whose speaker and receiver are on different servers: what crossed the cluster. */
    final Latencies acrossNodes = new Latencies();
    /** Each signed-in user's server (index in {@code --server}), to tell a delivery that crossed nodes. */
    private final Map<String, Integer> serverOf = new ConcurrentHashMap<>();
    final Latencies joinLatencies = new Latencies();
    final Latencies leaveLatencies = new Latencies();
    final AtomicLong toggles = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong matched = new AtomicLong();
    final AtomicLong joinsObserved = new AtomicLong();
    final AtomicLong leavesObserved = new AtomicLong();
    final AtomicLong churnLeaves = new AtomicLong();
    final AtomicLong churnJoins = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, Long> errorCodes = new ConcurrentHashMap<>();
    private volatile long startNanos;
    private volatile boolean measuring;

    /** Time zero of the measured phase: from now on joins and leaves are matched to their sends. */
    void start() {
        startNanos = System.nanoTime();
        measuring = true;
    }

    /** The measured phase is over: joins and leaves sent from now on are not measured. */
    void stop() {
        measuring = false;
    }

    boolean measuring() {
        return measuring;
    }

    /** Milliseconds since the measured phase started. */
    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The value a speaker's next toggle sends: the opposite of its last (false at first), recorded as sent now. */
    boolean toggle(String userId, boolean counted) {
        Sent last = lastSent.get(userId);
        boolean next = last == null || !last.value();
        lastSent.put(userId, new Sent(next, System.nanoTime()));
        if (counted) {
            toggles.incrementAndGet();
        }
        return next;
    }

    /** {@code userId}'s sessions go through server {@code server}. */
    void onServer(String userId, int server) {
        serverOf.put(userId, server);
    }

    /**
     * A counting client on server {@code receiver} received a change: a speaking update is matched to the
     * toggle that caused it.
     */
    void changeReceived(String kind, Participant entry, int receiver) {
        delivered.incrementAndGet();
        Sent sent = lastSent.get(entry.userId());
        if ("update".equals(kind) && sent != null && sent.value() == entry.speaking()) {
            long now = System.nanoTime();
            toggleLatencies.add((now - startNanos) / 1_000_000, (now - sent.atNanos()) / 1_000);
            Integer from = serverOf.get(entry.userId());
            if (from != null && from != receiver) {
                acrossNodes.add((now - startNanos) / 1_000_000, (now - sent.atNanos()) / 1_000);
            }
            matched.incrementAndGet();
        }
    }

    /** A user's client sends a join or a leave now, to measure its propagation. */
    void sent(String userId, boolean join) {
        if (measuring) {
            (join ? lastJoinSent : lastLeaveSent).put(userId, System.nanoTime());
        }
    }

    /** Another client of the room saw {@code other} come online ({@code join}) or go offline: matched to that user's last send. */
    void seen(Participant other, boolean join) {
        if (!measuring) {
            return;
        }
        long now = System.nanoTime();
        (join ? joinsObserved : leavesObserved).incrementAndGet();
        Long at = (join ? lastJoinSent : lastLeaveSent).get(other.userId());
        if (at != null) {
            (join ? joinLatencies : leaveLatencies).add((now - startNanos) / 1_000_000, (now - at) / 1_000);
        }
    }

    /** Counts {@code n} errors of {@code code} (none when {@code n} is 0). */
    void error(String code, long n) {
        if (n > 0) {
            errors.addAndGet(n);
            errorCodes.merge(code, n, Long::sum);
        }
    }

    long errors() {
        return errors.get();
    }

    Map<String, Long> errorCodes() {
        return Map.copyOf(errorCodes);
    }
}
