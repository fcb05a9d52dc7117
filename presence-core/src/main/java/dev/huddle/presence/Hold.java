package dev.huddle.presence;

/**
 * A live session this node's socket carries, as the node's {@link KeepAlive} hands it to the store
 * ({@link PresenceStore#hold}): the session {@code sessionId} of that room and user, carrying
 * {@code sessionToken}, whose deadline is {@code timeoutMs} (P1's 2.5 intervals) after its last proof of
 * life.
 */
public record Hold(String roomId, String userId, String sessionId, String sessionToken, long timeoutMs) {
    /** {@link PresenceStore#unhold}'s answer for a session that is no longer live (or is another session now). */
    public static final long GONE = -1;
}
