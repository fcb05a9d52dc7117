package dev.huddle.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.PresenceException;
import dev.huddle.presence.StoreUnavailableException;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.ErrorMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failure on a socket into the {@code error} frame the client gets (docs/protocol.md), as
 * {@code ErrorMapping} does for HTTP: an API refusal or the engine's with its own code, anything
 * unexpected as {@code internal}, logged with its cause and no detail sent to the client. The
 * request changed nothing either way.
 */
final class ErrorReplies {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

    private ErrorReplies() {
    }

    /**
     * The {@code error} frame for {@code failure}, answering {@code requestId} (null when it answers no
     * request); {@code doing} names what failed, for the log ("handling 'join'").
     */
    static String of(JsonNode requestId, RuntimeException failure, String doing) {
        if (failure instanceof ApiException e) {
            return Frames.error(requestId, e.code(), e.getMessage());
        }
        if (failure instanceof StoreUnavailableException e) {
            // R1: the store counts and logs its outages at a bounded rate; the cause stays there.
            return Frames.error(requestId, e.code(), ErrorMapping.UNAVAILABLE);
        }
        if (failure instanceof PresenceException e) {
            return Frames.error(requestId, e.code(), e.getMessage());
        }
        LOG.error("unhandled error on a socket, {}", doing, failure);
        return Frames.error(requestId, "internal", "internal server error");
    }
}
