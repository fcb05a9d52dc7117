package dev.huddle.server.config;

import java.util.Objects;

/**
 * The legacy tracker's rollout (L1–L3, H8).
 *
 * @param source the configured rollout flag; a runtime switch recorded in the database wins over it
 * @param heartbeatIntervalMs the legacy clients' heartbeat interval ({@code PRESENCE_HEARTBEAT_INTERVAL_MS});
 *     a row is stale, and the engine's legacy session expires, 2.5 intervals after its last heartbeat
 * @param detailArray in {@code component} mode, whether the huddle detail keeps the transitional
 *     {@code presence} array (H8); in {@code legacy} and {@code shadow} it is always there
 * @param compareIntervalMs how often shadow mode compares every known room besides on each change
 * @param adminToken the bearer token of the admin API, or null (the admin API is then off)
 * @param sourceRefreshMs how often the node re-reads the recorded rollout flag, so that a switch made through
 *     any node sharing the database is adopted by this one within about that long
 */
public record RolloutSettings(PresenceSource source, int heartbeatIntervalMs, boolean detailArray, int compareIntervalMs,
        String adminToken, int sourceRefreshMs) {
    public static final int DEFAULT_SOURCE_REFRESH_MS = Setting.PRESENCE_SOURCE_REFRESH_MS.defaultInt();
    /** The declared defaults of the settings (see {@link Setting}). */
    public static final RolloutSettings DEFAULTS = new RolloutSettings(
            PresenceSource.parse(Setting.PRESENCE_SOURCE.defaultValue()), Setting.PRESENCE_HEARTBEAT_INTERVAL_MS.defaultInt(),
            Boolean.parseBoolean(Setting.PRESENCE_DETAIL_ARRAY.defaultValue()), Setting.SHADOW_COMPARE_INTERVAL_MS.defaultInt(),
            null, DEFAULT_SOURCE_REFRESH_MS);

    public RolloutSettings {
        Objects.requireNonNull(source, "source");
        Setting.PRESENCE_SOURCE_REFRESH_MS.check(sourceRefreshMs);
    }

    /** The settings with the default re-read interval of the recorded flag. */
    public RolloutSettings(PresenceSource source, int heartbeatIntervalMs, boolean detailArray, int compareIntervalMs,
            String adminToken) {
        this(source, heartbeatIntervalMs, detailArray, compareIntervalMs, adminToken, DEFAULT_SOURCE_REFRESH_MS);
    }

    /** How long after its last heartbeat a legacy row is stale: 2.5 intervals, the engine's deadline (P1). */
    public long staleAfterMs() {
        return heartbeatIntervalMs * 5L / 2;
    }

    public RolloutSettings withSource(PresenceSource s) {
        return new RolloutSettings(s, heartbeatIntervalMs, detailArray, compareIntervalMs, adminToken, sourceRefreshMs);
    }

    public RolloutSettings withDetailArray(boolean keep) {
        return new RolloutSettings(source, heartbeatIntervalMs, keep, compareIntervalMs, adminToken, sourceRefreshMs);
    }

    public RolloutSettings withAdminToken(String token) {
        return new RolloutSettings(source, heartbeatIntervalMs, detailArray, compareIntervalMs, token, sourceRefreshMs);
    }

    public RolloutSettings withSourceRefreshMs(int ms) {
        return new RolloutSettings(source, heartbeatIntervalMs, detailArray, compareIntervalMs, adminToken, ms);
    }

    @Override
    public String toString() {
        return "RolloutSettings[source=" + source.wire() + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", detailArray="
                + detailArray + ", compareIntervalMs=" + compareIntervalMs + ", adminToken=" + (adminToken == null ? "unset" : "***")
                + ", sourceRefreshMs=" + sourceRefreshMs + "]";
    }
}
