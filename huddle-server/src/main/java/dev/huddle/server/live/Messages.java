package dev.huddle.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one client text frame and hands it to the handler of its {@code type}. A frame that is not a
 * JSON object with a string {@code type} and a scalar {@code requestId}, or whose handler refuses it,
 * is answered with an {@code error} ({@link ErrorReplies}).
 */
final class Messages {
    private static final Map<String, MessageHandler> HANDLERS = handlers();
    private static final String EXPECTED = expected();

    private Messages() {
    }

    private static Map<String, MessageHandler> handlers() {
        Map<String, MessageHandler> h = new LinkedHashMap<>();
        h.put("join", new JoinHandler());
        h.put("flags", new FlagsHandler());
        h.put("leave", new LeaveHandler());
        h.put("subscribe", new SubscribeHandler());
        h.put("unsubscribe", new UnsubscribeHandler());
        return h;
    }

    /** "join, flags, leave, subscribe or unsubscribe". */
    private static String expected() {
        List<String> types = new ArrayList<>(HANDLERS.keySet());
        String last = types.remove(types.size() - 1);
        return String.join(", ", types) + " or " + last;
    }

    static void handle(SocketContext socket, String text) {
        ObjectNode msg;
        try {
            msg = Json.object(text.getBytes(StandardCharsets.UTF_8));
        } catch (ApiException e) {
            socket.reply(Frames.error(null, e.code(), e.getMessage()));
            return;
        }
        JsonNode requestId = msg.get("requestId");
        String type = "";
        try {
            if (requestId != null && !requestId.isValueNode()) {
                throw ApiException.invalidArgument("requestId", "must be a string or a number");
            }
            JsonNode t = msg.get("type");
            if (t == null || !t.isTextual()) {
                throw ApiException.invalidArgument("type", "is required (a string)");
            }
            type = t.asText();
            MessageHandler handler = HANDLERS.get(type);
            if (handler == null) {
                throw new ApiException(400, "unknown_type", "unknown message type '" + type + "'; expected " + EXPECTED);
            }
            handler.handle(socket, new MessageHandler.Message(requestId, msg, Args.of(msg)));
        } catch (RuntimeException e) {
            // Javalin's way: refusals answered with their code, anything else logged and answered as internal.
            socket.reply(ErrorReplies.of(requestId, e, "handling '" + type + "'"));
        }
    }
}
