package dev.huddle.presence.internal;

import dev.huddle.presence.InvalidArgumentException;
import java.util.Map;

/** The engine's argument limits, checked before anything is changed. */
public final class Validation {
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_DATA_ENTRIES = 32;
    public static final int MAX_DATA_KEY_LENGTH = 64;
    public static final int MAX_DATA_VALUE_LENGTH = 2048;

    private Validation() {
    }

    /** An id must be non-null, not blank, at most 256 characters, and free of control characters. */
    public static String id(String name, String value) {
        if (value == null) {
            throw new InvalidArgumentException(name, "is required");
        }
        if (value.isBlank()) {
            throw new InvalidArgumentException(name, "must not be blank");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidArgumentException(name, "must be at most " + MAX_ID_LENGTH + " characters, was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                // Ids end up in log lines and keys: a newline could forge a log line (H7).
                throw new InvalidArgumentException(name, "must not contain control characters");
            }
        }
        return value;
    }

    public static long range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidArgumentException(name, "must lie in " + min + "…" + max + ", was " + value);
        }
        return value;
    }

    /** Data maps are small string maps: at most 32 entries, keys up to 64 and values up to 2048 chars. */
    public static Map<String, String> data(String name, Map<String, String> data) {
        if (data == null) {
            throw new InvalidArgumentException(name, "is required");
        }
        if (data.size() > MAX_DATA_ENTRIES) {
            throw new InvalidArgumentException(name, "must have at most " + MAX_DATA_ENTRIES + " entries");
        }
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().length() > MAX_DATA_KEY_LENGTH) {
                throw new InvalidArgumentException(name, "keys must be 1…" + MAX_DATA_KEY_LENGTH + " characters");
            }
            if (e.getValue() == null || e.getValue().length() > MAX_DATA_VALUE_LENGTH) {
                throw new InvalidArgumentException(name, "value of '" + e.getKey() + "' must be a string of at most "
                        + MAX_DATA_VALUE_LENGTH + " characters");
            }
        }
        return Map.copyOf(data);
    }
}
