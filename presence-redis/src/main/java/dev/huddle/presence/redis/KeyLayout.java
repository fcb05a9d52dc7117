package dev.huddle.presence.redis;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Where everything lives in Redis: a room's partition and hash tag, the keys and channels built from
 * them, a session id's claim key, and the partition a token names. Pure arithmetic on the prefix and the
 * partition count, so every node that agrees on those two computes the same names. The table of keys is
 * in {@code docs/redis-store.md}, "Key layout".
 *
 * <p>Every key of a room, and its partition's deadline set, token indexes and user index, carry the
 * partition's hash tag, so every room script touches one slot on a Redis Cluster. A session id's claim
 * is the one key outside the partitions: it lives in the slot of its own name.
 */
final class KeyLayout {
    private final String prefix;
    private final int partitions;
    /** Each partition's hash tag, spread evenly over the cluster's slots ({@link #partitionTags}). */
    private final String[] tags;

    KeyLayout(String prefix, int partitions) {
        this.prefix = prefix;
        this.partitions = partitions;
        this.tags = partitionTags(partitions);
    }

    String prefix() {
        return prefix;
    }

    int partitions() {
        return partitions;
    }

    /** The room's partition: crc32 of its id mod the partition count (fixed for the life of the data). */
    int partition(String roomId) {
        CRC32 crc = new CRC32();
        crc.update(roomId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    /** The start of every key of partition {@code p}: the prefix and the partition's hash tag. */
    String tag(int p) {
        return prefix + "{" + tags[p] + "}:";
    }

    /** One of a room's own keys: {@code room}, {@code mem}, {@code ses} or {@code log}. */
    String roomKey(int p, String kind, String roomId) {
        return tag(p) + kind + ":" + roomId;
    }

    /**
     * The KEYS of every room-changing script, in the order {@code lib.lua} names them: the room's hash,
     * members, sessions and log, then its partition's deadlines, session tokens, room tokens, user index
     * and held sessions.
     */
    String[] writeKeys(int p, String roomId) {
        return new String[] {roomKey(p, "room", roomId), roomKey(p, "mem", roomId), roomKey(p, "ses", roomId),
            roomKey(p, "log", roomId), deadlines(p), sessionTokens(p), roomTokens(p), userRooms(p), held(p)};
    }

    /** The partition's deadline set: every session's deadline (a pending session's reclaim time). */
    String deadlines(int p) {
        return tag(p) + "dl";
    }

    /**
     * The partition's held sessions (hold.lua): a sorted set of netstrings (nodeId, sessionId, roomId),
     * all scored 0, so that one {@code ZRANGEBYLEX} on a node's netstring finds exactly its sessions. The
     * node's lease itself is the member {@code @<node>} of the partition's deadline set, scored with its
     * expiry, so expiry finds an expired lease as it finds a due session.
     */
    String held(int p) {
        return tag(p) + "held";
    }

    /** The partition's index of session tokens. */
    String sessionTokens(int p) {
        return tag(p) + "stok";
    }

    /** The partition's index of room tokens. */
    String roomTokens(int p) {
        return tag(p) + "rtok";
    }

    /** The partition's user → rooms index. */
    String userRooms(int p) {
        return tag(p) + "ur";
    }

    /** The channel every change of the partition's rooms is published on. */
    String channel(int p) {
        return tag(p) + "changes";
    }

    /** The channel a node probes its own subscription on. */
    String probeChannel(String nodeId) {
        return prefix + "probe:" + nodeId;
    }

    /** The key of a session id's claim (P2): its own key, so it hashes to a slot of its own. */
    String claimKey(String sessionId) {
        return prefix + "sid:" + sessionId;
    }

    /** One key named {@code name} per partition, each in its partition's slot. */
    List<String> partitionKeys(String name) {
        List<String> keys = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            keys.add(tag(p) + name);
        }
        return keys;
    }

    /**
     * A token (P4) names its room's partition in front of the random part, {@code <P>-<random>}, so
     * that its index can live in the room's slot and a token finds it by itself. The partition says
     * nothing worth hiding (crc32 of the room id, mod the partition count); the random part carries the ≥128 bits.
     */
    static String token(int p, String random) {
        return p + "-" + random;
    }

    /**
     * The partition a token names, or -1 if it names none (a token not made here, or tampered with):
     * the caller then treats it as unknown. A valid partition with a forged random part is simply not
     * found in that partition's index.
     */
    int tokenPartition(String token) {
        int dash = token.indexOf('-');
        if (dash < 1 || dash > 5 || (dash > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        int p = 0;
        for (int i = 0; i < dash; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            p = p * 10 + (c - '0');
        }
        return p < partitions ? p : -1;
    }

    /**
     * The hash tag (without braces) of each of {@code partitions} partitions, chosen so that their slots
     * spread evenly over Redis Cluster's 16384 slots: partition {@code i}'s tag is the first string of
     * the family {@code "i", "i.1", "i.2", …} whose CRC16 slot lies in
     * {@code [i*16384/partitions, (i+1)*16384/partitions)}. A cluster splits its slots into even ranges
     * per master, so every master gets its share of partitions (plain {@code "0"…"15"} hash to slots
     * that put 6/6/4 partitions on 3 masters, and none on half of 8). Pure arithmetic on the count: every
     * node computes the same tags. Expected cost ~partitions² CRC16s (about a million at the maximum, 1024).
     */
    static String[] partitionTags(int partitions) {
        String[] tags = new String[partitions];
        for (int i = 0; i < partitions; i++) {
            int lo = (int) ((long) i * SlotHash.SLOT_COUNT / partitions);
            int hi = (int) ((long) (i + 1) * SlotHash.SLOT_COUNT / partitions);
            String candidate = Integer.toString(i);
            for (int k = 1; ; k++) {
                int slot = SlotHash.getSlot(candidate);
                if (slot >= lo && slot < hi) {
                    break;
                }
                candidate = i + "." + k;
            }
            tags[i] = candidate;
        }
        return tags;
    }
}
