package dev.huddle.server.huddle;

import dev.huddle.server.http.ApiException;
import java.util.Locale;

/** A member's role in a huddle (H2). */
public enum Role {
    PARTICIPANT, OBSERVER;

    /** The wire and database form: {@code participant} or {@code observer}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire form; 400 {@code invalid_argument} naming {@code field} otherwise. */
    public static Role parse(String field, String value) {
        if ("participant".equals(value)) {
            return PARTICIPANT;
        }
        if ("observer".equals(value)) {
            return OBSERVER;
        }
        throw ApiException.invalidArgument(field, "must be \"participant\" or \"observer\"");
    }
}
