package dev.huddle.server.http;

import java.util.Map;

/**
 * A request the API refuses: an HTTP status, a stable machine-readable code and a human message.
 * Rendered as {@code {"error":{"code","message"}}} (or, for Convex-style calls, as a function error).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** A refusal that also sets response headers (e.g. {@code Retry-After}). */
    public ApiException(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Headers the refusal sets besides the body; usually none. */
    public Map<String, String> headers() {
        return headers;
    }

    /** 429 {@code rate_limited} with {@code Retry-After} (whole seconds, at least 1). */
    public static ApiException rateLimited(String message, long retryAfterSeconds) {
        return new ApiException(429, "rate_limited", message,
                Map.of("Retry-After", String.valueOf(Math.max(1, retryAfterSeconds))));
    }

    /** 400 {@code invalid_argument} naming the field. */
    public static ApiException invalidArgument(String field, String why) {
        return new ApiException(400, "invalid_argument", field + " " + why);
    }

    public static ApiException unauthenticated() {
        return new ApiException(401, "unauthenticated", "sign in first: send Authorization: Bearer <token> or the huddle_token cookie");
    }

    public static ApiException invalidToken(String why) {
        return new ApiException(401, "invalid_token", "the token is not valid: " + why);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }
}
