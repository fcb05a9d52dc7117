package dev.huddle.presence;

/** An argument broke the documented limits (blank or over-long id, interval or limit out of range). */
public final class InvalidArgumentException extends PresenceException {

    /**
     * Creates the exception; {@code argument} names the offending parameter. The message reads
     * "{@code interval must lie in 1000…300000, was 5}": the name, then {@code message}, as the
     * server words its own argument errors.
     */
    public InvalidArgumentException(String argument, String message) {
        super("invalid_argument", argument + " " + message);
    }
}
