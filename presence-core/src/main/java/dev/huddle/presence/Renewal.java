package dev.huddle.presence;

/**
 * One held session's deadline renewal, as a node's keep-alive sends it in a batch
 * ({@link PresenceStore#renew}): move the deadline of the live session {@code sessionId} of that room
 * and user, carrying {@code sessionToken}, from {@code expected} (the deadline this node last saw) to
 * {@code deadline}.
 */
public record Renewal(String roomId, String userId, String sessionId, String sessionToken, long expected,
        long deadline) {
    /** {@link PresenceStore#renew}'s answer for a session that is no longer live (or is another session now). */
    public static final long GONE = -1;
}
