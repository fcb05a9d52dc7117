package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import dev.huddle.presence.Change;
import dev.huddle.presence.Entry;
import dev.huddle.presence.RoomSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The store's reads: lists (P8), a room's snapshot and changes since a seq (S1, S2), a live session's
 * token, and the change log for the feed's gap filling. Each reads one room in one read-only script
 * (so its rows are consistent), or pipelines one script per partition; the list order is applied here,
 * in Java, as in the in-memory store.
 */
final class RoomReads {
    private static final Comparator<Wire.Row> ORDER = Comparator
            .comparing((Wire.Row r) -> !r.entry().online())
            .thenComparingLong(r -> r.entry().online() ? r.onlineSince() : -r.entry().lastDisconnected())
            .thenComparing(r -> r.entry().userId())
            .thenComparing(r -> r.entry().roomId());

    private final Commands redis;
    private final KeyLayout keys;
    private final NodeIds node;

    RoomReads(Commands redis, KeyLayout keys, NodeIds node) {
        this.redis = redis;
        this.keys = keys;
        this.node = node;
    }

    /** The room a room token names, listed; empty for an unknown token. */
    List<Entry> list(String roomToken, int limit) {
        int p = keys.tokenPartition(roomToken);
        if (p < 0) {
            return List.of();
        }
        byte[] room = redis.sync().hget(keys.roomTokens(p), roomToken);
        if (room == null) {
            return List.of();
        }
        return listRoom(s(room), roomToken, false, limit);
    }

    List<Entry> listRoom(String roomId, boolean onlineOnly, int limit) {
        return listRoom(roomId, "", onlineOnly, limit);
    }

    private List<Entry> listRoom(String roomId, String token, boolean onlineOnly, int limit) {
        int p = keys.partition(roomId);
        List<Object> rows = redis.eval(Scripts.LIST_ROOM,
                new String[] {keys.roomKey(p, "room", roomId), keys.roomKey(p, "mem", roomId)}, b(token));
        return sorted(rows(roomId, rows, onlineOnly), limit);
    }

    List<Entry> listUser(String userId, boolean onlineOnly, int limit) {
        // Each partition indexes the rooms of its own where the user has an entry, in the rooms' slot, so
        // the index changes in the same script as the entry. One pipelined read per partition.
        byte[] who = b(Wire.enc(userId));
        List<Commands.Pending> indexReads = new ArrayList<>(keys.partitions());
        for (int p = 0; p < keys.partitions(); p++) {
            indexReads.add(redis.send(Scripts.USER_ROOMS, new String[] {keys.userRooms(p)}, who));
        }
        List<String> ids = new ArrayList<>();
        for (Commands.Pending read : indexReads) {
            for (Object room : read.reply()) {
                ids.add(s(room));
            }
        }
        List<Commands.Pending> reads = new ArrayList<>(ids.size());
        for (String roomId : ids) {
            reads.add(redis.send(Scripts.MEMBER, new String[] {keys.roomKey(keys.partition(roomId), "mem", roomId)},
                    b(userId)));
        }
        List<Wire.Row> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            List<Object> row = reads.get(i).reply();
            if (!row.isEmpty()) {
                Wire.Row parsed = Wire.row(ids.get(i), row);
                if (parsed.entry().online() || !onlineOnly) {
                    out.add(parsed);
                }
            }
        }
        return sorted(out, limit);
    }

    RoomSnapshot snapshot(String roomId) {
        int p = keys.partition(roomId);
        List<Object> r = redis.eval(Scripts.SNAPSHOT,
                new String[] {keys.roomKey(p, "room", roomId), keys.roomKey(p, "mem", roomId)}, b(node.newEpoch()));
        return new RoomSnapshot(roomId, s(r.get(0)), Long.parseLong(s(r.get(1))),
                sorted(rows(roomId, Wire.list(r.get(2)), false), Integer.MAX_VALUE));
    }

    Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq) {
        int p = keys.partition(roomId);
        List<Object> r = redis.eval(Scripts.CHANGES,
                new String[] {keys.roomKey(p, "room", roomId), keys.roomKey(p, "log", roomId)}, b(epoch), b(afterSeq));
        String status = s(r.get(0));
        if ("NOROOM".equals(status)) {
            return afterSeq == 0 ? Optional.of(List.of()) : Optional.empty();
        }
        if (!"OK".equals(status)) {
            return Optional.empty();
        }
        List<Change> out = new ArrayList<>();
        for (Object c : Wire.list(r.get(1))) {
            out.add(Wire.change(roomId, (byte[]) c).change());
        }
        return Optional.of(out);
    }

    Optional<String> liveSessionToken(String roomId, String userId, String sessionId) {
        List<Object> r = redis.eval(Scripts.LIVE_SESSION,
                new String[] {keys.roomKey(keys.partition(roomId), "ses", roomId)}, b(sessionId));
        if (r.isEmpty() || !userId.equals(s(r.get(0)))) {
            return Optional.empty();
        }
        return Optional.of(s(r.get(1)));
    }

    /** Reads the change log for the feed's gap filling ({@link ChangeFeed.LogReader}). */
    ChangeFeed.Range readLog(String roomId, long from, long to) {
        int p = keys.partition(roomId);
        List<Object> r = redis.eval(Scripts.RANGE,
                new String[] {keys.roomKey(p, "room", roomId), keys.roomKey(p, "log", roomId)},
                b(from), b(to == Long.MAX_VALUE ? "+" : Long.toString(to)));
        List<byte[]> entries = new ArrayList<>();
        for (Object o : Wire.list(r.get(1))) {
            entries.add((byte[]) o);
        }
        return new ChangeFeed.Range(s(r.get(0)), entries);
    }

    private static List<Wire.Row> rows(String roomId, List<Object> raw, boolean onlineOnly) {
        List<Wire.Row> rows = new ArrayList<>(raw.size());
        for (Object o : raw) {
            Wire.Row row = Wire.row(roomId, o);
            if (row.entry().online() || !onlineOnly) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static List<Entry> sorted(List<Wire.Row> rows, int limit) {
        rows.sort(ORDER);
        int n = Math.min(limit, rows.size());
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(rows.get(i).entry());
        }
        return out;
    }
}
