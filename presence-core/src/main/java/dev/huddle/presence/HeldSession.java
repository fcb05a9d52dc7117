package dev.huddle.presence;

/**
 * A live session held by a socket of this node ({@link Presence#hold}): the socket's frames
 * {@link #touch} it in memory, and the node's {@link KeepAlive} renews its deadline in the store in
 * batches. Thread safe.
 */
public final class HeldSession {
    final String roomId;
    final String userId;
    final String sessionId;
    final String token;
    final long intervalMs;
    final Runnable onLost;
    private final TimeSource clock;
    private final KeepAlive keepAlive;
    /** When a frame last proved the socket alive. */
    private volatile long lastTouch;
    // Guarded by this: the deadline the store holds as far as this node knows, and whether it is held.
    private long stored;
    private boolean held = true;

    HeldSession(KeepAlive keepAlive, TimeSource clock, String roomId, String userId, String sessionId,
            HeartbeatResult beat, long intervalMs, long now, Runnable onLost) {
        this.keepAlive = keepAlive;
        this.clock = clock;
        this.roomId = roomId;
        this.userId = userId;
        this.sessionId = sessionId;
        this.token = beat.sessionToken();
        this.intervalMs = intervalMs;
        this.onLost = onLost;
        this.lastTouch = now;
        this.stored = beat.deadline();
    }

    /** A frame arrived on the socket: the session is alive now (P1, T1). Memory only. */
    public void touch() {
        lastTouch = clock.millis();
    }

    /** Whether the keep-alive still holds this session (false once released, dropped or lost). */
    public synchronized boolean held() {
        return held;
    }

    /** The session id. */
    public String sessionId() {
        return sessionId;
    }

    /**
     * The socket went away without a goodbye (T2): the keep-alive lets go, and the store gets the
     * deadline of the last frame at once (on the keep-alive's thread, so a closing socket never waits on
     * the store), unless a departure grace or another node moved it meanwhile.
     */
    public void release() {
        if (keepAlive.forget(this)) {
            keepAlive.renewSoon(this);
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

    /** Whether a renewal is due at {@code now}: the stored deadline is within {@code margin} and a frame came since. */
    synchronized Renewal renewalDue(long now, long margin) {
        long want = wanted();
        if (!held || want <= stored || stored - now > margin) {
            return null;
        }
        return new Renewal(roomId, userId, sessionId, token, stored, want);
    }

    /** The renewal {@code r} came back with {@code result}; false if the session is no longer held by this node. */
    synchronized boolean renewed(Renewal r, long result) {
        if (result == Renewal.GONE || result < r.expected()) {
            // ended elsewhere, or moved earlier (a departure grace): not this socket's to keep alive any more
            return false;
        }
        if (stored == r.expected()) {
            stored = result;
        }
        return true;
    }

    synchronized boolean unhold() {
        boolean was = held;
        held = false;
        return was;
    }

    synchronized Renewal finalRenewal() {
        long want = wanted();
        return want > stored ? new Renewal(roomId, userId, sessionId, token, stored, want) : null;
    }
}
