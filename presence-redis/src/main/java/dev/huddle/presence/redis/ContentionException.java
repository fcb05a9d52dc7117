package dev.huddle.presence.redis;

import dev.huddle.presence.PresenceException;

/**
 * A call lost the member-version compare-and-set to other calls too many times in a row, or a new
 * session's id was taken from under it too many times by heartbeats for the same id in other rooms or
 * users; nothing visible was changed. Only conceivable under pathological contention.
 */
public final class ContentionException extends PresenceException {

    ContentionException(String roomId, int attempts) {
        super("contention", "gave up after " + attempts + " attempts on room " + roomId);
    }
}
