package dev.huddle.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything the server needs to start, already validated by {@link ConfigLoader}.
 *
 * @param host the address to bind
 * @param port the HTTP port; 0 picks a free one
 * @param dataDir where the SQLite file and the guest token secret live
 * @param dbUrl the JDBC URL (SQLite or PostgreSQL)
 * @param dbUser database user, or null
 * @param dbPassword database password, or null
 * @param auth sign-in settings
 * @param allowedOrigins origins, besides the server's own, allowed to open the WebSocket
 * @param live limits and timings of the WebSocket API
 * @param rollout the legacy tracker's rollout flag and timings (L1–L3), and the admin token
 * @param cluster cluster mode (presence in Redis), or null for one node with presence in memory
 * @param guestSecret the secret signing guest tokens, or null to use (or create) the data directory's
 *     {@code guest-token-secret}; every node of a cluster must use the same one
 * @param http limits of the HTTP side against hostile clients: trusted proxies, guest sign-in rates, timeouts
 */
public record ServerConfig(String host, int port, Path dataDir, String dbUrl, String dbUser, String dbPassword,
        AuthConfig auth, List<String> allowedOrigins, LiveSettings live, RolloutSettings rollout, ClusterConfig cluster,
        byte[] guestSecret, HttpSettings http) {

    /** Largest request body any endpoint accepts (413 {@code payload_too_large} beyond). */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(dbUrl, "dbUrl");
        Objects.requireNonNull(auth, "auth");
        allowedOrigins = List.copyOf(allowedOrigins);
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(rollout, "rollout");
        guestSecret = guestSecret == null ? null : guestSecret.clone();
        Objects.requireNonNull(http, "http");
    }

    /** One node, default rollout, the data directory's guest secret. */
    public ServerConfig(String host, int port, Path dataDir, String dbUrl, String dbUser, String dbPassword,
            AuthConfig auth, List<String> allowedOrigins, LiveSettings live) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, allowedOrigins, live, RolloutSettings.DEFAULTS, null, null,
                HttpSettings.DEFAULTS);
    }

    /** The guest-token secret given in the configuration (a copy), or null. */
    @Override
    public byte[] guestSecret() {
        return guestSecret == null ? null : guestSecret.clone();
    }

    /** The default SQLite database inside {@code dataDir}. */
    public static String sqliteUrl(Path dataDir) {
        return "jdbc:sqlite:" + dataDir.resolve("huddle.db").toAbsolutePath();
    }

    /** Defaults for tests and embedding: guest sign-in, SQLite in {@code dataDir}, the given port. */
    public static ServerConfig forDataDir(Path dataDir, int port) {
        return new ServerConfig("127.0.0.1", port, dataDir, sqliteUrl(dataDir), null, null, AuthConfig.guest(), List.of(),
                LiveSettings.DEFAULTS);
    }

    /** A copy using another JDBC database. */
    public ServerConfig withDatabase(String url, String user, String password) {
        return new ServerConfig(host, port, dataDir, url, user, password, auth, allowedOrigins, live, rollout, cluster,
                guestSecret, http);
    }

    /** A copy with other sign-in settings. */
    public ServerConfig withAuth(AuthConfig newAuth) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, newAuth, allowedOrigins, live, rollout, cluster,
                guestSecret, http);
    }

    /** A copy with other WebSocket origins. */
    public ServerConfig withAllowedOrigins(List<String> origins) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, origins, live, rollout, cluster,
                guestSecret, http);
    }

    /** A copy with other WebSocket limits. */
    public ServerConfig withLive(LiveSettings newLive) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, allowedOrigins, newLive, rollout, cluster,
                guestSecret, http);
    }

    /** A copy with another rollout flag, legacy heartbeat interval or admin token. */
    public ServerConfig withRollout(RolloutSettings newRollout) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, allowedOrigins, live, newRollout, cluster,
                guestSecret, http);
    }

    /** A copy in cluster mode (null: one node). */
    public ServerConfig withCluster(ClusterConfig newCluster) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, allowedOrigins, live, rollout, newCluster,
                guestSecret, http);
    }

    /** A copy with the guest-token secret given explicitly (null: the data directory's file). */
    public ServerConfig withGuestSecret(byte[] secret) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, allowedOrigins, live, rollout, cluster,
                secret, http);
    }

    /** A copy with other HTTP limits. */
    public ServerConfig withHttp(HttpSettings newHttp) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, auth, allowedOrigins, live, rollout, cluster,
                guestSecret, newHttp);
    }

    /** A copy whose guest sign-ins are not rationed (X2): for load tests, whose users all sign in from one address. */
    public ServerConfig withoutGuestSignInLimits() {
        return withHttp(http.withoutGuestSignInLimits());
    }

    /**
     * A copy without the per-address limits of X2 — guest sign-ins, sockets and subscriptions per client
     * address — for tests and load runs whose many users all come from one address. The server-wide
     * limits stay.
     */
    public ServerConfig withoutPerAddressLimits() {
        return withHttp(http.withoutGuestSignInLimits()).withLive(live.withoutPerAddressLimits());
    }

    /** Whether presence is shared through Redis (cluster mode). */
    public boolean clustered() {
        return cluster != null;
    }

    /** Whether the database is PostgreSQL (else SQLite). */
    public boolean postgres() {
        return dbUrl.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", dbUrl=" + dbUrl
                + ", dbUser=" + dbUser + ", auth=" + auth + ", allowedOrigins=" + allowedOrigins + ", live=" + live
                + ", rollout=" + rollout + ", cluster=" + cluster + ", http=" + http
                + ", guestSecret=" + (guestSecret == null ? "file in dataDir" : "given") + "]";
    }
}
