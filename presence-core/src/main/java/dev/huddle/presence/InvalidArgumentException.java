package dev.huddle.presence;

/** An argument broke the documented limits (blank or over-long id, interval or limit out of range). */
public final class InvalidArgumentException extends PresenceException {

    /** Creates the exception; {@code argument} names the offending parameter. */
    public InvalidArgumentException(String argument, String message) {
        super("invalid_argument", argument + ": " + message);
    }
}
