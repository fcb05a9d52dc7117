package dev.huddle.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * A room as a client holds it, as pure functions over immutable values (the Java twin of the
 * browser's presence-state.js): apply a snapshot, apply a change, buffer changes that arrive before
 * the snapshot, refuse to apply across a sequence gap, derive the view (H6), and find the joins and
 * leaves between two states. The entries are a persistent map: a change shares the rest of the room
 * with the state before it, so applying one costs O(log n), not a copy of the room.
 */
public final class RoomState {
    /** A change as the server sends it (S3, P11). */
    public record Change(long seq, String kind, Participant entry) {
    }

    private final boolean synced;
    private final String epoch;
    private final long seq;
    private final PMap<String, Participant> entries;
    private final List<Change> pending;
    private final boolean gap;

    private RoomState(boolean synced, String epoch, long seq, PMap<String, Participant> entries, List<Change> pending,
            boolean gap) {
        this.synced = synced;
        this.epoch = epoch;
        this.seq = seq;
        this.entries = entries;
        this.pending = pending;
        this.gap = gap;
    }

    /** A room before its first snapshot. */
    public static RoomState empty() {
        return new RoomState(false, null, 0, HashTreePMap.empty(), List.of(), false);
    }

    /** S1: the snapshot's entries, then the buffered changes that follow it; older buffered ones dropped. */
    public RoomState withSnapshot(String snapshotEpoch, long snapshotSeq, List<Participant> snapshotEntries) {
        PMap<String, Participant> map = HashTreePMap.empty();
        for (Participant p : snapshotEntries) {
            map = map.plus(p.userId(), p);
        }
        RoomState next = new RoomState(true, snapshotEpoch, snapshotSeq, map, List.of(), false);
        List<Change> buffered = new ArrayList<>(pending);
        buffered.sort(Comparator.comparingLong(Change::seq));
        for (Change c : buffered) {
            if (c.seq() > next.seq) {
                next = next.withChange(c);
            }
        }
        return next;
    }

    /**
     * P11: applies the next change; buffers it before the snapshot; ignores one already applied; and
     * marks a gap (applying nothing more) when a sequence number is skipped, so the caller resumes.
     */
    public RoomState withChange(Change c) {
        if (!synced) {
            List<Change> more = new ArrayList<>(pending);
            more.add(c);
            return new RoomState(false, epoch, seq, entries, List.copyOf(more), false);
        }
        if (c.seq() <= seq || gap) {
            return this;
        }
        if (c.seq() != seq + 1) {
            return new RoomState(true, epoch, seq, entries, List.of(), true);
        }
        PMap<String, Participant> map = "remove".equals(c.kind())
                ? entries.minus(c.entry().userId())
                : entries.plus(c.entry().userId(), c.entry());
        return new RoomState(true, epoch, c.seq(), map, List.of(), false);
    }

    /** S2: the server is replaying the changes after our seq; the gap is being filled. */
    public RoomState resuming() {
        return new RoomState(synced, epoch, seq, entries, pending, false);
    }

    /** H6: the derived view for {@code selfUserId}. */
    public View view(String selfUserId) {
        List<Participant> online = new ArrayList<>();
        for (Participant p : entries.values()) {
            if (p.online()) {
                online.add(p);
            }
        }
        online.sort(order(selfUserId));
        List<String> speaking = new ArrayList<>();
        List<String> recording = new ArrayList<>();
        for (Participant p : online) {
            if (p.speaking()) {
                speaking.add(p.userId());
            }
            if (p.recording()) {
                recording.add(p.userId());
            }
        }
        return new View(online, speaking, recording);
    }

    /** H6 ordering: self first, participants before observers, display name case-insensitively, user id. */
    public static Comparator<Participant> order(String selfUserId) {
        return Comparator.comparing((Participant p) -> !p.userId().equals(selfUserId))
                .thenComparingInt(p -> "participant".equals(p.role()) ? 0 : "observer".equals(p.role()) ? 1 : 2)
                .thenComparing(p -> p.displayName() == null ? "" : p.displayName().toLowerCase(Locale.ROOT))
                .thenComparing(Participant::userId);
    }

    /** Users who came online between {@code before} and this state (none before the first snapshot). */
    public List<Participant> joinedSince(RoomState before) {
        return before.synced && synced ? becameOnline(before.entries, entries) : List.of();
    }

    /** Users who stopped being online between {@code before} and this state. */
    public List<Participant> leftSince(RoomState before) {
        return before.synced && synced ? becameOnline(entries, before.entries) : List.of();
    }

    private static List<Participant> becameOnline(Map<String, Participant> from, Map<String, Participant> to) {
        List<Participant> out = new ArrayList<>();
        for (Participant p : to.values()) {
            Participant was = from.get(p.userId());
            if (p.online() && (was == null || !was.online())) {
                out.add(p);
            }
        }
        return out;
    }

    public boolean synced() {
        return synced;
    }

    public boolean gap() {
        return gap;
    }

    public String epoch() {
        return epoch;
    }

    public long seq() {
        return seq;
    }

    /** Every entry, online or not, by user id. */
    public Map<String, Participant> entries() {
        return entries;
    }
}
