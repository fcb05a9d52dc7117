package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import dev.huddle.presence.Renewal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keep-alive's batch on Redis ({@code renew.lua}): a node's held sessions, grouped by partition, one
 * script per partition (at most {@link #PER_SCRIPT} sessions each, so no script holds Redis for long),
 * all pipelined: one round trip however many partitions. A session's id claim (P2) lives in another
 * slot; it is re-asserted only when the renewed deadline crosses a quarter of the claim grace, so the
 * claim still outlives its session while a held session costs a claim refresh about every quarter grace
 * (every 15 minutes at the default hour), not every renewal.
 */
final class Renewals {
    /** Sessions per script: a batch of this many is a few milliseconds of Redis time. */
    static final int PER_SCRIPT = 1_000;

    private final Commands redis;
    private final KeyLayout keys;
    private final SessionClaims claims;
    private final long claimStepMs;

    Renewals(Commands redis, KeyLayout keys, SessionClaims claims, long claimGraceMs) {
        this.redis = redis;
        this.keys = keys;
        this.claims = claims;
        this.claimStepMs = Math.max(1, claimGraceMs / 4);
    }

    /** The store's {@code renew}. */
    long[] renew(List<Renewal> renewals, long now) {
        long[] out = new long[renewals.size()];
        Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < renewals.size(); i++) {
            byPartition.computeIfAbsent(keys.partition(renewals.get(i).roomId()), p -> new ArrayList<>()).add(i);
        }
        List<Commands.Pending> calls = new ArrayList<>();
        List<List<Integer>> callItems = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : byPartition.entrySet()) {
            List<Integer> items = e.getValue();
            for (int from = 0; from < items.size(); from += PER_SCRIPT) {
                List<Integer> chunk = items.subList(from, Math.min(items.size(), from + PER_SCRIPT));
                calls.add(send(e.getKey(), chunk, renewals));
                callItems.add(chunk);
            }
        }
        for (int c = 0; c < calls.size(); c++) {
            List<Object> r = calls.get(c).reply();
            List<Integer> chunk = callItems.get(c);
            for (int j = 0; j < chunk.size(); j++) {
                int i = chunk.get(j);
                long dl = Long.parseLong(s(r.get(2 * j)));
                out[i] = dl < 0 ? Renewal.GONE : dl;
                Renewal rn = renewals.get(i);
                if (dl >= 0 && dl / claimStepMs > rn.expected() / claimStepMs) {
                    claims.refresh(rn.sessionId(), (byte[]) r.get(2 * j + 1), claims.ttl(now, dl));
                }
            }
        }
        return out;
    }

    private Commands.Pending send(int p, List<Integer> chunk, List<Renewal> renewals) {
        Map<String, Integer> keyIndex = new LinkedHashMap<>();
        List<byte[]> args = new ArrayList<>(1 + 7 * chunk.size());
        args.add(b(chunk.size()));
        for (int i : chunk) {
            Renewal r = renewals.get(i);
            // KEYS[1] is the deadline set; each room's sessions hash once, from KEYS[2]
            int ki = keyIndex.computeIfAbsent(keys.roomKey(p, "ses", r.roomId()), k -> keyIndex.size() + 2);
            args.add(b(ki));
            args.add(b(r.roomId()));
            args.add(b(r.sessionId()));
            args.add(b(r.userId()));
            args.add(b(r.sessionToken()));
            args.add(b(r.expected()));
            args.add(b(r.deadline()));
        }
        String[] k = new String[keyIndex.size() + 1];
        k[0] = keys.deadlines(p);
        keyIndex.forEach((key, idx) -> k[idx - 1] = key);
        return redis.send(Scripts.RENEW, k, args.toArray(new byte[0][]));
    }
}
