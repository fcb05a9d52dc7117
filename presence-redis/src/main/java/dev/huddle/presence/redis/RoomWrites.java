package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import dev.huddle.presence.DataMerger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scripts that change a room, with the merge protocol, and hands the changes each emitted to
 * the {@link ChangeFeed} before returning its reply.
 *
 * <h2>The merge rule runs in Java: a compare-and-set on a member version</h2>
 * An entry's data is {@code DataMerger.merge(userData, live sessions' data)}, and the merger is Java
 * code. So a script that is about to change a member's merge inputs (its user data, its set of live
 * sessions or their data) needs the merged result of the inputs <i>after</i> its change. Each member
 * carries a version, drawn from a per-room counter that only grows (so a version is never reused, even
 * after the member is removed and created again). The protocol:
 * <ol>
 *   <li>Java runs the script without merged data. If the call changes no merge input (the common live
 *       heartbeat, a patch that patches nothing) it completes in this one round trip. Otherwise the
 *       script, before writing anything, returns the member's version and the merge inputs as they
 *       will be after the change.</li>
 *   <li>Java merges them and runs the script again with the merged data and that version. The script
 *       recomputes everything; if the member's version is still the one merged for, its post-change
 *       inputs are exactly the ones Java merged, so it writes the change and the merged data and emits
 *       (join, leave, or update only if the merged data differs from what the entry showed). If some
 *       other call changed the member in between, it returns fresh inputs and Java tries again.</li>
 * </ol>
 * The emission decision is made inside the script, against the state it is changing, so a join, leave
 * or update is emitted exactly once however many nodes race; the retry only ever repeats a step that
 * wrote nothing.
 */
final class RoomWrites {
    private static final Logger LOG = LoggerFactory.getLogger(RoomWrites.class);
    /** Retries of one script's merge protocol (each retry means another call changed the member meanwhile). */
    private static final int MAX_ATTEMPTS = 1_000;

    private final Commands redis;
    private final KeyLayout keys;
    private final NodeIds node;
    private final ChangeFeed feed;
    private final DataMerger merger;
    private final byte[] capacity;

    RoomWrites(Commands redis, KeyLayout keys, NodeIds node, ChangeFeed feed, DataMerger merger, int changeLogCapacity) {
        this.redis = redis;
        this.keys = keys;
        this.node = node;
        this.feed = feed;
        this.merger = merger;
        this.capacity = b(changeLogCapacity);
    }

    /** Adds an operation's own arguments; {@code merged} tells whether this attempt carries merged data. */
    @FunctionalInterface
    interface OpArgs {
        void add(List<byte[]> args, boolean merged);
    }

    /** A member version and the data merged for it ({@code data} null: nothing merged yet). */
    record Merged(String version, Map<String, String> data) {
        static final Merged NONE = new Merged("", null);
    }

    /** Whether a script's reply says it succeeded. */
    static boolean ok(List<Object> reply) {
        return "OK".equals(s(reply.get(0)));
    }

    /** Runs a room-changing script with the merge protocol; returns its reply. */
    List<Object> write(Scripts.Script script, String roomId, OpArgs op) {
        return write(script, roomId, op, Merged.NONE);
    }

    /** As {@link #write(Scripts.Script, String, OpArgs)}, starting with data already merged for a version. */
    List<Object> write(Scripts.Script script, String roomId, OpArgs op, Merged first) {
        int p = keys.partition(roomId);
        String[] k = keys.writeKeys(p, roomId);
        String version = first.version();
        Map<String, String> merged = first.data();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<byte[]> args = new ArrayList<>(16);
            args.add(b(roomId));
            args.add(b(node.newEpoch()));
            args.add(capacity);
            args.add(b(keys.channel(p)));
            args.add(b(version));
            if (merged == null) {
                args.add(b("-1"));
            } else {
                Wire.addPairs(args, merged);
            }
            op.add(args, merged != null);
            List<Object> r = redis.eval(script, k, args.toArray(new byte[0][]));
            String status = s(r.get(0));
            if ("MERGE".equals(status)) {
                Merged m = merge(roomId, r, 1);
                version = m.version();
                merged = m.data();
                continue;
            }
            if ("TOKENS".equals(status)) {
                continue;
            }
            if ("OK".equals(status)) {
                feed.local(roomId, Wire.list(r.get(r.size() - 1)));
            }
            return r;
        }
        throw new ContentionException(roomId, MAX_ATTEMPTS);
    }

    /**
     * Merges the inputs a script replied with from index {@code at}: member version, user data, the
     * sessions' data oldest first, the data the entry shows now.
     */
    Merged merge(String roomId, List<Object> r, int at) {
        List<Map<String, String>> sessions = new ArrayList<>();
        for (Object d : Wire.list(r.get(at + 2))) {
            sessions.add(Map.copyOf(Wire.pairs(d)));
        }
        return new Merged(s(r.get(at)),
                merge(roomId, Map.copyOf(Wire.pairs(r.get(at + 1))), List.copyOf(sessions), r.get(at + 3)));
    }

    /**
     * Runs the merge rule. It is the caller's code: if it throws, the entry keeps the data it shows
     * ({@code current}), as with the in-memory store, so a broken rule never half-changes a room.
     */
    private Map<String, String> merge(String roomId, Map<String, String> userData, List<Map<String, String>> sessions,
            Object current) {
        try {
            return Map.copyOf(merger.merge(userData, sessions));
        } catch (RuntimeException e) {
            LOG.error("data merger {} failed in room {}; the entry keeps its previous data", merger, roomId, e);
            return Map.copyOf(Wire.pairs(current));
        }
    }
}
