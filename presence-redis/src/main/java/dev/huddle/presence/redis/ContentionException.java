package dev.huddle.presence.redis;

import dev.huddle.presence.PresenceException;

/**
 * A call lost the member-version compare-and-set to other calls too many times in a row; nothing was
 * changed. Only conceivable under pathological contention on one user of one room.
 */
public final class ContentionException extends PresenceException {

    ContentionException(String roomId, int attempts) {
        super("contention", "gave up after " + attempts + " attempts on room " + roomId);
    }
}
