package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Expiry on Redis (P5, P7): reads due sessions from every partition's deadline set (read-only,
 * pipelined) and ends each with a compare-and-delete script ({@code end_due}) that ends it only if its
 * deadline is still the one read and is due. Every node may run it at once; a session ends exactly
 * once. A pending session past its reclaim time is removed the same way, silently.
 */
final class Expiry {
    private final Commands redis;
    private final KeyLayout keys;
    private final RoomWrites writes;
    private final SessionClaims claims;
    private final Leases leases;
    /** Sessions this node's calls ended (each session is ended by exactly one node). */
    private final LongAdder expired = new LongAdder();

    Expiry(Commands redis, KeyLayout keys, RoomWrites writes, SessionClaims claims, Leases leases) {
        this.redis = redis;
        this.keys = keys;
        this.writes = writes;
        this.claims = claims;
        this.leases = leases;
    }

    private static final long NONE = Long.MIN_VALUE;
    /** The earliest deadline the last {@link #expire} pass left, until {@link #earliestDeadline} takes it. */
    private final AtomicLong afterPass = new AtomicLong(NONE);

    /** A due session (sessionId, roomId), or a due lease ({@code lease} names its node; roomId is null). */
    private record Due(String sessionId, long deadline, String roomId, String lease, int partition) {
    }

    /**
     * The store's {@code expire}: ends up to {@code maxSessions} sessions due at {@code now}; returns how
     * many it tried. Reads every partition's earliest deadline first (one command each, pipelined) and the
     * due range only of the partitions that have one due, so a pass that finds nothing due — the common
     * wake-up at a deadline the keep-alive has renewed meanwhile — costs one command per partition; the
     * earliest deadline it leaves behind is kept for the {@link #earliestDeadline} call that follows.
     */
    int expire(long now, int maxSessions) {
        long[] earliest = readEarliest(null);
        Range<Long> due = Range.from(Range.Boundary.unbounded(), Range.Boundary.including(now));
        List<RedisFuture<List<ScoredValue<byte[]>>>> reads = new ArrayList<>();
        List<Integer> readPartitions = new ArrayList<>();
        boolean[] touched = new boolean[keys.partitions()];
        for (int p = 0; p < keys.partitions(); p++) {
            if (earliest[p] <= now) {
                touched[p] = true;
                reads.add(redis.async().zrangebyscoreWithScores(keys.deadlines(p), due, Limit.create(0, maxSessions)));
                readPartitions.add(p);
            }
        }
        List<Due> all = new ArrayList<>();
        for (int r = 0; r < reads.size(); r++) {
            for (ScoredValue<byte[]> v : redis.get(reads.get(r))) {
                byte[] m = v.getValue();
                if (m.length > 0 && m[0] == '@') { // a node's lease that ran out (Leases)
                    String leaseNode = Wire.s(m).substring(1);
                    all.add(new Due(leaseNode, (long) v.getScore(), null, leaseNode, readPartitions.get(r)));
                    continue;
                }
                List<String> member = Wire.netstrings(m, 0); // sessionId, roomId
                all.add(new Due(member.get(0), (long) v.getScore(), member.get(1), null, readPartitions.get(r)));
            }
        }
        // End them in the order they died, across partitions, as the in-memory store does.
        all.sort(Comparator.comparingLong(Due::deadline).thenComparing(Due::sessionId));
        int n = Math.min(maxSessions, all.size());
        // The ended sessions' claims live on other masters: release them all at the end, in one pipeline
        // (also if a later end fails), rather than one round trip per session.
        List<Object> ended = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Due d = all.get(i);
                if (d.lease() != null) {
                    // its sessions get deadlines of their own, which this pass's re-read finds
                    leases.release(d.partition(), d.lease(), d.deadline(), now);
                    continue;
                }
                List<Object> r = writes.write(Scripts.END_DUE, d.roomId(), (args, merged) -> {
                    args.add(b(d.sessionId()));
                    args.add(b(d.deadline()));
                    args.add(b(now));
                });
                if (RoomWrites.ok(r)) {
                    ended.addAll(Wire.list(r.get(1)));
                    expired.increment();
                }
            }
        } finally {
            claims.release(ended);
        }
        // The partitions this pass changed are read again; the others' earliest stands.
        long[] after = reads.isEmpty() ? earliest : readEarliest(touched);
        long min = Long.MAX_VALUE;
        for (int p = 0; p < after.length; p++) {
            min = Math.min(min, touched[p] ? after[p] : earliest[p]);
        }
        afterPass.set(min);
        return n;
    }

    /** How many sessions this node's expiry has ended so far. */
    long expired() {
        return expired.sum();
    }

    /**
     * The earliest deadline over every partition ({@code Long.MAX_VALUE} if none). Right after an
     * {@link #expire} on this thread's worker it is the one that pass read (once), as the worker asks for
     * it at once: a deadline another node adds in between is that node's worker's to wake for.
     */
    long earliestDeadline() {
        long cached = afterPass.getAndSet(NONE);
        if (cached != NONE) {
            return cached;
        }
        long earliest = Long.MAX_VALUE;
        for (long e : readEarliest(null)) {
            earliest = Math.min(earliest, e);
        }
        return earliest;
    }

    /** Each partition's earliest deadline ({@code Long.MAX_VALUE}: none), pipelined; only {@code which} if given. */
    private long[] readEarliest(boolean[] which) {
        long[] out = new long[keys.partitions()];
        List<RedisFuture<List<ScoredValue<byte[]>>>> reads = new ArrayList<>(keys.partitions());
        for (int p = 0; p < keys.partitions(); p++) {
            reads.add(which == null || which[p] ? redis.async().zrangeWithScores(keys.deadlines(p), 0, 0) : null);
        }
        for (int p = 0; p < out.length; p++) {
            out[p] = Long.MAX_VALUE;
            if (reads.get(p) != null) {
                for (ScoredValue<byte[]> v : redis.get(reads.get(p))) {
                    out[p] = (long) v.getScore();
                }
            }
        }
        return out;
    }
}
