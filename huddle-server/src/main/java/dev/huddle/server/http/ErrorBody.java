package dev.huddle.server.http;

import java.util.Map;

/** The JSON every error response carries: {@code {"error":{"code","message"}}}. */
public final class ErrorBody {
    private ErrorBody() {
    }

    public static Map<String, Object> of(String code, String message) {
        return Map.of("error", Map.of("code", code, "message", message == null ? code : message));
    }
}
