package dev.huddle.server;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.ConfigException;
import dev.huddle.server.config.ConfigLoader;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.config.Setting;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the server: flags win over environment variables, which win over defaults (see docs/operations.md). */
@Command(name = "huddle-server", mixinStandardHelpOptions = true, version = "Huddle Presence 0.1.0",
        subcommands = MigrateCommand.class,
        description = "Runs the Huddle Presence server. Every flag has an environment variable; see docs/operations.md.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--host", description = "Address to bind (HUDDLE_HOST, default 0.0.0.0).")
    String host;
    @Option(names = "--port", description = "HTTP port, 0 for any free one (HUDDLE_PORT, default 8080).")
    String port;
    @Option(names = "--data-dir", description = "Data directory (HUDDLE_DATA_DIR, default ./data).")
    String dataDir;
    @Option(names = "--db-url", description = "JDBC URL (HUDDLE_DB_URL, default SQLite in the data directory).")
    String dbUrl;
    @Option(names = "--db-user", description = "Database user (HUDDLE_DB_USER).")
    String dbUser;
    @Option(names = "--db-password", description = "Database password (HUDDLE_DB_PASSWORD; prefer the variable).")
    String dbPassword;
    @Option(names = "--jwt-hs256-secret", description = "Identity provider's HS256 secret (HUDDLE_JWT_HS256_SECRET; prefer the variable).")
    String jwtSecret;
    @Option(names = "--jwt-rs256-public-key", description = "PEM file with the identity provider's RS256 public key (HUDDLE_JWT_RS256_PUBLIC_KEY).")
    String jwtPublicKey;
    @Option(names = "--jwt-user-claim", description = "Claim holding the user id (HUDDLE_JWT_USER_CLAIM, default sub).")
    String jwtUserClaim;
    @Option(names = "--jwt-issuer", description = "Required iss claim (HUDDLE_JWT_ISSUER).")
    String jwtIssuer;
    @Option(names = "--jwt-audience", description = "Required aud claim (HUDDLE_JWT_AUDIENCE).")
    String jwtAudience;
    @Option(names = "--guest-token-days", description = "Guest token lifetime in days (HUDDLE_GUEST_TOKEN_DAYS, default 30).")
    String guestTokenDays;
    @Option(names = "--allowed-origins", description = "Comma-separated origins allowed to open WebSockets (HUDDLE_ALLOWED_ORIGINS).")
    String allowedOrigins;
    @Option(names = "--ws-ping-interval-ms", description = "WebSocket ping interval (HUDDLE_WS_PING_INTERVAL_MS, default 10000).")
    String wsPingIntervalMs;
    @Option(names = "--ws-max-message-bytes", description = "Largest WebSocket message (HUDDLE_WS_MAX_MESSAGE_BYTES, default 16384).")
    String wsMaxMessageBytes;
    @Option(names = "--ws-max-rooms-per-connection", description = "Rooms per WebSocket (HUDDLE_WS_MAX_ROOMS_PER_CONNECTION, default 16).")
    String wsMaxRooms;
    @Option(names = "--ws-max-connections-per-user", description = "WebSockets per user (HUDDLE_WS_MAX_CONNECTIONS_PER_USER, default 8).")
    String wsMaxConnections;
    @Option(names = "--ws-flag-updates-per-second", description = "Flag messages per session per second (HUDDLE_WS_FLAG_UPDATES_PER_SECOND, default 10).")
    String wsFlagRate;
    @Option(names = "--ws-flag-coalesce-ms", description = "Flag pacing: after a burst of 3, one change per this many ms (HUDDLE_WS_FLAG_COALESCE_MS, default 100).")
    String wsFlagCoalesce;
    @Option(names = "--ws-room-batch-ms", description = "Room fan-out pacing: after a burst of 3, one batched frame per this many ms (HUDDLE_WS_ROOM_BATCH_MS, default 50; 0 never batches).")
    String wsRoomBatch;
    @Option(names = "--ws-outbound-queue", description = "Messages queued per WebSocket before resync, one per 32 KB begun (HUDDLE_WS_OUTBOUND_QUEUE, default 256).")
    String wsOutboundQueue;
    @Option(names = "--ws-send-timeout-ms", description = "Stuck send before close 4008 (HUDDLE_WS_SEND_TIMEOUT_MS, default 30000).")
    String wsSendTimeout;
    @Option(names = "--change-log-capacity", description = "Changes kept per room for resume (HUDDLE_CHANGE_LOG_CAPACITY, default 1024).")
    String changeLogCapacity;
    @Option(names = "--presence-source", description = "Rollout flag: legacy, shadow or component (HUDDLE_PRESENCE_SOURCE, default component).")
    String presenceSource;
    @Option(names = "--presence-heartbeat-interval-ms", description = "Legacy clients' heartbeat interval (PRESENCE_HEARTBEAT_INTERVAL_MS, default 10000).")
    String presenceHeartbeatInterval;
    @Option(names = "--presence-detail-array", description = "Keep the huddle detail's presence array in component mode (HUDDLE_PRESENCE_DETAIL_ARRAY, default true).")
    String presenceDetailArray;
    @Option(names = "--shadow-compare-interval-ms", description = "Shadow comparison timer (HUDDLE_SHADOW_COMPARE_INTERVAL_MS, default 30000).")
    String shadowCompareInterval;
    @Option(names = "--presence-source-refresh-ms", description = "How often the recorded rollout flag is re-read, so a switch through any node reaches this one (HUDDLE_PRESENCE_SOURCE_REFRESH_MS, default 1000).")
    String presenceSourceRefresh;
    @Option(names = "--admin-token", description = "Bearer token of the admin API (HUDDLE_ADMIN_TOKEN; prefer the variable; unset = admin API off).")
    String adminToken;
    @Option(names = "--redis-url", description = "Cluster mode: the Redis all nodes share, redis://host:6379, or a Redis Cluster, redis-cluster://host1:6379,host2:6379 (HUDDLE_REDIS_URL; unset = one node).")
    String redisUrl;
    @Option(names = "--redis-prefix", description = "Cluster mode: prefix of every Redis key (HUDDLE_REDIS_PREFIX, default huddle:).")
    String redisPrefix;
    @Option(names = "--redis-partitions", description = "Cluster mode: how many partitions (hash tags) presence is spread over, 1…1024; every node must agree (HUDDLE_REDIS_PARTITIONS, default 16).")
    String redisPartitions;
    @Option(names = "--guest-secret", description = "Guest-token secret, base64 of ≥32 bytes (HUDDLE_GUEST_SECRET; prefer the variable or the file).")
    String guestSecret;
    @Option(names = "--guest-secret-file", description = "File holding the guest-token secret, base64 (HUDDLE_GUEST_SECRET_FILE).")
    String guestSecretFile;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The configuration these flags and the environment give; {@link ConfigException} lists every problem. */
    ServerConfig loadConfig(Map<String, String> env) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        put(flags, Setting.HOST, host);
        put(flags, Setting.PORT, port);
        put(flags, Setting.DATA_DIR, dataDir);
        put(flags, Setting.DB_URL, dbUrl);
        put(flags, Setting.DB_USER, dbUser);
        put(flags, Setting.DB_PASSWORD, dbPassword);
        put(flags, Setting.JWT_HS256_SECRET, jwtSecret);
        put(flags, Setting.JWT_RS256_PUBLIC_KEY, jwtPublicKey);
        put(flags, Setting.JWT_USER_CLAIM, jwtUserClaim);
        put(flags, Setting.JWT_ISSUER, jwtIssuer);
        put(flags, Setting.JWT_AUDIENCE, jwtAudience);
        put(flags, Setting.GUEST_TOKEN_DAYS, guestTokenDays);
        put(flags, Setting.ALLOWED_ORIGINS, allowedOrigins);
        put(flags, Setting.WS_PING_INTERVAL_MS, wsPingIntervalMs);
        put(flags, Setting.WS_MAX_MESSAGE_BYTES, wsMaxMessageBytes);
        put(flags, Setting.WS_MAX_ROOMS_PER_CONNECTION, wsMaxRooms);
        put(flags, Setting.WS_MAX_CONNECTIONS_PER_USER, wsMaxConnections);
        put(flags, Setting.WS_FLAG_UPDATES_PER_SECOND, wsFlagRate);
        put(flags, Setting.WS_FLAG_COALESCE_MS, wsFlagCoalesce);
        put(flags, Setting.WS_ROOM_BATCH_MS, wsRoomBatch);
        put(flags, Setting.WS_OUTBOUND_QUEUE, wsOutboundQueue);
        put(flags, Setting.WS_SEND_TIMEOUT_MS, wsSendTimeout);
        put(flags, Setting.CHANGE_LOG_CAPACITY, changeLogCapacity);
        put(flags, Setting.PRESENCE_SOURCE, presenceSource);
        put(flags, Setting.PRESENCE_HEARTBEAT_INTERVAL_MS, presenceHeartbeatInterval);
        put(flags, Setting.PRESENCE_DETAIL_ARRAY, presenceDetailArray);
        put(flags, Setting.SHADOW_COMPARE_INTERVAL_MS, shadowCompareInterval);
        put(flags, Setting.PRESENCE_SOURCE_REFRESH_MS, presenceSourceRefresh);
        put(flags, Setting.ADMIN_TOKEN, adminToken);
        put(flags, Setting.REDIS_URL, redisUrl);
        put(flags, Setting.REDIS_PREFIX, redisPrefix);
        put(flags, Setting.REDIS_PARTITIONS, redisPartitions);
        put(flags, Setting.GUEST_SECRET, guestSecret);
        put(flags, Setting.GUEST_SECRET_FILE, guestSecretFile);
        return new ConfigLoader(flags, env, w -> LOG.warn("config: {}", w)).load();
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config;
        try {
            config = loadConfig(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        HuddleServer server = new HuddleServer(config, TimeSource.system());
        try {
            server.start();
        } catch (RuntimeException e) {
            System.err.println("Huddle Presence failed to start: " + e.getMessage());
            LOG.debug("start-up failure", e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }, "huddle-shutdown"));
        String shownHost = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
        System.out.println("Huddle Presence listening on http://" + shownHost + ":" + server.port() + "/");
        stopped.await();
        return 0;
    }

    private static void put(Map<Setting, String> flags, Setting s, String value) {
        if (value != null) {
            flags.put(s, value);
        }
    }
}
