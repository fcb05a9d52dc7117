package dev.huddle.presence;

/**
 * Base type of every failure the engine reports. Expected outcomes (an unknown token on disconnect, a
 * user with no entry) are return values, not exceptions; exceptions are for broken contracts.
 */
public class PresenceException extends RuntimeException {
    private final String code;

    protected PresenceException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** A stable, machine-readable code such as {@code invalid_argument}. */
    public String code() {
        return code;
    }
}
