package dev.huddle.server.huddle;

import dev.huddle.server.http.ApiException;
import java.util.Locale;

/** Who may become a member (H9): {@code open} (the default), {@code invite} or {@code closed}. */
public enum JoinPolicy {
    /** Any signed-in user may join as a participant. */
    OPEN,
    /** Participation needs a host's invite or promotion; anyone allowed to view may observe. */
    INVITE,
    /** Nobody new joins. */
    CLOSED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire form; 400 {@code invalid_argument} naming {@code field} otherwise. */
    public static JoinPolicy parse(String field, String value) {
        for (JoinPolicy p : values()) {
            if (p.wire().equals(value)) {
                return p;
            }
        }
        throw ApiException.invalidArgument(field, "must be \"open\", \"invite\" or \"closed\"");
    }
}
