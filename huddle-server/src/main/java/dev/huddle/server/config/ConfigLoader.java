package dev.huddle.server.config;

import dev.huddle.presence.redis.RedisConnections;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns flags and environment variables into a {@link ServerConfig}, validating the settings as a
 * whole: every problem is collected and reported at once, each naming its setting. A flag wins over
 * the environment variable, which wins over the default. Doubtful but workable values are accepted
 * with a warning that names the setting.
 */
public final class ConfigLoader {
    private final Map<Setting, String> flags;
    private final Map<String, String> env;
    private final Consumer<String> warn;

    /**
     * @param flags values given on the command line (absent or null = not given)
     * @param env the process environment
     * @param warn receives one line per doubtful setting
     */
    public ConfigLoader(Map<Setting, String> flags, Map<String, String> env, Consumer<String> warn) {
        this.flags = new EnumMap<>(Setting.class);
        this.flags.putAll(flags);
        this.env = Map.copyOf(env);
        this.warn = warn;
    }

    /** The effective raw value of a setting: flag, else environment, else default; blank counts as unset. */
    public String raw(Setting s) {
        String v = flags.get(s);
        if (v == null || v.isBlank()) {
            v = env.get(s.env());
        }
        if (v == null || v.isBlank()) {
            v = s.defaultValue();
        }
        return v == null ? null : v.trim();
    }

    /** Builds and validates the configuration. */
    public ServerConfig load() {
        List<String> problems = new ArrayList<>();

        String host = raw(Setting.HOST);
        int port = whole(Setting.PORT, problems);
        Path dataDir = Path.of(raw(Setting.DATA_DIR));
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            problems.add(Setting.DATA_DIR.label() + ": '" + dataDir + "' exists and is not a directory");
        }

        String dbUrl = raw(Setting.DB_URL);
        if (dbUrl == null) {
            dbUrl = ServerConfig.sqliteUrl(dataDir);
        } else if (!dbUrl.startsWith("jdbc:sqlite:") && !dbUrl.startsWith("jdbc:postgresql:")) {
            problems.add(Setting.DB_URL.label() + ": must start with jdbc:sqlite: or jdbc:postgresql:, was '"
                    + dbUrl + "'");
        }
        String dbUser = raw(Setting.DB_USER);
        String dbPassword = raw(Setting.DB_PASSWORD);
        if (dbUrl.startsWith("jdbc:sqlite:") && (dbUser != null || dbPassword != null)) {
            warn.accept(Setting.DB_USER.label() + " and " + Setting.DB_PASSWORD.label()
                    + " are ignored for SQLite");
        }

