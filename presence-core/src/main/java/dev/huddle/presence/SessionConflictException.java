package dev.huddle.presence;

/** A session id already belongs to another (room, user) pair (P2); nothing was changed. */
public final class SessionConflictException extends PresenceException {

    /** Creates the exception for {@code sessionId}. */
    public SessionConflictException(String sessionId) {
        super("session_conflict", "session id is already in use by another room or user: " + sessionId);
    }
}
