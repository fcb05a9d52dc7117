package dev.huddle.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.server.http.Args;

/**
 * Handles one type of client message (docs/protocol.md). Handlers hold no state of their own and serve
 * every socket; a refusal is thrown ({@code ApiException}, {@code PresenceException}) and answered by
 * {@link Messages} as an {@code error} with the request's id, having changed nothing.
 */
interface MessageHandler {
    void handle(SocketContext socket, Message message);

    /** A client message: its {@code requestId} (null when absent), the whole object, and its fields as arguments. */
    record Message(JsonNode requestId, ObjectNode body, Args args) {
    }
}
