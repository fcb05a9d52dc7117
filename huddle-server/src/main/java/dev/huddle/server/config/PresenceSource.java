package dev.huddle.server.config;

import java.util.Locale;

/** L2: the rollout flag {@code presence.source}, the source of truth for presence. */
public enum PresenceSource {
    /** The legacy table is the truth; the engine is not fed by the legacy calls. */
    LEGACY,
    /** The legacy table serves; the engine is fed the same heartbeats and compared with it. */
    SHADOW,
    /** The engine serves; the legacy calls are thin wrappers over heartbeat and disconnect. */
    COMPONENT;

    /** The value as configured and sent: {@code legacy}, {@code shadow}, {@code component}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire value; {@link IllegalArgumentException} naming the choices otherwise. */
    public static PresenceSource parse(String raw) {
        if (raw != null) {
            for (PresenceSource s : values()) {
                if (s.wire().equals(raw.trim().toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("must be legacy, shadow or component, was '" + raw + "'");
    }

    /** Whether the legacy table is in use (read, swept) in this mode. */
    public boolean usesLegacyTable() {
        return this != COMPONENT;
    }
}
