package dev.huddle.server.http;

/**
 * A request the API refuses: an HTTP status, a stable machine-readable code and a human message.
 * Rendered as {@code {"error":{"code","message"}}} (or, for Convex-style calls, as a function error).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
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