        AuthConfig auth = auth(problems);
        List<String> origins = origins(problems);
        LiveSettings live = live(problems);
        RolloutSettings rollout = rollout(problems);
        ClusterConfig cluster = cluster(problems);
        byte[] guestSecret = guestSecret(problems);
        HttpSettings http = http(problems);
        if (cluster != null && !dbUrl.startsWith("jdbc:postgresql:")) {
            problems.add(Setting.DB_URL.label() + ": cluster mode (" + Setting.REDIS_URL.label()
                    + " is set) needs PostgreSQL (jdbc:postgresql://…); several nodes cannot share a SQLite file safely");
        }
        if (cluster != null && auth.guestSignIn() && guestSecret == null) {
            problems.add(Setting.GUEST_SECRET_FILE.label() + " (or " + Setting.GUEST_SECRET.label()
                    + "): cluster mode with guest sign-in needs the guest-token secret every node shares;"
                    + " otherwise a guest signed in on one node is refused by the others");
        }

        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, origins, live, rollout, cluster, guestSecret,
                http);
    }

    private ClusterConfig cluster(List<String> problems) {
        String url = raw(Setting.REDIS_URL);
        String prefix = raw(Setting.REDIS_PREFIX);
        if (url == null) {
            if (flags.get(Setting.REDIS_PREFIX) != null || env.get(Setting.REDIS_PREFIX.env()) != null) {
                warn.accept(Setting.REDIS_PREFIX.label() + " is ignored without " + Setting.REDIS_URL.label());
            }
            if (flags.get(Setting.REDIS_PARTITIONS) != null || env.get(Setting.REDIS_PARTITIONS.env()) != null) {
                warn.accept(Setting.REDIS_PARTITIONS.label() + " is ignored without " + Setting.REDIS_URL.label());
            }
            return null;
        }
        int before = problems.size();
        if (RedisConnections.isCluster(url)) {
            try {
                RedisConnections.clusterSeeds(url, Duration.ofSeconds(1));
            } catch (IllegalArgumentException e) {
                problems.add(Setting.REDIS_URL.label() + ": a Redis Cluster is named by its nodes,"
                        + " redis-cluster://host1:6379,host2:6379 (or rediss-cluster:// for TLS), was '"
                        + ClusterConfig.redactPassword(url) + "': " + e.getMessage());
            }
        } else {
            try {
                URI u = URI.create(url);
                if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme()) || u.getHost() == null) {
                    problems.add(Setting.REDIS_URL.label() + ": must look like redis://host:6379 (or rediss:// for TLS),"
                            + " or redis-cluster://host1:6379,host2:6379 for a Redis Cluster, was '"
                            + ClusterConfig.redactPassword(url) + "'");
                }
            } catch (IllegalArgumentException e) {
                problems.add(Setting.REDIS_URL.label() + ": not a URL: '" + ClusterConfig.redactPassword(url) + "'");
            }
        }
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0 || prefix.chars().anyMatch(Character::isWhitespace)) {
            problems.add(Setting.REDIS_PREFIX.label() + ": must not contain braces or spaces (the store puts a hash tag"
                    + " after it), was '" + prefix + "'");
        }
        int partitions = whole(Setting.REDIS_PARTITIONS, problems);
        return problems.size() > before ? null : new ClusterConfig(url, prefix, partitions);
    }

    private byte[] guestSecret(List<String> problems) {
        String value = raw(Setting.GUEST_SECRET);
        String file = raw(Setting.GUEST_SECRET_FILE);
        if (value != null && file != null) {
            problems.add(Setting.GUEST_SECRET.label() + " and " + Setting.GUEST_SECRET_FILE.label()
                    + ": set one of them, not both");
            return null;
        }
        Setting which = value != null ? Setting.GUEST_SECRET : Setting.GUEST_SECRET_FILE;
        if (file != null) {
            try {
                value = Files.readString(Path.of(file), java.nio.charset.StandardCharsets.US_ASCII).strip();
            } catch (java.io.IOException | RuntimeException e) {
                problems.add(which.label() + ": cannot read '" + file + "'");
                return null;
            }
        }
        if (value == null) {
            return null;
        }
        try {
            byte[] secret = java.util.Base64.getDecoder().decode(value);
            if (secret.length < 32) {
                problems.add(which.label() + ": must hold at least 256 bits (32 bytes), base64-encoded;"
                        + " e.g. openssl rand -base64 32");
                return null;
            }
            return secret;
        } catch (IllegalArgumentException e) {
            problems.add(which.label() + ": must be base64 (e.g. openssl rand -base64 32)");
            return null;
        }
    }

    private AuthConfig auth(List<String> problems) {
        String secret = raw(Setting.JWT_HS256_SECRET);
        String keyFile = raw(Setting.JWT_RS256_PUBLIC_KEY);
        String claim = raw(Setting.JWT_USER_CLAIM);
        String issuer = raw(Setting.JWT_ISSUER);
        String audience = raw(Setting.JWT_AUDIENCE);
        int days = whole(Setting.GUEST_TOKEN_DAYS, problems);

        if (secret != null && keyFile != null) {
            problems.add(Setting.JWT_HS256_SECRET.label() + " and " + Setting.JWT_RS256_PUBLIC_KEY.label()
                    + ": set one of them, not both");
            return AuthConfig.guest();
        }
        if (secret == null && keyFile == null) {
            if (issuer != null || audience != null) {
                warn.accept(Setting.JWT_ISSUER.label() + " / " + Setting.JWT_AUDIENCE.label()
                        + " are ignored in guest mode (no external JWT configured)");
            }
            return new AuthConfig(AuthMode.GUEST, null, null, AuthConfig.DEFAULT_USER_CLAIM, null, null,
                    Duration.ofDays(days));
        }
        if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            problems.add(Setting.JWT_HS256_SECRET.label() + ": must be at least 32 bytes (256 bits) for HS256");
        }
        Path key = null;
        if (keyFile != null) {
            key = Path.of(keyFile);
            if (!Files.isReadable(key)) {
                problems.add(Setting.JWT_RS256_PUBLIC_KEY.label() + ": cannot read the PEM file '" + keyFile + "'");
            } else {
                try {
                    PemKeys.readRsaPublicKey(key);
                } catch (IllegalArgumentException e) { // what PemKeys says is wrong with the file
                    problems.add(Setting.JWT_RS256_PUBLIC_KEY.label() + ": " + e.getMessage());
                }
            }
        }
        return new AuthConfig(secret != null ? AuthMode.JWT_HS256 : AuthMode.JWT_RS256, secret, key, claim,
                issuer, audience, Duration.ofDays(days));
    }

    private List<String> origins(List<String> problems) {
        String raw = raw(Setting.ALLOWED_ORIGINS);
        List<String> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split(",")) {
            String o = part.trim();
            if (o.isEmpty()) {
                continue;
            }
            if (o.equals("*")) {
                warn.accept(Setting.ALLOWED_ORIGINS.label() + ": '*' lets any web page open sockets as its visitors");
                out.add(o);
                continue;
            }
            try {
                URI u = URI.create(o);
                boolean ok = ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                        && (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null
                        && u.getRawFragment() == null;
                if (!ok) {
                    problems.add(Setting.ALLOWED_ORIGINS.label() + ": '" + o
                            + "' is not an origin like https://example.com or http://localhost:8080");
                    continue;
                }
                out.add(o);
            } catch (IllegalArgumentException e) {
                problems.add(Setting.ALLOWED_ORIGINS.label() + ": '" + o + "' is not a URL");
            }
        }
        return out;
    }

    private LiveSettings live(List<String> problems) {
        int before = problems.size();
        int ping = whole(Setting.WS_PING_INTERVAL_MS, problems);
        int size = whole(Setting.WS_MAX_MESSAGE_BYTES, problems);
        int rooms = whole(Setting.WS_MAX_ROOMS_PER_CONNECTION, problems);
        int conns = whole(Setting.WS_MAX_CONNECTIONS_PER_USER, problems);
        int flags = whole(Setting.WS_FLAG_UPDATES_PER_SECOND, problems);
        int coalesce = whole(Setting.WS_FLAG_COALESCE_MS, problems);
        int queue = whole(Setting.WS_OUTBOUND_QUEUE, problems);
        int sendTimeout = whole(Setting.WS_SEND_TIMEOUT_MS, problems);
        int log = whole(Setting.CHANGE_LOG_CAPACITY, problems);
        int batch = whole(Setting.WS_ROOM_BATCH_MS, problems);
        int budget = whole(Setting.WS_OUTBOUND_BUDGET_MB, problems);
        int perAddress = whole(Setting.WS_MAX_CONNECTIONS_PER_ADDRESS, problems);
        int subsPerAddress = whole(Setting.WS_MAX_SUBSCRIPTIONS_PER_ADDRESS, problems);
        int anonymous = whole(Setting.WS_MAX_ANONYMOUS_CONNECTIONS, problems);
        if (problems.size() > before) {
            return LiveSettings.DEFAULTS;
        }
        return new LiveSettings(ping, size, rooms, conns, flags, coalesce, queue, sendTimeout, log, batch, budget, perAddress,
                subsPerAddress, anonymous);
    }

    private HttpSettings http(List<String> problems) {
        int before = problems.size();
        List<String> proxies = new ArrayList<>();
        String raw = raw(Setting.TRUSTED_PROXIES);
        if (raw != null) {
            for (String part : raw.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                String why = dev.huddle.server.http.ClientAddress.problem(part);
                if (why != null) {
                    problems.add(Setting.TRUSTED_PROXIES.label() + ": " + why);
                }
                proxies.add(part.strip());
            }
        }
        int perAddress = whole(Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE, problems);
        int perMinute = whole(Setting.GUEST_SIGN_INS_PER_MINUTE, problems);
        int read = whole(Setting.HTTP_READ_TIMEOUT_MS, problems);
        int idle = whole(Setting.HTTP_IDLE_TIMEOUT_MS, problems);
        int shutdown = whole(Setting.SHUTDOWN_TIMEOUT_MS, problems);
        int threads = whole(Setting.HTTP_MAX_THREADS, problems);
        int sendBuffer = whole(Setting.SOCKET_SEND_BUFFER_KB, problems);
        String io = valid(Setting.WS_IO, problems);
        int wsPort = whole(Setting.WS_PORT, problems);
        if (problems.size() > before) {
            return HttpSettings.DEFAULTS;
        }
        if (perAddress > perMinute) {
            warn.accept(Setting.GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE.label() + " (" + perAddress + ") exceeds "
                    + Setting.GUEST_SIGN_INS_PER_MINUTE.label() + " (" + perMinute + "): the total is the bound");
        }
        return new HttpSettings(proxies, perAddress, perMinute, read, idle, shutdown, threads, sendBuffer,
                new SocketPort(io != null ? io : Setting.WS_IO.defaultValue(), wsPort));
    }

    private RolloutSettings rollout(List<String> problems) {
        String sourceName = valid(Setting.PRESENCE_SOURCE, problems);
        PresenceSource source = PresenceSource.parse(sourceName != null ? sourceName : Setting.PRESENCE_SOURCE.defaultValue());
        int interval = whole(Setting.PRESENCE_HEARTBEAT_INTERVAL_MS, problems);
        int compare = whole(Setting.SHADOW_COMPARE_INTERVAL_MS, problems);
        int refresh = whole(Setting.PRESENCE_SOURCE_REFRESH_MS, problems);
        boolean detailArray = !"false".equalsIgnoreCase(valid(Setting.PRESENCE_DETAIL_ARRAY, problems));
        String adminToken = raw(Setting.ADMIN_TOKEN);
        if (adminToken != null && adminToken.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            problems.add(Setting.ADMIN_TOKEN.label() + ": must be at least 32 bytes");
        }
        return new RolloutSettings(source, interval, detailArray, compare, adminToken, refresh);
    }

    /** A whole-number setting, checked against its declared range; a problem naming it otherwise. */
    private int whole(Setting s, List<String> problems) {
        String v = valid(s, problems);
        return Integer.parseInt(v != null ? v : s.defaultValue());
    }

    /** The raw value when its declaration allows it, else null with a problem naming the setting. */
    private String valid(Setting s, List<String> problems) {
        String v = raw(s);
        String problem = v == null ? null : s.allowed().problem(v);
        if (problem != null) {
            problems.add(s.label() + ": " + problem);
            return null;
        }
        return v;
    }
}
