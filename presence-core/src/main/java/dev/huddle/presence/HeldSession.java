package dev.huddle.presence;

/**
 * A live session held by a socket of this node ({@link Presence#hold}): the socket's frames
 * {@link #touch} it in memory, and the store keeps it live under the node's lease ({@link KeepAlive}).
 * Thread safe.
 */
public final class HeldSession {
    final Hold hold;
    final String roomId;
    final String userId;
    final String sessionId;
    final long intervalMs;
    final Runnable onLost;
    private final TimeSource clock;
    private final KeepAlive keepAlive;
    /** When a frame last proved the socket alive. */
    private volatile long lastTouch;
    /** Set when the node's lease was lost and the session had ended before the node could hold it again. */
    private volatile boolean lostWithLease;
    // Guarded by this: whether it is held, and when it must be held again (PresenceStore#holdRefreshMs).
    private boolean held = true;
    private long refreshAt;

    HeldSession(KeepAlive keepAlive, TimeSource clock, String roomId, String userId, String sessionId,
            HeartbeatResult beat, long intervalMs, long now, Runnable onLost) {
        this.keepAlive = keepAlive;
        this.clock = clock;
        this.roomId = roomId;
        this.userId = userId;
        this.sessionId = sessionId;
        this.hold = new Hold(roomId, userId, sessionId, beat.sessionToken(), Presence.deadline(0, intervalMs));
        this.intervalMs = intervalMs;
        this.onLost = onLost;
        this.lastTouch = now;
    }

    /** A frame arrived on the socket: the session is alive now (P1, T1). Memory only. */
    public void touch() {
        lastTouch = clock.millis();
    }

    /** Whether the keep-alive still holds this session (false once released, dropped or lost). */
    public synchronized boolean held() {
        return held;
    }

    /**
     * Whether the keep-alive lost this session with the node's lease: the node paused (or could not reach
     * the store) longer than its lease, another node released its sessions, and this one ended before
     * the node came back. Its socket is still open, so the caller creates it again (a new join) rather
     * than telling the client it ended.
     */
    public boolean lostWithLease() {
        return lostWithLease;
    }

    /** The session id. */
    public String sessionId() {
        return sessionId;
    }

    /**
     * The socket went away without a goodbye (T2): the keep-alive lets go, and the store gets the
     * deadline of the last frame back at once (on the keep-alive's thread, so a closing socket never
     * waits on the store).
     */
    public void release() {
        if (keepAlive.forget(this)) {
            keepAlive.unholdSoon(this);
        }
    }

    /** The session is being ended or handed back (a goodbye, a leave): the keep-alive lets go, writing nothing. */
    public void drop() {
        keepAlive.forget(this);
    }

    /** The deadline the last frame gives: P1 from the last touch. */
    long wanted() {
        return Presence.deadline(lastTouch, intervalMs);
    }

    /** The node was paused: its sockets could not be heard meanwhile, so their silence proves nothing. */
    void pardon(long now) {
        lastTouch = Math.max(lastTouch, now);
    }

    void markLostWithLease() {
        lostWithLease = true;
    }

    synchronized boolean refreshDue(long now) {
        return held && now >= refreshAt;
    }

    synchronized void heldUntil(long refreshBy) {
        refreshAt = refreshBy;
    }

    synchronized boolean unhold() {
        boolean was = held;
        held = false;
        return was;
    }
}
