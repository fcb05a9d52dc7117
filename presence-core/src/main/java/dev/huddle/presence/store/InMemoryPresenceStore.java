package dev.huddle.presence.store;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.Hold;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.SessionConflictException;
import dev.huddle.presence.internal.DeadlineQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link PresenceStore}: everything in memory, one lock per room.
 *
 * <p>Every operation on a room runs under that room's monitor (a snapshot already made at the room's
 * current seq is read without it), which is what makes each one atomic
 * and gives the room's changes their order: the sequence number is bumped, the change appended to
 * the room's bounded log and handed to listeners, all before the lock is released. Global indexes
 * (sessions by id and token, rooms by token, rooms by user) are concurrent maps written only under
 * the lock of the room they point into. Deadlines live in one {@link DeadlineQueue}; the lock order
 * is always room, then queue (a reader making a room's snapshot holds the room's snapshot monitor first).
 *
 * <p>Longer than our ~500-line rule on purpose: it implements the whole {@link PresenceStore}
 * contract, and each operation's atomicity rests on the room lock and indexes above being private to
 * this one class; split across classes, that invariant would have to be re-argued at every boundary.
 */
public final class InMemoryPresenceStore implements PresenceStore {
    /** How many recent changes per room are kept for resume, unless configured otherwise. */
    public static final int DEFAULT_CHANGE_LOG_CAPACITY = 1_024;
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryPresenceStore.class);

    /**
     * P8: online first (earliest online first), then offline by lastDisconnected, newest first; then by
     * user and room, so that the order is total. Written out by hand: a room's list is sorted for every
     * snapshot, and a join burst of 2 000 takes 2 000 snapshots of a growing room.
     */
    private static int compare(Entry a, long aOnlineSince, Entry b, long bOnlineSince) {
        if (a.online() != b.online()) {
            return a.online() ? -1 : 1;
        }
        int c = a.online() ? Long.compare(aOnlineSince, bOnlineSince) : Long.compare(b.lastDisconnected(), a.lastDisconnected());
        if (c == 0) {
            c = a.userId().compareTo(b.userId());
        }
        return c == 0 ? a.roomId().compareTo(b.roomId()) : c;
    }

    private static final Comparator<Member> ORDER = (a, b) -> compare(a.entry(), a.onlineSince, b.entry(), b.onlineSince);

    private static final Comparator<Session> DEATH_ORDER =
            Comparator.comparingLong((Session s) -> s.deadline).thenComparing(s -> s.id);

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> roomsByToken = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session> sessionsById = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session> sessionsByToken = new ConcurrentHashMap<>();
    /** userId → the one Room they have an entry in, or an immutable Set of Rooms (copy on write). */
    private final ConcurrentHashMap<String, Object> roomsByUser = new ConcurrentHashMap<>();
    private final DeadlineQueue<Session> deadlines = new DeadlineQueue<>();
    /** Sessions ended by {@link #expire} (a metric). */
    private final AtomicLong expired = new AtomicLong();
    private final Lease lease = new Lease();
    private final CopyOnWriteArrayList<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final DataMerger merger;
    private final int changeLogCapacity;
    private final String epoch = UUID.randomUUID().toString();

    /** Creates a store with the default merge rule and change log capacity. */
    public InMemoryPresenceStore() {
        this(DataMerger.DEFAULT, DEFAULT_CHANGE_LOG_CAPACITY);
    }

    /** Creates a store that merges entry data with {@code merger} and keeps {@code changeLogCapacity} changes per room. */
    public InMemoryPresenceStore(DataMerger merger, int changeLogCapacity) {
        this.merger = merger;
        this.changeLogCapacity = changeLogCapacity;
    }

    @Override
    public HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long now, long deadline,
            Map<String, String> sessionData, Supplier<String> newToken) {
        Session known = sessionsById.get(sessionId);
        if (known != null && !known.ended && !known.belongsTo(roomId, userId)) {
            throw new SessionConflictException(sessionId);
        }
        Room room = known != null && known.room.id.equals(roomId) ? known.room : rooms.computeIfAbsent(roomId, Room::new);
        synchronized (room) {
            // The session found before locking is still it unless it ended meanwhile (ending happens
            // under this lock); only then is a second lookup needed.
            Session s = known != null && known.room == room && !known.ended ? known : sessionsById.get(sessionId);
            if (s != null && !s.ended) {
                if (s != known && !s.belongsTo(roomId, userId)) {
                    throw new SessionConflictException(sessionId);
                }
                return refreshLive(room, s, deadline, sessionData);
            }
            Member member = room.members.get(userId);
            boolean newMember = member == null;
            if (newMember) {
                member = new Member(room, userId);
            }
            s = new Session(sessionId, newToken.get(), room, member, deadline,
                    sessionData == null ? Map.of() : Map.copyOf(sessionData));
            Session previous = sessionsById.putIfAbsent(sessionId, s);
            if (previous != null && !(previous.ended && sessionsById.replace(sessionId, previous, s))) {
                throw new SessionConflictException(sessionId);
            }
            if (room.token == null) {
                room.token = newToken.get();
                roomsByToken.put(room.token, room);
            }
            sessionsByToken.put(s.token, s);
            if (newMember) {
                room.members.put(userId, member);
                room.order.add(member);
                indexUserRoom(userId, room);
            }
            member.addSession(s);
            deadlines.schedule(s, deadline);
            if (!member.online) {
                member.online = true;
                member.lastDisconnected = 0;
                member.onlineSince = now;
                member.data = merge(member);
                emit(room, ChangeKind.JOIN, member.entry());
            } else {
                refreshData(room, member);
            }
            return new HeartbeatResult(room.token, s.token, deadline);
        }
    }

    /** A heartbeat of a live session: moves the deadline; touches the queue only to move it earlier. */
    private HeartbeatResult refreshLive(Room room, Session s, long deadline, Map<String, String> sessionData) {
        if (deadline < s.deadline && !s.held) {
            deadlines.schedule(s, deadline);
        }
        s.deadline = deadline;
        if (sessionData != null) {
            patchSession(room, s, sessionData);
        }
        return new HeartbeatResult(room.token, s.token, deadline);
    }

    /**
     * A held session leaves the deadline queue and joins the lease's set. The lease is the one node's that
     * uses this store; it runs out only if that node stops renewing it while the store lives on (as the
     * keep-alive suite's dead node does), and then {@link #expire} releases its sessions as Redis would.
     */
    @Override
    public boolean[] hold(List<Hold> holds, long now, long leaseMs) {
        boolean[] out = new boolean[holds.size()];
        for (int i = 0; i < out.length; i++) {
            Hold h = holds.get(i);
            Session s = liveSession(h);
            if (s == null) {
                continue;
            }
            synchronized (s.room) {
                if (!s.ended) {
                    lease.extend(now + leaseMs);
                    s.held = true;
                    s.holdOffset = h.timeoutMs() - leaseMs;
                    lease.sessions.add(s);
                    deadlines.remove(s);
                    out[i] = true;
                }
            }
        }
        return out;
    }

    @Override
    public long unhold(Hold h, long deadline, long now) {
        Session s = liveSession(h);
        if (s == null) {
            return Hold.GONE;
        }
        synchronized (s.room) {
            if (s.ended) {
                return Hold.GONE;
            }
            if (s.held) {
                unholdTo(s, Math.max(s.deadline, deadline));
            }
            return s.deadline;
        }
    }

    /** Under the room's lock: {@code s} goes back to an ordinary deadline. */
    private void unholdTo(Session s, long deadline) {
        s.held = false;
        lease.sessions.remove(s);
        s.deadline = deadline;
        deadlines.schedule(s, deadline);
    }

    /** The live session {@code h} names (id, room, user, token), or null. */
    private Session liveSession(Hold h) {
        Session s = sessionsById.get(h.sessionId());
        return s == null || !s.belongsTo(h.roomId(), h.userId()) || !s.token.equals(h.sessionToken()) ? null : s;
    }

    @Override
    public Predicate<String> renewLease(long now, long leaseMs) {
        return lease.renew(now + leaseMs) ? room -> true : room -> false;
    }

    /** Releases the held sessions if the lease ran out by {@code now}: each gets expiry + offset (or its own). */
    private void releaseLeaseIfDue(long now) {
        long expiry = lease.takeIfDue(now);
        if (expiry == Long.MAX_VALUE) {
            return;
        }
        for (Session s : List.copyOf(lease.sessions)) {
            synchronized (s.room) {
                if (!s.ended && s.held) {
                    unholdTo(s, Math.max(s.deadline, expiry + s.holdOffset));
                }
            }
        }
    }

    /** The node lease: its expiry, the sessions held under it, and whether it was released since its last renewal. */
    private static final class Lease {
        final Set<Session> sessions = ConcurrentHashMap.newKeySet();
        private long expiry = Long.MAX_VALUE;
        private boolean released;

        synchronized void extend(long until) {
            expiry = expiry == Long.MAX_VALUE ? until : Math.max(expiry, until);
        }

        /** Renews it; true if it had been released since (the holds were lost). */
        synchronized boolean renew(long until) {
            expiry = until;
            boolean lost = released;
            released = false;
            return lost;
        }

        /** Its expiry if it ran out by {@code now} (and it is now released), else MAX_VALUE. */
        synchronized long takeIfDue(long now) {
            if (expiry > now) {
                return Long.MAX_VALUE;
            }
            long at = expiry;
            expiry = Long.MAX_VALUE;
            released = true;
            return at;
        }

        synchronized long expiry() {
            return sessions.isEmpty() ? Long.MAX_VALUE : expiry;
        }
    }

    @Override
    public boolean updateSession(String roomId, String userId, String sessionId, Map<String, String> patch) {
        Session s = sessionsById.get(sessionId);
        if (s == null || !s.belongsTo(roomId, userId)) {
            return false;
        }
        synchronized (s.room) {
            if (s.ended) {
                return false;
            }
            patchSession(s.room, s, patch);
            return true;
        }
    }

    private void patchSession(Room room, Session s, Map<String, String> patch) {
        Map<String, String> patched = patched(s.data, patch);
        if (patched != s.data) {
            s.data = patched;
            refreshData(room, s.member);
        }
    }

    @Override
    public boolean disconnect(String sessionToken, long now, long endAt) {
        Session s = sessionsByToken.get(sessionToken);
        if (s == null) {
            return false;
        }
        synchronized (s.room) {
            if (s.ended) {
                return false;
            }
            if (endAt <= now) {
                endSession(s, now);
            } else if (s.held) {
                // a departure grace ends a held session too: it goes back to an ordinary deadline
                unholdTo(s, endAt);
            } else if (endAt < s.deadline) {
                s.deadline = endAt;
                deadlines.schedule(s, endAt);
            }
            return true;
        }
    }

    @Override
    public long expiredSessions() {
        return expired.get();
    }

    @Override
    public int expire(long now, int maxSessions) {
        releaseLeaseIfDue(now);
        List<Session> due = new ArrayList<>(Math.min(maxSessions, 1_024));
        int n = deadlines.pollDue(now, maxSessions, due);
        // Most polled nodes belong to sessions heartbeated since they were queued: put those back at
        // their real deadline. End the rest in the order they died (the lazy queue may hand out a node
        // queued early for a session that died later), so a user's leave carries their last deadline.
        List<Session> dead = new ArrayList<>();
        for (Session s : due) {
            synchronized (s.room) {
                if (s.ended || s.held) {
                    continue;
                }
                if (s.deadline <= now) {
                    dead.add(s);
                } else {
                    deadlines.schedule(s, s.deadline);
                }
            }
        }
        dead.sort(DEATH_ORDER);
        for (Session s : dead) {
            synchronized (s.room) {
                // A heartbeat (or a hold) may have come between the two passes; it wins, as it would have a moment earlier.
                if (s.ended || s.held) {
                    continue;
                }
                if (s.deadline <= now) {
                    endSession(s, s.deadline);
                    expired.incrementAndGet();
                } else {
                    deadlines.schedule(s, s.deadline);
                }
            }
        }
        return n;
    }

    @Override
    public long earliestDeadline() {
        return Math.min(deadlines.peekTime(), lease.expiry());
    }

    @Override
    public List<Entry> list(String roomToken, int limit) {
        Room room = roomsByToken.get(roomToken);
        if (room == null) {
            return List.of();
        }
        synchronized (room) {
            return roomToken.equals(room.token) ? ordered(room, false, limit) : List.of();
        }
    }

    @Override
    public List<Entry> listRoom(String roomId, boolean onlineOnly, int limit) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return List.of();
        }
        synchronized (room) {
            return ordered(room, onlineOnly, limit);
        }
    }

    @Override
    public List<Entry> listUser(String userId, boolean onlineOnly, int limit) {
        List<Row> rows = new ArrayList<>();
        for (Room room : roomsOf(userId)) {
            synchronized (room) {
                Member m = room.members.get(userId);
                if (m != null && (m.online || !onlineOnly)) {
                    rows.add(new Row(m.entry(), m.onlineSince));
                }
            }
        }
        rows.sort((a, b) -> compare(a.entry(), a.onlineSince(), b.entry(), b.onlineSince()));
        return rows.stream().limit(limit).map(Row::entry).toList();
    }

    @Override
    public boolean updateRoomUser(String roomId, String userId, Map<String, String> data) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return false;
        }
        synchronized (room) {
            Member m = room.members.get(userId);
            if (m == null) {
                return false;
            }
            m.userData = Map.copyOf(data);
            refreshData(room, m);
            return true;
        }
    }

    @Override
    public boolean removeRoomUser(String roomId, String userId) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return false;
        }
        synchronized (room) {
            Member m = room.members.get(userId);
            if (m == null) {
                return false;
            }
            removeMember(room, m);
            return true;
        }
    }

    @Override
    public boolean removeRoom(String roomId) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return false;
        }
        synchronized (room) {
            if (room.members.isEmpty() && room.token == null) {
                return false;
            }
            // Removes are emitted in list order (P8), so every store emits them alike.
            for (Entry e : ordered(room, false, Integer.MAX_VALUE)) {
                removeMember(room, room.members.get(e.userId()));
            }
            if (room.token != null) {
                roomsByToken.remove(room.token, room);
                room.token = null;
            }
            // The Room object itself stays, so its sequence numbers go on without repeating.
            return true;
        }
    }

    @Override
    public RoomSnapshot snapshot(String roomId) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return new RoomSnapshot(roomId, epoch, 0, List.of());
        }
        // The room at one seq is one value: the snapshot made at the room's last change is handed out
        // until the next one, without the lock. Measured (docs/BENCHMARKS.md, anon-flood): 2 000 sockets
        // subscribing once a second to a room of 1 000 sorted and copied it 2 000 times a second under
        // its lock, and a member's heartbeat waited behind that queue (join p99 160-350 ms).
        RoomSnapshot latest = room.snapshot;
        if (latest != null) {
            return latest;
        }
        // One reader makes the new snapshot under the room's lock; the others wait for it on a monitor of
        // their own, so that writers (a member's heartbeat, a join) do not queue behind all of them.
        // Measured (docs/BENCHMARKS.md, anon-flood JFR): Jetty's threads waited 450 s in a 30 s flood on
        // the room's monitor here, and a join's heartbeat up to 0.8 s behind them.
        synchronized (room.snapshotMaking) {
            latest = room.snapshot;
            if (latest != null) {
                return latest;
            }
            synchronized (room) {
                latest = room.snapshot;
                if (latest == null) {
                    latest = new RoomSnapshot(roomId, epoch, room.seq, ordered(room, false, Integer.MAX_VALUE));
                    room.snapshot = latest;
                }
                return latest;
            }
        }
    }

    @Override
    public Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq) {
        if (!this.epoch.equals(epoch)) {
            return Optional.empty();
        }
        Room room = rooms.get(roomId);
        if (room == null) {
            return afterSeq == 0 ? Optional.of(List.of()) : Optional.empty();
        }
        synchronized (room) {
            long oldestHeld = room.seq - room.log.size() + 1;
            if (afterSeq > room.seq || afterSeq + 1 < oldestHeld) {
                return Optional.empty();
            }
            List<Change> out = new ArrayList<>((int) (room.seq - afterSeq));
            for (Change c : room.log) {
                if (c.seq() > afterSeq) {
                    out.add(c);
                }
            }
            return Optional.of(out);
        }
    }

    @Override
    public Optional<String> liveSessionToken(String roomId, String userId, String sessionId) {
        Session s = sessionsById.get(sessionId);
        if (s == null || !s.belongsTo(roomId, userId)) {
            return Optional.empty();
        }
        synchronized (s.room) {
            return s.ended ? Optional.empty() : Optional.of(s.token);
        }
    }

    @Override
    public void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }

    // ---- under the room lock -------------------------------------------------------------------

    /** Ends a live session at {@code at}; the user leaves if it was their last (P7). */
    private void endSession(Session s, long at) {
        Room room = s.room;
        forget(s);
        Member m = s.member;
        if (!m.hasSessions()) {
            m.online = false;
            m.lastDisconnected = at;
            m.data = merge(m);
            emit(room, ChangeKind.LEAVE, m.entry());
        } else {
            refreshData(room, m);
        }
    }

    private void forget(Session s) {
        s.ended = true;
        if (s.held) {
            lease.sessions.remove(s);
        }
        sessionsById.remove(s.id, s);
        sessionsByToken.remove(s.token, s);
        deadlines.remove(s);
        s.member.removeSession(s);
    }

    private void removeMember(Room room, Member m) {
        Entry last = m.entry();
        for (Session s : List.copyOf(m.sessions())) {
            forget(s);
        }
        room.members.remove(m.userId);
        if (room.order.size() > 2 * room.members.size() + 16) { // removed members are dropped at the next listing, or here
            room.order.removeIf(o -> room.members.get(o.userId) != o);
        }
        unindexUserRoom(m.userId, room);
        emit(room, ChangeKind.REMOVE, last);
    }

    /** Recomputes the member's merged data and emits {@code update} only if it changed (P3). */
    private void refreshData(Room room, Member m) {
        Map<String, String> data = merge(m);
        if (!data.equals(m.data)) {
            m.data = data;
            emit(room, ChangeKind.UPDATE, m.entry());
        }
    }

    /**
     * The member's merged data (P12). The merger is the caller's code: if it throws, the member keeps
     * the data it showed, so a broken merge rule can never leave a room half-changed (a session added
     * but no join emitted, a node polled but never ended).
     */
    private Map<String, String> merge(Member m) {
        List<Session> sessions = m.sessions();
        List<Map<String, String>> sessionData = new ArrayList<>(sessions.size());
        for (Session s : sessions) {
            sessionData.add(s.data);
        }
        try {
            return Map.copyOf(merger.merge(m.userData, sessionData));
        } catch (RuntimeException e) {
            LOG.error("data merger {} failed for user {}; the entry keeps its previous data", merger, m.userId, e);
            return m.data;
        }
    }

    private void emit(Room room, ChangeKind kind, Entry entry) {
        room.snapshot = null;
        Change change = new Change(room.id, ++room.seq, kind, entry);
        room.log.addLast(change);
        if (room.log.size() > changeLogCapacity) {
            room.log.removeFirst();
        }
        for (ChangeListener listener : listeners) {
            try {
                listener.onChange(change);
            } catch (RuntimeException e) {
                LOG.error("change listener {} failed on {}; the change stands", listener, change, e);
            }
        }
    }

    /**
     * The room's entries in list order (P8), at most {@code limit}. The room keeps its members in the
     * order of its last listing, which a change moves few of, so sorting it again costs about one pass.
     */
    private static List<Entry> ordered(Room room, boolean onlineOnly, int limit) {
        ArrayList<Member> order = room.order;
        if (order.size() != room.members.size()) { // members removed since the last listing
            order.removeIf(m -> room.members.get(m.userId) != m);
        }
        order.sort(ORDER);
        List<Entry> out = new ArrayList<>(Math.min(limit, order.size()));
        for (int i = 0; i < order.size() && out.size() < limit; i++) {
            Member m = order.get(i);
            if (m.online || !onlineOnly) {
                out.add(m.entry());
            }
        }
        return out;
    }

    /** {@code base} with {@code patch} laid over it, or {@code base} itself when nothing would change. */
    private static Map<String, String> patched(Map<String, String> base, Map<String, String> patch) {
        for (Map.Entry<String, String> e : patch.entrySet()) {
            if (!e.getValue().equals(base.get(e.getKey()))) {
                Map<String, String> m = new HashMap<>(base);
                m.putAll(patch);
                return Map.copyOf(m);
            }
        }
        return base;
    }

    // ---- the user → rooms index ----------------------------------------------------------------

    private void indexUserRoom(String userId, Room room) {
        roomsByUser.compute(userId, (k, v) -> {
            if (v == null || v == room) {
                return room;
            }
            Set<Room> set = new HashSet<>(roomsIn(v));
            set.add(room);
            return Set.copyOf(set);
        });
    }

    private void unindexUserRoom(String userId, Room room) {
        roomsByUser.computeIfPresent(userId, (k, v) -> {
            if (v == room) {
                return null;
            }
            Set<Room> set = new HashSet<>(roomsIn(v));
            set.remove(room);
            return set.size() == 1 ? set.iterator().next() : Set.copyOf(set);
        });
    }

    private Set<Room> roomsOf(String userId) {
        Object v = roomsByUser.get(userId);
        return v == null ? Set.of() : roomsIn(v);
    }

    @SuppressWarnings("unchecked")
    private static Set<Room> roomsIn(Object v) {
        return v instanceof Room r ? Set.of(r) : (Set<Room>) v;
    }

    // ---- state ---------------------------------------------------------------------------------

    private record Row(Entry entry, long onlineSince) {
    }

    /** One room; every field is guarded by the room's monitor. */
    private static final class Room {
        final String id;
        String token;
        long seq;
        final HashMap<String, Member> members = new HashMap<>();
        /**
         * The members in the order of the last listing, then those added since; members removed since
         * stay until the next listing, or until they are half of it.
         */
        final ArrayList<Member> order = new ArrayList<>();
        final ArrayDeque<Change> log = new ArrayDeque<>(4);
        /**
         * The snapshot at {@link #seq}, or null until one is asked for; read without the lock. Every change
         * of what a snapshot shows is emitted (S1), and {@link #emit} clears this first, so a snapshot read
         * here shows the room as of its last emitted change.
         */
        volatile RoomSnapshot snapshot;
        /** Held by the reader making {@link #snapshot} (then the room's monitor), and by those waiting for it. */
        final Object snapshotMaking = new Object();

        Room(String id) {
            this.id = id;
        }
    }

    /** One user's entry in one room; guarded by the room's monitor. */
    private static final class Member {
        final Room room;
        final String userId;
        /** null, the one live Session, or an ArrayList of two or more, oldest first (saves a list per user). */
        private Object sessions;
        boolean online;
        long lastDisconnected;
        long onlineSince;
        Map<String, String> userData = Map.of();
        Map<String, String> data = Map.of();

        /** The entry last made, handed out again while it still shows the member as they are. */
        private Entry entry;

        Member(Room room, String userId) {
            this.room = room;
            this.userId = userId;
        }

        Entry entry() {
            Entry e = entry;
            if (e == null || e.online() != online || e.lastDisconnected() != lastDisconnected || e.data() != data) {
                e = new Entry(room.id, userId, online, lastDisconnected, data);
                entry = e;
            }
            return e;
        }

        void addSession(Session s) {
            if (sessions == null) {
                sessions = s;
            } else if (sessions instanceof Session one) {
                ArrayList<Session> list = new ArrayList<>(2);
                list.add(one);
                list.add(s);
                sessions = list;
            } else {
                sessionList().add(s);
            }
        }

        void removeSession(Session s) {
            if (sessions == s) {
                sessions = null;
            } else if (sessions instanceof ArrayList) {
                ArrayList<Session> list = sessionList();
                list.remove(s);
                if (list.size() == 1) {
                    sessions = list.get(0);
                }
            }
        }

        boolean hasSessions() {
            return sessions != null;
        }

        /** The live sessions, oldest first; a view to read, not to modify. */
        List<Session> sessions() {
            if (sessions == null) {
                return List.of();
            }
            return sessions instanceof Session one ? List.of(one) : sessionList();
        }

        @SuppressWarnings("unchecked")
        private ArrayList<Session> sessionList() {
            return (ArrayList<Session>) sessions;
        }
    }

    /** One live session; its state is guarded by its room's monitor, its queue fields by the queue. */
    private static final class Session extends DeadlineQueue.Node {
        final String id;
        final String token;
        final Room room;
        final Member member;
        long deadline;
        Map<String, String> data;
        boolean ended;
        /** Held under the node's lease: out of the deadline queue until let go or released. */
        boolean held;
        /** While held: the session's timeout minus the lease's length (expiry + this = its deadline if released). */
        long holdOffset;

        Session(String id, String token, Room room, Member member, long deadline, Map<String, String> data) {
            this.id = id;
            this.token = token;
            this.room = room;
            this.member = member;
            this.deadline = deadline;
            this.data = data;
        }

        boolean belongsTo(String roomId, String userId) {
            return room.id.equals(roomId) && member.userId.equals(userId);
        }
    }
}
