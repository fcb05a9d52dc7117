package dev.huddle.server.huddle;

import dev.huddle.server.http.ApiException;
import java.util.Locale;

/** A member's role in a huddle (H2, H9). Hosts and participants may set flags; observers may not. */
public enum Role {
    HOST, PARTICIPANT, OBSERVER;

    /** The wire and database form: {@code host}, {@code participant} or {@code observer}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a member of this role may set {@code isSpeaking} and {@code isRecording} (H5, H9). */
    public boolean maySetFlags() {
        return this != OBSERVER;
    }

    /** Parses the wire form; 400 {@code invalid_argument} naming {@code field} otherwise. */
    public static Role parse(String field, String value) {
        for (Role r : values()) {
            if (r.wire().equals(value)) {
                return r;
            }
        }
        throw ApiException.invalidArgument(field, "must be \"host\", \"participant\" or \"observer\"");
    }
}
