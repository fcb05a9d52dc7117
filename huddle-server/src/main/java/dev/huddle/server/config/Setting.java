package dev.huddle.server.config;

import dev.huddle.presence.Presence;
import dev.huddle.presence.redis.RedisPresenceStore;
import java.util.List;
import java.util.Locale;

/**
 * Every setting the server reads, each declared once: its command-line flag, its environment variable,
 * its default, the values it allows and a one-line help. The command line ({@code --help} included), the
 * environment lookup, the parsing with messages that name the setting, and the settings table of
 * docs/operations.md (checked by a test) all derive from these declarations. A flag wins over the
 * variable, which wins over the default; see {@link ConfigLoader}.
 *
 * <p>Adding a setting is one constant here and the line that reads it in {@link ConfigLoader}, plus its row
 * in docs/operations.md. A {@code null} default means the setting is off unless given; {@link #unsetMeaning()}
 * says what that means.
 */
public enum Setting {
    HOST("--host", "HUDDLE_HOST", "0.0.0.0", text("address or host name"),
            "Address to bind: 0.0.0.0 for every interface, 127.0.0.1 for this machine only."),
    PORT("--port", "HUDDLE_PORT", "8080", whole(0, 65_535), "HTTP port; 0 picks a free one."),
    DATA_DIR("--data-dir", "HUDDLE_DATA_DIR", "data", text("path"),
            "Directory of the SQLite database and the guest-token secret; created if missing."),
    DB_URL("--db-url", "HUDDLE_DB_URL", unset("SQLite in the data directory"),
            text("jdbc:sqlite:… or jdbc:postgresql:…"), "JDBC URL of the database."),
    DB_USER("--db-user", "HUDDLE_DB_USER", unset(), text(), "Database user (PostgreSQL only)."),
    DB_PASSWORD("--db-password", "HUDDLE_DB_PASSWORD", unset(), secret(null), "Database password (PostgreSQL only)."),
    JWT_HS256_SECRET("--jwt-hs256-secret", "HUDDLE_JWT_HS256_SECRET", unset(), secret("at least 32 bytes"),
            "Your identity provider's HS256 secret; turns on external JWT mode."),
    JWT_RS256_PUBLIC_KEY("--jwt-rs256-public-key", "HUDDLE_JWT_RS256_PUBLIC_KEY", unset(), text("path of a PEM file"),
            "Your identity provider's RSA public key; turns on external JWT mode."),
    JWT_USER_CLAIM("--jwt-user-claim", "HUDDLE_JWT_USER_CLAIM", "sub", text("claim name"),
            "Claim holding the user id (external JWT mode)."),
    JWT_ISSUER("--jwt-issuer", "HUDDLE_JWT_ISSUER", unset(), text(), "Required iss of tokens (external JWT mode)."),
    JWT_AUDIENCE("--jwt-audience", "HUDDLE_JWT_AUDIENCE", unset(), text(), "Required aud of tokens (external JWT mode)."),
    GUEST_TOKEN_DAYS("--guest-token-days", "HUDDLE_GUEST_TOKEN_DAYS", "30", whole(1, 3_650), "Guest token lifetime in days."),
    ALLOWED_ORIGINS("--allowed-origins", "HUDDLE_ALLOWED_ORIGINS", unset("same origin only"),
            text("comma-separated origins"), "Origins besides the server's own allowed to open the WebSocket."),
    WS_PING_INTERVAL_MS("--ws-ping-interval-ms", "HUDDLE_WS_PING_INTERVAL_MS", String.valueOf(Presence.DEFAULT_INTERVAL_MS),
            whole(50, 300_000), "How often each WebSocket is pinged, in ms; a pong keeps the socket's sessions alive in the node's memory, and the node renews them in the store in one batch per tick."),
    WS_MAX_MESSAGE_BYTES("--ws-max-message-bytes", "HUDDLE_WS_MAX_MESSAGE_BYTES", "16384", whole(256, 1024 * 1024),
            "Largest WebSocket message a client may send."),
    WS_MAX_ROOMS_PER_CONNECTION("--ws-max-rooms-per-connection", "HUDDLE_WS_MAX_ROOMS_PER_CONNECTION", "16",
            whole(1, 10_000), "Rooms one WebSocket may join or subscribe to at once."),
    WS_MAX_CONNECTIONS_PER_USER("--ws-max-connections-per-user", "HUDDLE_WS_MAX_CONNECTIONS_PER_USER", "8",
            whole(1, 10_000), "Open WebSockets per signed-in user."),
    WS_MAX_CONNECTIONS_PER_ADDRESS("--ws-max-connections-per-address", "HUDDLE_WS_MAX_CONNECTIONS_PER_ADDRESS", "128",
            whole(1, 1_000_000), "Open WebSockets per client address, signed in or not; more get 429."),
    WS_MAX_SUBSCRIPTIONS_PER_ADDRESS("--ws-max-subscriptions-per-address", "HUDDLE_WS_MAX_SUBSCRIPTIONS_PER_ADDRESS", "512",
            whole(1, 10_000_000), "Room subscriptions all WebSockets of one client address may hold."),
    WS_MAX_ANONYMOUS_CONNECTIONS("--ws-max-anonymous-connections", "HUDDLE_WS_MAX_ANONYMOUS_CONNECTIONS", "5000",
            whole(0, 10_000_000), "Anonymous WebSockets on the whole server; more get 429."),
    WS_FLAG_UPDATES_PER_SECOND("--ws-flag-updates-per-second", "HUDDLE_WS_FLAG_UPDATES_PER_SECOND", "10",
            whole(1, 1_000), "Flag messages one session may send per second."),
    WS_FLAG_COALESCE_MS("--ws-flag-coalesce-ms", "HUDDLE_WS_FLAG_COALESCE_MS", "100", whole(0, 5_000),
            "Flag pacing: after a burst of 3, one change per this many ms."),
    WS_ROOM_BATCH_MS("--ws-room-batch-ms", "HUDDLE_WS_ROOM_BATCH_MS", "50", whole(0, 5_000),
            "Room fan-out pacing: after a burst of 3, one batched frame per this many ms; 0 never batches."),
    WS_OUTBOUND_QUEUE("--ws-outbound-queue", "HUDDLE_WS_OUTBOUND_QUEUE", "256", whole(4, 1_000_000),
            "Messages queued per WebSocket before resync, one per 32 KB begun."),
    WS_OUTBOUND_BUDGET_MB("--ws-outbound-budget-mb", "HUDDLE_WS_OUTBOUND_BUDGET_MB", "0", whole(0, 1_000_000),
            "MiB queued to all WebSockets together before the biggest queues are closed with 4009; 0: a quarter of the heap."),
    WS_SEND_TIMEOUT_MS("--ws-send-timeout-ms", "HUDDLE_WS_SEND_TIMEOUT_MS", "30000", whole(100, 600_000),
            "A send stuck this many ms closes the WebSocket with 4008."),
    CHANGE_LOG_CAPACITY("--change-log-capacity", "HUDDLE_CHANGE_LOG_CAPACITY", "1024", whole(1, 1_000_000),
            "Changes kept per room for resume."),
    PRESENCE_SOURCE("--presence-source", "HUDDLE_PRESENCE_SOURCE", "component", oneOf("legacy", "shadow", "component"),
            "Rollout flag: which tracker is the source of truth."),
    PRESENCE_SOURCE_REFRESH_MS("--presence-source-refresh-ms", "HUDDLE_PRESENCE_SOURCE_REFRESH_MS", "1000",
            whole(100, 60_000), "How often the rollout flag recorded in PostgreSQL is re-read, in ms (a node on SQLite does not re-read)."),
    // The variable keeps the old app's name.
    PRESENCE_HEARTBEAT_INTERVAL_MS("--presence-heartbeat-interval-ms", "PRESENCE_HEARTBEAT_INTERVAL_MS", "10000",
            whole(1_000, 300_000), "Legacy clients' heartbeat interval, in ms."),
    PRESENCE_DETAIL_ARRAY("--presence-detail-array", "HUDDLE_PRESENCE_DETAIL_ARRAY", "true", oneOf("true", "false"),
            "In component mode, whether the huddle detail keeps its presence array."),
    SHADOW_COMPARE_INTERVAL_MS("--shadow-compare-interval-ms", "HUDDLE_SHADOW_COMPARE_INTERVAL_MS", "30000",
            whole(100, 3_600_000), "Shadow mode's comparison timer, in ms."),
    ADMIN_TOKEN("--admin-token", "HUDDLE_ADMIN_TOKEN", unset("admin API off"), secret("at least 32 bytes"),
            "Bearer token of the admin API."),
    REDIS_URL("--redis-url", "HUDDLE_REDIS_URL", unset("one node, presence in memory"),
            text("redis://…, rediss://…, redis-cluster://… or rediss-cluster://…"),
            "Cluster mode: the Redis every node shares."),
    REDIS_PREFIX("--redis-prefix", "HUDDLE_REDIS_PREFIX", "huddle:", text("no braces or spaces"),
            "Cluster mode: prefix of every Redis key and channel."),
    REDIS_PARTITIONS("--redis-partitions", "HUDDLE_REDIS_PARTITIONS", String.valueOf(RedisPresenceStore.DEFAULT_PARTITIONS),
            whole(1, RedisPresenceStore.MAX_PARTITIONS), "Cluster mode: partitions (hash tags) presence is spread over."),
    GUEST_SECRET("--guest-secret", "HUDDLE_GUEST_SECRET", unset(), secret("base64 of at least 32 bytes"),
            "Guest-token secret, instead of the data directory's file."),
    GUEST_SECRET_FILE("--guest-secret-file", "HUDDLE_GUEST_SECRET_FILE", unset(), text("path"),
            "File holding the guest-token secret in base64."),
    TRUSTED_PROXIES("--trusted-proxies", "HUDDLE_TRUSTED_PROXIES", unset("none: the client is the connection's peer"),
            text("comma-separated IP addresses or CIDR ranges"),
            "Reverse proxies whose X-Forwarded-For, -Proto and -Host (or Forwarded) headers are believed."),
    GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE("--guest-sign-ins-per-address-per-minute",
            "HUDDLE_GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE", "10", whole(1, 100_000),
            "Guest sign-ins one client address may make per minute; more get 429."),
    GUEST_SIGN_INS_PER_MINUTE("--guest-sign-ins-per-minute", "HUDDLE_GUEST_SIGN_INS_PER_MINUTE", "600",
            whole(1, 10_000_000), "Guest sign-ins the whole server accepts per minute; more get 429."),
    HTTP_READ_TIMEOUT_MS("--http-read-timeout-ms", "HUDDLE_HTTP_READ_TIMEOUT_MS", "10000", whole(100, 600_000),
            "Time a client has to send a request head, and again its body, in ms; slower ones are cut."),
    HTTP_IDLE_TIMEOUT_MS("--http-idle-timeout-ms", "HUDDLE_HTTP_IDLE_TIMEOUT_MS", "30000", whole(100, 3_600_000),
            "An HTTP connection silent this many ms while its request is handled or answered is closed."),
    HTTP_MAX_THREADS("--http-max-threads", "HUDDLE_HTTP_MAX_THREADS", "32", whole(16, 10_000),
            "Most threads Jetty's pool runs for HTTP requests and socket I/O (raised to the cores + 8 when fewer)."),
    SOCKET_SEND_BUFFER_KB("--socket-send-buffer-kb", "HUDDLE_SOCKET_SEND_BUFFER_KB", "64", whole(4, 4096),
            "Kernel send buffer of each client connection, in KB (the kernel keeps up to twice it): what a client that stops reading holds."),
    WS_IO("--ws-io", "HUDDLE_WS_IO", "off", oneOf("off", "auto", "io_uring", "epoll", "nio"),
            "Serves /ws on a port of its own too, on Netty: auto picks io_uring, else epoll, else NIO; off serves it on the HTTP port only."),
    WS_PORT("--ws-port", "HUDDLE_WS_PORT", "8081", whole(0, 65_535),
            "Port of /ws on Netty when --ws-io is not off; 0 picks a free one."),
    SHUTDOWN_TIMEOUT_MS("--shutdown-timeout-ms", "HUDDLE_SHUTDOWN_TIMEOUT_MS", "10000", whole(0, 600_000),
            "On SIGTERM, how many ms requests in flight may take to finish.");

