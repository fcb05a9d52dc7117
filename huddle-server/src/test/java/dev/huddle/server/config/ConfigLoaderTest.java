package dev.huddle.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.presence.Presence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    final List<String> warnings = new ArrayList<>();

    ServerConfig load(Map<Setting, String> flags, Map<String, String> env) {
        return new ConfigLoader(flags, env, warnings::add).load();
    }

    @Test
    @DisplayName("defaults: port 8080, ./data, SQLite in the data dir, guest sign-in, 30-day tokens")
    void defaults() {
        ServerConfig c = load(Map.of(), Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("data"));
        assertThat(c.dbUrl()).startsWith("jdbc:sqlite:").endsWith("huddle.db");
        assertThat(c.auth().mode()).isEqualTo(AuthMode.GUEST);
        assertThat(c.auth().guestTokenTtl().toDays()).isEqualTo(30);
        assertThat(c.allowedOrigins()).isEmpty();
    }

    @Test
    @DisplayName("a flag wins over its environment variable, which wins over the default")
    void precedence(@TempDir Path dir) {
        ServerConfig env = load(Map.of(), Map.of("HUDDLE_PORT", "9000", "HUDDLE_DATA_DIR", dir.toString(),
                "HUDDLE_DB_URL", "jdbc:postgresql://127.0.0.1:5432/huddle", "HUDDLE_DB_USER", "postgres",
                "HUDDLE_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:5173"));
        assertThat(env.port()).isEqualTo(9000);
        assertThat(env.postgres()).isTrue();
        assertThat(env.dbUser()).isEqualTo("postgres");
        assertThat(env.allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:5173");
        ServerConfig flag = load(Map.of(Setting.PORT, "9001"), Map.of("HUDDLE_PORT", "9000"));
        assertThat(flag.port()).isEqualTo(9001);
    }

    @Test
    @DisplayName("WebSocket limits: documented defaults, set by flag or variable, out-of-range values named")
    void liveSettings() {
        assertThat(load(Map.of(), Map.of()).live()).isEqualTo(LiveSettings.DEFAULTS);
        // T1, P1: by default a socket is pinged once per default session interval, 2.5 times per deadline.
        assertThat(LiveSettings.DEFAULTS.pingIntervalMs()).isEqualTo(10_000).isEqualTo(Presence.DEFAULT_INTERVAL_MS);
        ServerConfig c = load(Map.of(Setting.WS_PING_INTERVAL_MS, "2000", Setting.WS_OUTBOUND_BUDGET_MB, "64",
                Setting.WS_MAX_CONNECTIONS_PER_ADDRESS, "7", Setting.WS_MAX_SUBSCRIPTIONS_PER_ADDRESS, "9",
                Setting.WS_MAX_ANONYMOUS_CONNECTIONS, "11"), Map.of("HUDDLE_WS_MAX_MESSAGE_BYTES", "4096",
                "HUDDLE_WS_MAX_ROOMS_PER_CONNECTION", "3", "HUDDLE_WS_MAX_CONNECTIONS_PER_USER", "2",
                "HUDDLE_WS_FLAG_UPDATES_PER_SECOND", "5", "HUDDLE_WS_FLAG_COALESCE_MS", "50", "HUDDLE_WS_ROOM_BATCH_MS", "20",
                "HUDDLE_WS_OUTBOUND_QUEUE", "64", "HUDDLE_WS_SEND_TIMEOUT_MS", "1000", "HUDDLE_CHANGE_LOG_CAPACITY", "16"));
        assertThat(c.live()).isEqualTo(new LiveSettings(2_000, 4_096, 3, 2, 5, 50, 64, 1_000, 16, 20, 64, 7, 9, 11));
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_WS_OUTBOUND_QUEUE", "1", "HUDDLE_CHANGE_LOG_CAPACITY", "x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(2);
                    assertThat(e.getMessage()).contains("HUDDLE_WS_OUTBOUND_QUEUE").contains("HUDDLE_CHANGE_LOG_CAPACITY");
                });
    }

    @Test
    @DisplayName("HTTP limits (X2, X7): defaults, set by flag or variable; a host name or bad prefix as trusted proxy is named")
    void httpSettings() {
        assertThat(load(Map.of(), Map.of()).http()).isEqualTo(HttpSettings.DEFAULTS);
        assertThat(HttpSettings.DEFAULTS.trustedProxies()).isEmpty();
        ServerConfig c = load(Map.of(Setting.TRUSTED_PROXIES, "10.0.0.0/8, ::1"), Map.of(
                "HUDDLE_GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE", "5", "HUDDLE_GUEST_SIGN_INS_PER_MINUTE", "50",
                "HUDDLE_HTTP_READ_TIMEOUT_MS", "2000", "HUDDLE_HTTP_IDLE_TIMEOUT_MS", "40000", "HUDDLE_SHUTDOWN_TIMEOUT_MS", "0",
                "HUDDLE_HTTP_MAX_THREADS", "48", "HUDDLE_SOCKET_SEND_BUFFER_KB", "32"));
        assertThat(c.http()).isEqualTo(new HttpSettings(java.util.List.of("10.0.0.0/8", "::1"), 5, 50, 2000, 40000, 0, 48, 32, SocketPort.OFF));
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_TRUSTED_PROXIES", "proxy.internal,10.0.0.0/40",
                "HUDDLE_HTTP_READ_TIMEOUT_MS", "5")))
                .hasMessageContaining("--trusted-proxies / HUDDLE_TRUSTED_PROXIES: 'proxy.internal' is not an IP address")
                .hasMessageContaining("'10.0.0.0/40': the prefix length must lie in 0…32")
                .hasMessageContaining("--http-read-timeout-ms / HUDDLE_HTTP_READ_TIMEOUT_MS: must lie in 100…600000, was 5");
        load(Map.of(), Map.of("HUDDLE_GUEST_SIGN_INS_PER_ADDRESS_PER_MINUTE", "100", "HUDDLE_GUEST_SIGN_INS_PER_MINUTE", "10"));
        assertThat(warnings).anyMatch(w -> w.contains("--guest-sign-ins-per-address-per-minute") && w.contains("the total is the bound"));
    }

    @Test
    @DisplayName("every bad value is reported at once, each naming its setting")
    void badValuesNamed() {
        assertThatThrownBy(() -> load(Map.of(Setting.PORT, "http"), Map.of(
                "HUDDLE_DB_URL", "mysql://x", "HUDDLE_ALLOWED_ORIGINS", "https://ok.example,not a url/path",
                "HUDDLE_GUEST_TOKEN_DAYS", "0")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(4);
                    assertThat(e.getMessage()).contains("--port / HUDDLE_PORT").contains("--db-url / HUDDLE_DB_URL")
                            .contains("HUDDLE_ALLOWED_ORIGINS").contains("HUDDLE_GUEST_TOKEN_DAYS");
                });
    }

    @Test
    @DisplayName("external JWT: HS256 and RS256 together is refused; a short secret is refused; a bad PEM is refused")
    void jwtCombinations(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_JWT_HS256_SECRET", "x".repeat(40),
                "HUDDLE_JWT_RS256_PUBLIC_KEY", "/k.pem"))).hasMessageContaining("not both");
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_JWT_HS256_SECRET", "short")))
                .hasMessageContaining("HUDDLE_JWT_HS256_SECRET").hasMessageContaining("32 bytes");
        Path junk = java.nio.file.Files.writeString(dir.resolve("k.pem"), "hello");
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_JWT_RS256_PUBLIC_KEY", junk.toString())))
                .hasMessageContaining("HUDDLE_JWT_RS256_PUBLIC_KEY");
        ServerConfig hs = load(Map.of(), Map.of("HUDDLE_JWT_HS256_SECRET", "x".repeat(40), "HUDDLE_JWT_USER_CLAIM", "email"));
        assertThat(hs.auth().mode()).isEqualTo(AuthMode.JWT_HS256);
        assertThat(hs.auth().userClaim()).isEqualTo("email");
        assertThat(hs.auth().guestSignIn()).isFalse();
        assertThat(hs.toString()).doesNotContain("xxxxxxxx");
    }

    @Test
    @DisplayName("doubtful settings are accepted with a warning naming them")
    void warnings() {
        load(Map.of(), Map.of("HUDDLE_DB_USER", "u", "HUDDLE_JWT_ISSUER", "x"));
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("HUDDLE_DB_USER");
        assertThat(warnings.get(1)).contains("HUDDLE_JWT_ISSUER");
    }

    @Test
    @DisplayName("L2 rollout settings: component by default; flag, intervals, array, admin token and flag re-read interval set by flag or variable; bad values named together")
    void rolloutSettings() {
        assertThat(load(Map.of(), Map.of()).rollout()).isEqualTo(RolloutSettings.DEFAULTS);
        ServerConfig c = load(Map.of(Setting.PRESENCE_SOURCE, "Shadow"), Map.of("PRESENCE_HEARTBEAT_INTERVAL_MS", "5000",
                "HUDDLE_PRESENCE_DETAIL_ARRAY", "false", "HUDDLE_SHADOW_COMPARE_INTERVAL_MS", "1000",
                "HUDDLE_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef", "HUDDLE_PRESENCE_SOURCE_REFRESH_MS", "250"));
        assertThat(c.rollout()).isEqualTo(new RolloutSettings(PresenceSource.SHADOW, 5_000, false, 1_000,
                "0123456789abcdef0123456789abcdef", 250));
        assertThat(RolloutSettings.DEFAULTS.sourceRefreshMs()).isEqualTo(1_000);
        assertThat(c.rollout().staleAfterMs()).isEqualTo(12_500);
        assertThat(c.rollout().toString()).doesNotContain("0123456789abcdef");
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_PRESENCE_SOURCE", "convex", "PRESENCE_HEARTBEAT_INTERVAL_MS", "10",
                "HUDDLE_PRESENCE_DETAIL_ARRAY", "maybe", "HUDDLE_ADMIN_TOKEN", "short", "HUDDLE_PRESENCE_SOURCE_REFRESH_MS", "50")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(5);
                    assertThat(e.getMessage()).contains("HUDDLE_PRESENCE_SOURCE: must be legacy, shadow or component")
                            .contains("PRESENCE_HEARTBEAT_INTERVAL_MS").contains("HUDDLE_PRESENCE_DETAIL_ARRAY")
                            .contains("HUDDLE_ADMIN_TOKEN").contains("HUDDLE_PRESENCE_SOURCE_REFRESH_MS: must lie in 100…60000, was 50");
                });
    }

    static final String SECRET = java.util.Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    @DisplayName("cluster mode: unset HUDDLE_REDIS_URL = one node; set = Redis with prefix huddle: by default, PostgreSQL and a shared guest secret")
    void clusterMode(@TempDir Path dir) throws Exception {
        assertThat(load(Map.of(), Map.of()).cluster()).isNull();
        ServerConfig c = load(Map.of(), Map.of("HUDDLE_REDIS_URL", "redis://127.0.0.1:6379",
                "HUDDLE_DB_URL", "jdbc:postgresql://127.0.0.1:5432/huddle", "HUDDLE_GUEST_SECRET", SECRET));
        assertThat(c.clustered()).isTrue();
        assertThat(c.cluster().prefix()).isEqualTo("huddle:");
        assertThat(c.cluster().presencePrefix()).isEqualTo("huddle:presence:");
        assertThat(c.guestSecret()).hasSize(32);
        Path file = dir.resolve("secret");
        java.nio.file.Files.writeString(file, SECRET + "\n");
        ServerConfig f = load(Map.of(Setting.REDIS_PREFIX, "app1:", Setting.GUEST_SECRET_FILE, file.toString()),
                Map.of("HUDDLE_REDIS_URL", "redis://:pw@10.0.0.5:6380/2", "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle"));
        assertThat(f.cluster().prefix()).isEqualTo("app1:");
        assertThat(f.guestSecret()).hasSize(32);
        assertThat(f.toString()).doesNotContain("pw");
        ServerConfig rc = load(Map.of(), Map.of("HUDDLE_REDIS_URL", "redis-cluster://:pw@10.0.0.5:7000,10.0.0.6:7000",
                "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle", "HUDDLE_GUEST_SECRET", SECRET));
        assertThat(rc.cluster().redisUrl()).startsWith("redis-cluster://");
        assertThat(rc.cluster().partitions()).isEqualTo(16);
        ServerConfig p = load(Map.of(), Map.of("HUDDLE_REDIS_URL", "redis-cluster://10.0.0.5:7000",
                "HUDDLE_REDIS_PARTITIONS", "48", "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle", "HUDDLE_GUEST_SECRET", SECRET));
        assertThat(p.cluster().partitions()).isEqualTo(48);
        assertThat(rc.toString()).doesNotContain("pw");
    }

    @Test
    @DisplayName("cluster mode refuses SQLite, a missing guest secret, a bad Redis URL or prefix, each naming its setting")
    void clusterModeProblems() {
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_REDIS_URL", "redis://127.0.0.1:6379")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.getMessage()).contains("HUDDLE_DB_URL").contains("SQLite")
                            .contains("HUDDLE_GUEST_SECRET_FILE");
                    assertThat(e.problems()).hasSize(2);
                });
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_REDIS_URL", "http://x", "HUDDLE_REDIS_PREFIX", "a{b}",
                "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle", "HUDDLE_GUEST_SECRET", "c2hvcnQ=")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.getMessage()).contains("HUDDLE_REDIS_URL").contains("HUDDLE_REDIS_PREFIX")
                            .contains("HUDDLE_GUEST_SECRET").contains("256 bits");
                });
        for (String bad : new String[] {"redis-cluster://", "redis-cluster://:7000", "redis://a:1,b:2"}) {
            assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_REDIS_URL", bad, "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle",
                    "HUDDLE_GUEST_SECRET", SECRET)))
                    .as(bad).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("HUDDLE_REDIS_URL"));
        }
        for (String bad : new String[] {"0", "1025", "many"}) {
            assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_REDIS_URL", "redis://10.0.0.5:6379", "HUDDLE_REDIS_PARTITIONS", bad,
                    "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle", "HUDDLE_GUEST_SECRET", SECRET)))
                    .as(bad).isInstanceOfSatisfying(ConfigException.class,
                            e -> assertThat(e.getMessage()).contains("HUDDLE_REDIS_PARTITIONS"));
        }
        for (String withDb : new String[] {"redis-cluster://10.0.0.5:7000/3", "redis-cluster://:pw@a:1,b:2/1",
            "rediss-cluster://a:1/0/x", "redis-cluster://a:1?database=2"}) {
            assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_REDIS_URL", withDb, "HUDDLE_DB_URL", "jdbc:postgresql://db/huddle",
                    "HUDDLE_GUEST_SECRET", SECRET)))
                    .as(withDb).isInstanceOfSatisfying(ConfigException.class, e -> {
                        assertThat(e.getMessage()).contains("HUDDLE_REDIS_URL").contains("only database 0").doesNotContain("pw");
                        assertThat(e.problems()).hasSize(1);
                    });
        }
        ServerConfig slash = load(Map.of(), Map.of("HUDDLE_REDIS_URL", "redis-cluster://a:1,b:2/", "HUDDLE_DB_URL",
                "jdbc:postgresql://db/huddle", "HUDDLE_GUEST_SECRET", SECRET));
        assertThat(slash.cluster()).isNotNull();
        assertThatThrownBy(() -> load(Map.of(), Map.of("HUDDLE_GUEST_SECRET", SECRET, "HUDDLE_GUEST_SECRET_FILE", "/nope")))
                .hasMessageContaining("not both");
    }
}
