package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import dev.huddle.presence.Hold;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ZAddArgs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Predicate;

/**
 * The node lease on Redis (redis-store.md, "Keep-alive: the node lease"). A node's lease is one member
 * per partition, {@code @<node>} in the partition's deadline set, scored with its expiry; the sessions
 * it holds there sit in the partition's held set instead of the deadline set. Lease, held set
 * and sessions share the partition's slot, so holding, releasing and ending are each one atomic script.
 * Renewing is one {@code ZADD GT} per partition the node has held in, pipelined: O(partitions) per
 * node per tick, nothing per session. A session's id claim (P2) lives in another slot: it is re-asserted
 * whenever the session is held, which the keep-alive repeats every quarter of the claim grace
 * ({@link #refreshMs}), so the claim outlives its held session at one claim write per 15 minutes per
 * session at the default grace.
 */
final class Leases {
    /** Sessions per script: a batch of this many is a few milliseconds of Redis time. */
    static final int PER_SCRIPT = 1_000;

    private final Commands redis;
    private final KeyLayout keys;
    private final SessionClaims claims;
    private final String node;
    private final byte[] member;
    private final long refreshMs;
    /** Per partition: 1 once this node has a lease there (it keeps renewing it until it stops). */
    private final AtomicIntegerArray leased;
    /** Per partition: 1 when a hold found this node's lease gone since the last renewal. */
    private final AtomicIntegerArray lost;

    Leases(Commands redis, KeyLayout keys, SessionClaims claims, String node, long claimGraceMs) {
        this.redis = redis;
        this.keys = keys;
        this.claims = claims;
        this.node = node;
        this.member = b("@" + node);
        this.refreshMs = Math.max(1, claimGraceMs / 4);
        this.leased = new AtomicIntegerArray(keys.partitions());
        this.lost = new AtomicIntegerArray(keys.partitions());
    }

    /** How often a held session must be held again: a quarter of the claim grace. */
    long refreshMs() {
        return refreshMs;
    }