    private final String flag;
    private final String env;
    private final String defaultValue;
    private final String unset;
    private final Values values;
    private final String help;

    Setting(String flag, String env, String defaultValue, Values values, String help) {
        this(flag, env, defaultValue, null, values, help);
    }

    Setting(String flag, String env, Unset unset, Values values, String help) {
        this(flag, env, null, unset.meaning(), values, help);
    }

    private Setting(String flag, String env, String defaultValue, String unset, Values values, String help) {
        this.flag = flag;
        this.env = env;
        this.defaultValue = defaultValue;
        this.unset = unset;
        this.values = values;
        this.help = help;
        // Declaration mistakes fail the first time the class loads, in every test.
        if (defaultValue == null && values instanceof Whole) {
            throw new IllegalStateException(flag + ": a whole-number setting needs a default");
        }
        String problem = defaultValue == null ? null : values.problem(defaultValue);
        if (problem != null) {
            throw new IllegalStateException(flag + ": the default " + problem);
        }
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

    /** The default of a whole-number setting. */
    public int defaultInt() {
        return Integer.parseInt(defaultValue);
    }

    /** What happens when a setting without a default is not given, or null when nothing needs saying. */
    public String unsetMeaning() {
        return unset;
    }

    /** The values it allows. */
    public Values allowed() {
        return values;
    }

    /** One line for {@code --help}. */
    public String help() {
        return help;
    }

    /** Whether its value must stay out of logs and process listings: give it by variable or file, not by flag. */
    public boolean secret() {
        return values instanceof Text t && t.secret();
    }

    /** How error messages name the setting: {@code --port / HUDDLE_PORT}. */
    public String label() {
        return flag + " / " + env;
    }

    /**
     * Checks a whole number against the declared range; {@link IllegalArgumentException} naming the
     * setting otherwise. Lets records built in code (tests, embedding) hold to the same bounds.
     */
    public long check(long value) {
        String problem = values.problem(String.valueOf(value));
        if (problem != null) {
            throw new IllegalArgumentException(label() + ": " + problem);
        }
        return value;
    }

    /** The values a setting allows: parsing and checking a raw value, and their description for help and docs. */
    public sealed interface Values permits Whole, OneOf, Text {
        /** What is wrong with a raw value ("must lie in 1…10, was 0"), or null when it is allowed. */
        String problem(String raw);

        /** The allowed values for people: {@code 0…65 535}, {@code legacy, shadow or component}. */
        String describe();

        /** The flag's parameter in {@code --help}. */
        String paramLabel();
    }

    /** A whole number in {@code min…max}. */
    public record Whole(long min, long max) implements Values {
        @Override
        public String problem(String raw) {
            try {
                long n = Long.parseLong(raw);
                return n < min || n > max ? "must lie in " + min + "…" + max + ", was " + n : null;
            } catch (NumberFormatException e) {
                return "must be a whole number, was '" + raw + "'";
            }
        }

        @Override
        public String describe() {
            return grouped(min) + "…" + grouped(max);
        }

        @Override
        public String paramLabel() {
            return "<n>";
        }

        /** Thousands grouped by a space from 10 000 up, as the docs write numbers. */
        private static String grouped(long n) {
            return n < 10_000 ? String.valueOf(n) : String.format(Locale.ROOT, "%,d", n).replace(',', ' ');
        }
    }

    /** One of a few words, matched regardless of case. */
    public record OneOf(List<String> choices) implements Values {
        public OneOf {
            choices = List.copyOf(choices);
        }

        @Override
        public String problem(String raw) {
            return choices.contains(raw.toLowerCase(Locale.ROOT)) ? null : "must be " + describe() + ", was '" + raw + "'";
        }

        @Override
        public String describe() {
            return String.join(", ", choices.subList(0, choices.size() - 1)) + " or " + choices.get(choices.size() - 1);
        }

        @Override
        public String paramLabel() {
            return "<" + String.join("|", choices) + ">";
        }
    }

    /**
     * Free text whose shape {@link ConfigLoader} checks where it reads it.
     *
     * @param shape what the text must look like, for people; null when anything goes
     * @param secret whether the value must stay out of logs, error messages and process listings
     */
    public record Text(String shape, boolean secret) implements Values {
        @Override
        public String problem(String raw) {
            return null;
        }

        @Override
        public String describe() {
            if (secret) {
                return shape == null ? "secret" : "secret, " + shape;
            }
            return shape == null ? "text" : shape;
        }

        @Override
        public String paramLabel() {
            return secret ? "<secret>" : "<value>";
        }
    }

    /** Marks a setting that is off unless given. */
    record Unset(String meaning) {
    }

    private static Whole whole(long min, long max) {
        return new Whole(min, max);
    }

    private static OneOf oneOf(String... choices) {
        return new OneOf(List.of(choices));
    }

    private static Text text() {
        return new Text(null, false);
    }

    private static Text text(String shape) {
        return new Text(shape, false);
    }

    private static Text secret(String shape) {
        return new Text(shape, true);
    }

    private static Unset unset() {
        return new Unset(null);
    }

    private static Unset unset(String meaning) {
        return new Unset(meaning);
    }
}
