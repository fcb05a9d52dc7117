package dev.huddle.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    private final int online;

    private RoomState(boolean synced, String epoch, long seq, PMap<String, Participant> entries, List<Change> pending,
            boolean gap, int online) {
        this.synced = synced;
        this.epoch = epoch;
        this.seq = seq;
        this.entries = entries;
        this.pending = pending;
        this.gap = gap;
        this.online = online;
    }

    /** A room before its first snapshot. */
    public static RoomState empty() {
        return new RoomState(false, null, 0, HashTreePMap.empty(), List.of(), false, 0);
    }

    /** S1: the room exactly as a snapshot shows it, as of {@code seq} of {@code epoch}. */
    public static RoomState of(String epoch, long seq, Iterable<Participant> entries) {
        PMap<String, Participant> map = HashTreePMap.empty();
        for (Participant p : entries) {
            map = map.plus(p.userId(), p);
        }
        int online = 0;
        for (Participant p : map.values()) {
            online += p.online() ? 1 : 0;
        }
        return new RoomState(true, epoch, seq, map, List.of(), false, online);
    }

    /**
     * {@link #of(String, long, Iterable)}, built on {@code like} (another state of the room, or null): the
     * entries equal in both are shared with it, not copied. A client that already holds the room (say a
     * second socket in it) then keeps one copy of what did not change, however many snapshots it reads.
     */
    public static RoomState of(String epoch, long seq, Iterable<Participant> entries, RoomState like) {
        if (like == null || !like.synced || like.entries.isEmpty()) {
            return of(epoch, seq, entries);
        }
        PMap<String, Participant> map = like.entries;
        int online = like.online;
        Set<String> listed = new HashSet<>(2 * like.entries.size() + 16);
        for (Participant p : entries) {
            listed.add(p.userId());
            Participant was = map.get(p.userId());
            if (was != p && !p.equals(was)) {
                map = map.plus(p.userId(), p);
                online += (p.online() ? 1 : 0) - (was != null && was.online() ? 1 : 0);
            }
        }
        if (map.size() != listed.size()) { // like's entries that the snapshot does not have
            for (Map.Entry<String, Participant> e : like.entries.entrySet()) {
                if (!listed.contains(e.getKey())) {
                    map = map.minus(e.getKey());
                    online -= e.getValue().online() ? 1 : 0;
                }
            }
        }
        return new RoomState(true, epoch, seq, map, List.of(), false, online);
    }

    /**
     * S1: the room as a snapshot at {@code seq} of {@code epoch} shows it, where the snapshot lists what
     * {@code base} holds (a state made from an earlier snapshot's list) except {@code gone}, and then
     * {@code listed}. Costs what changed, not the room.
     */
    static RoomState of(String epoch, long seq, RoomState base, List<Participant> gone, List<Participant> listed) {
        PMap<String, Participant> map = base.entries;
        int online = base.online;
        for (Participant p : gone) {
            Participant was = map.get(p.userId());
            if (was != null) {
                map = map.minus(p.userId());
                online -= was.online() ? 1 : 0;
            }
        }
        for (Participant p : listed) {
            Participant was = map.get(p.userId());
            if (was != p) {
                map = map.plus(p.userId(), p);
                online += (p.online() ? 1 : 0) - (was != null && was.online() ? 1 : 0);
            }
        }
        return new RoomState(true, epoch, seq, map, List.of(), false, online);
    }

    /** S1: the snapshot's entries, then the buffered changes that follow it; older buffered ones dropped. */
    public RoomState withSnapshot(String snapshotEpoch, long snapshotSeq, List<Participant> snapshotEntries) {
        return withSnapshot(of(snapshotEpoch, snapshotSeq, snapshotEntries));
    }

    /** S1: {@code snapshot} (a state made by {@link #of}), then the buffered changes that follow it. */
    public RoomState withSnapshot(RoomState snapshot) {
        if (!snapshot.synced || snapshot.gap || !snapshot.pending.isEmpty()) {
            throw new IllegalArgumentException("not a snapshot: " + snapshot);
        }
        RoomState next = snapshot;
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
            return new RoomState(false, epoch, seq, entries, List.copyOf(more), false, online);
        }
        if (c.seq() <= seq || gap) {
            return this;
        }
        if (c.seq() != seq + 1) {
            return new RoomState(true, epoch, seq, entries, List.of(), true, online);
        }
        boolean remove = "remove".equals(c.kind());
        Participant was = entries.get(c.entry().userId());
        PMap<String, Participant> map = remove ? entries.minus(c.entry().userId()) : entries.plus(c.entry().userId(), c.entry());
        int nowOnline = online - (was != null && was.online() ? 1 : 0) + (!remove && c.entry().online() ? 1 : 0);
        return new RoomState(true, epoch, c.seq(), map, List.of(), false, nowOnline);
    }

    /** S2: the server is replaying the changes after our seq; the gap is being filled. */
    public RoomState resuming() {
        return new RoomState(synced, epoch, seq, entries, pending, false, online);
    }

    /** H6: the derived view for {@code selfUserId}. */
    public View view(String selfUserId) {
        List<Participant> shown = new ArrayList<>(online);
        for (Participant p : entries.values()) {
            if (p.online()) {
                shown.add(p);
            }
        }
        shown.sort(order(selfUserId));
        List<String> speaking = new ArrayList<>();
        List<String> recording = new ArrayList<>();
        for (Participant p : shown) {
            if (p.speaking()) {
                speaking.add(p.userId());
            }
            if (p.recording()) {
                recording.add(p.userId());
            }
        }
        return new View(shown, speaking, recording);
    }

    /** H6 ordering: self first, hosts and participants before observers, display name case-insensitively, user id. */
    public static Comparator<Participant> order(String selfUserId) {
        return Comparator.comparing((Participant p) -> !p.userId().equals(selfUserId))
                .thenComparingInt(p -> "participant".equals(p.role()) || "host".equals(p.role()) ? 0 : "observer".equals(p.role()) ? 1 : 2)
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

    @Override
    public String toString() {
        return "RoomState[synced=" + synced + ", epoch=" + epoch + ", seq=" + seq + ", entries=" + entries.size()
                + ", online=" + online + ", pending=" + pending.size() + ", gap=" + gap + "]";
    }

    /** How many entries are online: the size of the view (H6), without building it. */
    public int onlineCount() {
        return online;
    }

    /** Every entry, online or not, by user id. */
    public Map<String, Participant> entries() {
        return entries;
    }
}
