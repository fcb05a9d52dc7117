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

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
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
        ServerConfig config;
        try {
            config = new ConfigLoader(flags, System.getenv(), w -> LOG.warn("config: {}", w)).load();
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
