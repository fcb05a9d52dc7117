package dev.huddle.client;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Reads the entries of snapshots (S1) for a client whose sockets read many snapshots of the same rooms:
 * a load generator's thousands of users, or a service in many rooms. In a join burst of 2 000 every
 * joiner's snapshot repeats the room as the last one showed it, plus the few who joined since, and
 * reading each in full was most of the load tool's work. So:
 * <ul>
 * <li>each room's last snapshot is kept as its bytes, and the entries a new snapshot begins with, byte
 *     for byte the same, are taken as they were (one vectorised comparison, no parsing);
 * <li>the rest are delimited by their brackets and looked up by their bytes among the entries read
 *     lately, since a server renders an unchanged entry the same every time; only new ones are parsed.
 * </ul>
 * The state made is always exactly the snapshot's list. Tables are direct-mapped: a collision only
 * costs a missed share. Their records are immutable, so the races between I/O threads are benign.
 */
final class SnapshotReader {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A room's last snapshot: its entries' bytes from {@code [} to {@code ]}, where each entry ends in them, and the state they make. */
    private record Prior(String room, String epoch, byte[] bytes, int[] ends, Participant[] listed, RoomState state) {
    }

    private record EntryBytes(byte[] json, Participant participant) {
    }

    /** The state a snapshot's entries make, and the index just past their closing bracket. */
    record Read(RoomState state, int end) {
    }

    private final ObjectMapper json;
    private final Function<JsonNode, Participant> participant;
    private final EntryBytes[] entryBytes = new EntryBytes[1 << 16];
    private final AtomicReferenceArray<Prior> priors = new AtomicReferenceArray<>(1 << 10);

    SnapshotReader(ObjectMapper json, Function<JsonNode, Participant> participant) {
        this.json = json;
        this.participant = participant;
    }

    /**
     * The entries array at {@code a[open]} (its {@code [}), read no further than {@code limit}, as the
     * state of {@code room} at {@code seq} of {@code epoch}. With no earlier snapshot of the room here,
     * the state is built on {@code like} (another state of the room, or null), sharing what is equal.
     * Entries that are not an array of objects fail with a parse error, located by {@code p}.
     */
    Read read(JsonParser p, String room, String epoch, long seq, byte[] a, int open, int limit, RoomState like) throws IOException {
        if (open >= limit || a[open] != '[') {
            throw new JsonParseException(p, "a snapshot's entries must be an array");
        }
        int slot = (room.hashCode() & 0x7fffffff) % priors.length();
        Prior prior = priors.get(slot);
        if (prior != null && !(prior.room().equals(room) && Objects.equals(prior.epoch(), epoch))) {
            prior = null;
        }
        int kept = 0; // entries at the start, byte for byte as the prior snapshot had them
        if (prior != null) {
            int m = Arrays.mismatch(prior.bytes(), 0, prior.bytes().length, a, open, limit);
            int same = m < 0 ? prior.bytes().length : m;
            int i = Arrays.binarySearch(prior.ends(), same);
            kept = i >= 0 ? i + 1 : -i - 1;
        }
        int n = kept;
        int[] ends = kept == 0 ? new int[64] : Arrays.copyOf(prior.ends(), Math.max(64, prior.ends().length + 16));
        List<Participant> fresh = new ArrayList<>();
        int at = space(a, kept == 0 ? open + 1 : open + ends[kept - 1], limit);
        while (at < limit && a[at] != ']') {
            if (n > 0) {
                if (a[at] != ',') {
                    throw new JsonParseException(p, "a snapshot's entries must be an array of objects");
                }
                at = space(a, at + 1, limit);
            }
            if (at >= limit || a[at] != '{') {
                throw new JsonParseException(p, "a snapshot's entries must be objects");
            }
            int end = objectEnd(p, a, at, limit);
            fresh.add(entry(a, at, end));
            if (n == ends.length) {
                ends = Arrays.copyOf(ends, 2 * n);
            }
            ends[n++] = end - open;
            at = space(a, end, limit);
        }
        if (at >= limit) {
            throw new JsonParseException(p, "a snapshot ends inside its entries");
        }
        Participant[] listed = new Participant[n];
        if (kept > 0) {
            System.arraycopy(prior.listed(), 0, listed, 0, kept);
        }
        for (int i = kept; i < n; i++) {
            listed[i] = fresh.get(i - kept);
        }
        RoomState state = prior != null
                ? RoomState.of(epoch, seq, prior.state(), Arrays.asList(prior.listed()).subList(kept, prior.listed().length), fresh)
                : RoomState.of(epoch, seq, Arrays.asList(listed), like);
        if (state.entries().size() == n) { // else a user is listed twice, and this list cannot be the next one's base
            priors.set(slot, new Prior(room, epoch, Arrays.copyOfRange(a, open, at + 1), Arrays.copyOf(ends, n), listed, state));
        }
        return new Read(state, at + 1);
    }

    /** The participant that the entry in {@code a[from, to)} shows, shared with entries of the same bytes read lately. */
    private Participant entry(byte[] a, int from, int to) throws IOException {
        long h = to - from;
        int at = from;
        for (; at + Long.BYTES <= to; at += Long.BYTES) { // eight bytes a step
            h = (h + (long) LONGS.get(a, at)) * 0x9E3779B97F4A7C15L;
        }
        for (; at < to; at++) {
            h = (h + a[at]) * 0x9E3779B97F4A7C15L;
        }
        int i = (int) (h >>> 32 ^ h) & (entryBytes.length - 1);
        EntryBytes seen = entryBytes[i];
        if (seen != null && Arrays.equals(seen.json(), 0, seen.json().length, a, from, to)) {
            return seen.participant();
        }
        Participant p = participant.apply(json.readTree(a, from, to - from));
        entryBytes[i] = new EntryBytes(Arrays.copyOfRange(a, from, to), p);
        return p;
    }

    /** The index just past the object that starts at {@code a[from]}: strings skipped, brackets counted (the parser checks the rest). */
    private static int objectEnd(JsonParser p, byte[] a, int from, int limit) throws JsonParseException {
        int depth = 0;
        for (int i = from; i < limit; i++) {
            byte b = a[i];
            if (b == '"') {
                for (i++; i < limit && a[i] != '"'; i++) {
                    if (a[i] == '\\') {
                        i++;
                    }
                }
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                return i + 1;
            }
        }
        throw new JsonParseException(p, "a snapshot ends inside an entry");
    }

    /** The index of the first byte from {@code at} on that is not JSON whitespace. */
    static int space(byte[] a, int at, int limit) {
        while (at < limit && (a[at] == ' ' || a[at] == '\n' || a[at] == '\r' || a[at] == '\t')) {
            at++;
        }
        return at;
    }
}
