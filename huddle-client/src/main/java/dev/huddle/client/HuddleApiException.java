package dev.huddle.client;

/** The server refused a request: its HTTP status and the documented error code and message. */
public final class HuddleApiException extends RuntimeException {
    private final int status;
    private final String code;

    public HuddleApiException(int status, String code, String message) {
        super(status + " " + code + ": " + message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
