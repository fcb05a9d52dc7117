package dev.huddle.presence;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where presence state lives: sessions, entries, tokens, deadlines and each room's change log. The
 * store applies the rules (P2, P3, P6, P7, P10, P11) itself, so that several server nodes sharing one
 * store can never race each other into a wrong state. {@link Presence} validates arguments, reads the
 * clock, creates tokens and runs the expiry worker; it never reads state and then writes it back.
 *
 * <h2>Guarantees every implementation must give</h2>
 * <ul>
 *   <li><b>Thread safety.</b> Every method may be called from any thread at any time.</li>
 *   <li><b>Atomicity.</b> Each method is one atomic step as seen by every other caller and every
 *       node: its checks, its writes and the changes it emits happen together or not at all. A method
 *       that throws has changed nothing.</li>
 *   <li><b>Ordering.</b> Within one room, changes get sequence numbers 1, 2, 3… with no gap and no
 *       repeat, and listeners see them in that order. {@link #snapshot} and {@link #changesSince} are
 *       consistent with that sequence: a snapshot at seq n followed by changes n+1… is the room.</li>
 *   <li><b>Exactly once.</b> A join is emitted only for an offline (or absent) user becoming online,
 *       a leave only for an online user becoming offline; concurrent calls never emit either twice.</li>
 *   <li><b>Silence.</b> A call that changes nothing visible emits nothing (P3).</li>
 *   <li><b>Change stream.</b> Changes come out of the store, not out of the calling code: a listener
 *       sees changes made through any node sharing the store. Listeners must not block (see
 *       {@link ChangeListener}).</li>
 * </ul>
 * Times are epoch milliseconds given by the caller; a store never reads a clock. A store that lives
 * elsewhere (Redis) reports that it cannot be reached, did not answer in time, or has too much waiting
 * for it with {@link StoreUnavailableException}, from any method, without waiting past a fixed bound
 * (R1, R3).
 */
public interface PresenceStore extends AutoCloseable {

    /**
     * Records a heartbeat (P1–P4, P12): creates the session if it does not exist, sets its deadline,
     * and merges {@code sessionData} (unless null) into the session's data, key by key.
     *
     * @param newToken supplies fresh tokens for a room or session that has none yet
     * @throws SessionConflictException if the session id belongs to another room or user
     */
    HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long now, long deadline,
            Map<String, String> sessionData, Supplier<String> newToken);

    /**
     * Holds sessions this node's sockets carry under the node's <b>lease</b> ({@link KeepAlive}, T1 at
     * O(nodes) cost): a held session has no deadline of its own to renew; it stays live while the node's
     * lease does (see {@link #renewLease}). A node whose lease runs out — it died, or paused longer than
     * {@code leaseMs} — has its held sessions released by any node's {@link #expire}, exactly once, each
     * to the deadline {@code renewal + timeoutMs} (or its own, if later), where {@code renewal} is the
     * lease's last renewal: within one session deadline of the node's last sign of life. Holding a
     * session held by another node moves it to this one. Emits nothing: holding changes no entry.
     *
     * @param leaseMs how long after {@code now} this node's lease runs out unless renewed
     * @return per hold, in order, whether it is held now (false: no live session of that room and user
     *         has that id and token — it ended, or is another session)
     */
    boolean[] hold(List<Hold> holds, long now, long leaseMs);

    /**
     * Lets go of a session this node held: it gets back an ordinary deadline, the later of
     * {@code deadline} (its last frame's, T2) and the one its last heartbeat gave. A session no longer
     * held by this node (a departure grace or another node took it) keeps what it has.
     *
     * @return the session's deadline after the call, or {@link Hold#GONE} if it is not live with that token
     */
    long unhold(Hold hold, long deadline, long now);

    /**
     * Renews this node's lease until {@code now + leaseMs}: one write per node (and store shard), however
     * many sessions it holds. A store shared by several nodes answers the rooms whose held sessions this
     * node lost since its last renewal: its lease ran out and another node released them (they end at
     * their deadlines unless held again). A store only this node uses loses nothing.
     *
     * @return which rooms' holds were lost (test a room id)
     */
    java.util.function.Predicate<String> renewLease(long now, long leaseMs);

    /**
     * How often a held session must be held again ({@link #hold}) to stay held (default: never). A store
     * whose per-session bookkeeping expires (Redis: the session id's claim, P2) says how often.
     */
    default long holdRefreshMs() {
        return Long.MAX_VALUE;
    }

    /**
     * Merges {@code patch} into a live session's data, key by key, and emits {@code update} if the
     * entry's visible data changed (P12). Does not move the deadline.
     *
     * @return false if no live session has that id for that room and user (nothing changes)
     */
    boolean updateSession(String roomId, String userId, String sessionId, Map<String, String> patch);

    /**
     * Ends the session of {@code sessionToken} at {@code endAt} (P6): at once when {@code endAt <= now},
     * else by moving its deadline earlier to {@code endAt} (a later heartbeat moves it again).
     *
     * @return false if the token is unknown or spent (a no-op)
     */
    boolean disconnect(String sessionToken, long now, long endAt);

    /**
     * Ends up to {@code maxSessions} sessions whose deadline is at or before {@code now} (P5, P7); a
     * session ended this way went offline at its deadline. Safe to call from several threads or nodes:
     * each session ends exactly once.
     *
     * @return how many sessions were examined; fewer than {@code maxSessions} means none is left due
     */
    int expire(long now, int maxSessions);

    /**
     * How many sessions {@link #expire} calls on this store object have ended so far (P5): this node's
     * share, so that the sum over every node sharing a store counts each expiry once. A store that does
     * not count answers 0.
     */
    default long expiredSessions() {
        return 0;
    }

    /** Returns the earliest deadline of any live session, or {@link Long#MAX_VALUE} when there is none. */
    long earliestDeadline();

    /** Lists a room by its token (P8); an unknown token gives an empty list. */
    List<Entry> list(String roomToken, int limit);

    /** Lists a room by its id (P9). */
    List<Entry> listRoom(String roomId, boolean onlineOnly, int limit);

    /** Lists one user's entries across rooms (P9). */
    List<Entry> listUser(String userId, boolean onlineOnly, int limit);

    /**
     * Sets the user's room data and emits {@code update} if the visible entry changed (P10).
     *
     * @return false if the user has no entry in the room (nothing changes)
     */
    boolean updateRoomUser(String roomId, String userId, Map<String, String> data);

    /** Deletes the user's entry, sessions and session tokens in the room and emits {@code remove}. */
    boolean removeRoomUser(String roomId, String userId);

    /** Deletes every entry, session and token of the room, emitting {@code remove} per entry in list order (P8). */
    boolean removeRoom(String roomId);

    /** Returns the room's entries with the sequence number they reflect (S1). */
    RoomSnapshot snapshot(String roomId);

    /**
     * Returns the changes after {@code afterSeq} if the store still holds all of them for that epoch
     * (S2), or empty when the caller must take a fresh {@link #snapshot} instead.
     */
    Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq);

    /**
     * Read-only: the token of the session {@code sessionId} if it is live in that room for that user,
     * else empty (also when the id is live elsewhere). Lets a transport check that a client resuming a
     * session proves it with the session's token (T2) before it heartbeats.
     */
    Optional<String> liveSessionToken(String roomId, String userId, String sessionId);

    /** Adds a listener that sees every change of every room, in sequence order per room. */
    void addListener(ChangeListener listener);

    /** Releases the store's resources. */
    @Override
    void close();
}