    /** The store's {@code hold}: one {@code hold} script per partition (and per {@link #PER_SCRIPT}), pipelined. */
    boolean[] hold(List<Hold> holds, long now, long leaseMs) {
        boolean[] out = new boolean[holds.size()];
        Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < holds.size(); i++) {
            byPartition.computeIfAbsent(keys.partition(holds.get(i).roomId()), p -> new ArrayList<>()).add(i);
        }
        List<Commands.Pending> calls = new ArrayList<>();
        List<List<Integer>> callItems = new ArrayList<>();
        List<Integer> callPartition = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : byPartition.entrySet()) {
            List<Integer> items = e.getValue();
            for (int from = 0; from < items.size(); from += PER_SCRIPT) {
                List<Integer> chunk = items.subList(from, Math.min(items.size(), from + PER_SCRIPT));
                calls.add(send(e.getKey(), chunk, holds, now + leaseMs, leaseMs));
                callItems.add(chunk);
                callPartition.add(e.getKey());
            }
        }
        for (int c = 0; c < calls.size(); c++) {
            List<Object> r = calls.get(c).reply();
            int p = callPartition.get(c);
            leased.set(p, 1);
            if ("1".equals(s(r.get(0)))) {
                lost.set(p, 1);
            }
            List<Integer> chunk = callItems.get(c);
            for (int j = 0; j < chunk.size(); j++) {
                int i = chunk.get(j);
                out[i] = "1".equals(s(r.get(1 + 2 * j)));
                if (out[i]) {
                    Hold h = holds.get(i);
                    claims.refresh(h.sessionId(), (byte[]) r.get(2 + 2 * j), claims.ttl(now, now + h.timeoutMs()));
                }
            }
        }
        return out;
    }

    private Commands.Pending send(int p, List<Integer> chunk, List<Hold> holds, long expiry, long leaseMs) {
        Map<String, Integer> keyIndex = new LinkedHashMap<>();
        List<byte[]> args = new ArrayList<>(4 + 6 * chunk.size());
        args.add(b(node));
        args.add(b(expiry));
        args.add(b(leased.get(p) == 1 ? "1" : "0"));
        args.add(b(chunk.size()));
        for (int i : chunk) {
            Hold h = holds.get(i);
            // KEYS[1] the deadline set, KEYS[2] the held set; each room's sessions hash once, from KEYS[3]
            int ki = keyIndex.computeIfAbsent(keys.roomKey(p, "ses", h.roomId()), k -> keyIndex.size() + 3);
            args.add(b(ki));
            args.add(b(h.roomId()));
            args.add(b(h.sessionId()));
            args.add(b(h.userId()));
            args.add(b(h.sessionToken()));
            args.add(b(h.timeoutMs() - leaseMs));
        }
        String[] k = new String[keyIndex.size() + 2];
        k[0] = keys.deadlines(p);
        k[1] = keys.held(p);
        keyIndex.forEach((key, idx) -> k[idx - 1] = key);
        return redis.send(Scripts.HOLD, k, args.toArray(new byte[0][]));
    }

    /** The store's {@code unhold}: one script. */
    long unhold(Hold h, long deadline) {
        int p = keys.partition(h.roomId());
        List<Object> r = redis.eval(Scripts.UNHOLD,
                new String[] {keys.deadlines(p), keys.held(p), keys.roomKey(p, "ses", h.roomId())},
                b(node), b(h.roomId()), b(h.sessionId()), b(h.userId()), b(h.sessionToken()), b(deadline));
        long dl = Long.parseLong(s(r.get(0)));
        return dl < 0 ? Hold.GONE : dl;
    }

    /**
     * The store's {@code renewLease}: {@code ZADD GT} of the lease member in every partition this node has
     * a lease in, pipelined. A member that was not there any more (the reply counts it as added) means
     * another node released this node's holds there: that partition's rooms are reported lost, once.
     */
    Predicate<String> renew(long now, long leaseMs) {
        List<RedisFuture<Long>> calls = new ArrayList<>();
        List<Integer> parts = new ArrayList<>();
        for (int p = 0; p < keys.partitions(); p++) {
            if (leased.get(p) == 1) {
                calls.add(redis.async().zadd(keys.deadlines(p), ZAddArgs.Builder.gt(), (double) (now + leaseMs), member));
                parts.add(p);
            }
        }
        for (int c = 0; c < calls.size(); c++) {
            if (redis.get(calls.get(c)) == 1) {
                lost.set(parts.get(c), 1);
            }
        }
        boolean[] gone = new boolean[keys.partitions()];
        boolean any = false;
        for (int p = 0; p < gone.length; p++) {
            gone[p] = lost.getAndSet(p, 0) == 1;
            any |= gone[p];
        }
        return any ? room -> gone[keys.partition(room)] : room -> false;
    }

    /**
     * Expiry's step for a due lease member {@code @<node>} read with expiry {@code expiry}: releases that
     * node's held sessions in partition {@code p} ({@code release_lease}, compare-and-delete); true if
     * this call did it.
     */
    boolean release(int p, String leaseNode, long expiry, long now) {
        // the script must declare the sessions hash of every room the node held sessions in: read them first
        byte[] from = b(Wire.enc(leaseNode));
        byte[] to = Arrays.copyOf(from, from.length + 1);
        to[from.length] = (byte) 0xff;
        for (int attempt = 0; attempt < 5; attempt++) {
            Set<String> rooms = new LinkedHashSet<>();
            for (byte[] m : redis.get(redis.async().zrangebylex(keys.held(p), Range.create(from, to)))) {
                rooms.add(Wire.netstrings(m, 0).get(2)); // node, sessionId, roomId
            }
            List<String> k = new ArrayList<>(rooms.size() + 2);
            List<byte[]> args = new ArrayList<>(rooms.size() + 3);
            k.add(keys.deadlines(p));
            k.add(keys.held(p));
            args.add(b(leaseNode));
            args.add(b(expiry));
            args.add(b(now));
            for (String room : rooms) {
                k.add(keys.roomKey(p, "ses", room));
                args.add(b(room));
            }
            List<Object> r = redis.eval(Scripts.RELEASE_LEASE, k.toArray(new String[0]), args.toArray(new byte[0][]));
            if (!"RETRY".equals(s(r.get(0)))) {
                return RoomWrites.ok(r);
            }
        }
        return false; // the node keeps holding sessions in new rooms: it is alive; a later pass tries again
    }
}
