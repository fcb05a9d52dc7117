package dev.huddle.server.config;

/** Every setting the server reads: its command-line flag, its environment variable and its default. */
public enum Setting {
    HOST("--host", "HUDDLE_HOST", ServerConfig.DEFAULT_HOST),
    PORT("--port", "HUDDLE_PORT", String.valueOf(ServerConfig.DEFAULT_PORT)),
    DATA_DIR("--data-dir", "HUDDLE_DATA_DIR", ServerConfig.DEFAULT_DATA_DIR.toString()),
    DB_URL("--db-url", "HUDDLE_DB_URL", null),
    DB_USER("--db-user", "HUDDLE_DB_USER", null),
    DB_PASSWORD("--db-password", "HUDDLE_DB_PASSWORD", null),
    JWT_HS256_SECRET("--jwt-hs256-secret", "HUDDLE_JWT_HS256_SECRET", null),
    JWT_RS256_PUBLIC_KEY("--jwt-rs256-public-key", "HUDDLE_JWT_RS256_PUBLIC_KEY", null),
    JWT_USER_CLAIM("--jwt-user-claim", "HUDDLE_JWT_USER_CLAIM", AuthConfig.DEFAULT_USER_CLAIM),
    JWT_ISSUER("--jwt-issuer", "HUDDLE_JWT_ISSUER", null),
    JWT_AUDIENCE("--jwt-audience", "HUDDLE_JWT_AUDIENCE", null),
    GUEST_TOKEN_DAYS("--guest-token-days", "HUDDLE_GUEST_TOKEN_DAYS",
            String.valueOf(AuthConfig.DEFAULT_GUEST_TOKEN_TTL.toDays())),
    ALLOWED_ORIGINS("--allowed-origins", "HUDDLE_ALLOWED_ORIGINS", null),
    WS_PING_INTERVAL_MS("--ws-ping-interval-ms", "HUDDLE_WS_PING_INTERVAL_MS",
            String.valueOf(LiveSettings.DEFAULTS.pingIntervalMs())),
    WS_MAX_MESSAGE_BYTES("--ws-max-message-bytes", "HUDDLE_WS_MAX_MESSAGE_BYTES",
            String.valueOf(LiveSettings.DEFAULTS.maxMessageBytes())),
    WS_MAX_ROOMS_PER_CONNECTION("--ws-max-rooms-per-connection", "HUDDLE_WS_MAX_ROOMS_PER_CONNECTION",
            String.valueOf(LiveSettings.DEFAULTS.maxRoomsPerConnection())),
    WS_MAX_CONNECTIONS_PER_USER("--ws-max-connections-per-user", "HUDDLE_WS_MAX_CONNECTIONS_PER_USER",
            String.valueOf(LiveSettings.DEFAULTS.maxConnectionsPerUser())),
    WS_FLAG_UPDATES_PER_SECOND("--ws-flag-updates-per-second", "HUDDLE_WS_FLAG_UPDATES_PER_SECOND",
            String.valueOf(LiveSettings.DEFAULTS.flagUpdatesPerSecond())),
    WS_FLAG_COALESCE_MS("--ws-flag-coalesce-ms", "HUDDLE_WS_FLAG_COALESCE_MS",
            String.valueOf(LiveSettings.DEFAULTS.flagCoalesceMs())),
    WS_ROOM_BATCH_MS("--ws-room-batch-ms", "HUDDLE_WS_ROOM_BATCH_MS",
            String.valueOf(LiveSettings.DEFAULTS.roomBatchMs())),
    WS_OUTBOUND_QUEUE("--ws-outbound-queue", "HUDDLE_WS_OUTBOUND_QUEUE",
            String.valueOf(LiveSettings.DEFAULTS.outboundQueue())),
    WS_SEND_TIMEOUT_MS("--ws-send-timeout-ms", "HUDDLE_WS_SEND_TIMEOUT_MS",
            String.valueOf(LiveSettings.DEFAULTS.sendTimeoutMs())),
    CHANGE_LOG_CAPACITY("--change-log-capacity", "HUDDLE_CHANGE_LOG_CAPACITY",
            String.valueOf(LiveSettings.DEFAULTS.changeLogCapacity())),
    PRESENCE_SOURCE("--presence-source", "HUDDLE_PRESENCE_SOURCE", RolloutSettings.DEFAULTS.source().wire()),
    PRESENCE_HEARTBEAT_INTERVAL_MS("--presence-heartbeat-interval-ms", "PRESENCE_HEARTBEAT_INTERVAL_MS",
            String.valueOf(RolloutSettings.DEFAULTS.heartbeatIntervalMs())),
    PRESENCE_DETAIL_ARRAY("--presence-detail-array", "HUDDLE_PRESENCE_DETAIL_ARRAY",
            String.valueOf(RolloutSettings.DEFAULTS.detailArray())),
    SHADOW_COMPARE_INTERVAL_MS("--shadow-compare-interval-ms", "HUDDLE_SHADOW_COMPARE_INTERVAL_MS",
            String.valueOf(RolloutSettings.DEFAULTS.compareIntervalMs())),
    PRESENCE_SOURCE_REFRESH_MS("--presence-source-refresh-ms", "HUDDLE_PRESENCE_SOURCE_REFRESH_MS",
            String.valueOf(RolloutSettings.DEFAULT_SOURCE_REFRESH_MS)),
    ADMIN_TOKEN("--admin-token", "HUDDLE_ADMIN_TOKEN", null),
    REDIS_URL("--redis-url", "HUDDLE_REDIS_URL", null),
    REDIS_PREFIX("--redis-prefix", "HUDDLE_REDIS_PREFIX", ClusterConfig.DEFAULT_PREFIX),
    REDIS_PARTITIONS("--redis-partitions", "HUDDLE_REDIS_PARTITIONS", String.valueOf(ClusterConfig.DEFAULT_PARTITIONS)),
    GUEST_SECRET("--guest-secret", "HUDDLE_GUEST_SECRET", null),
    GUEST_SECRET_FILE("--guest-secret-file", "HUDDLE_GUEST_SECRET_FILE", null);

    private final String flag;
    private final String env;
    private final String defaultValue;

    Setting(String flag, String env, String defaultValue) {
        this.flag = flag;
        this.env = env;
        this.defaultValue = defaultValue;
    }

    public String flag() {
        return flag;
    }

    public String env() {
        return env;
    }

    /** The default, or null when the setting is off unless given. */
    public String defaultValue() {
        return defaultValue;
    }

    /** How error messages name the setting: {@code --port / HUDDLE_PORT}. */
    public String label() {
        return flag + " / " + env;
    }
}
