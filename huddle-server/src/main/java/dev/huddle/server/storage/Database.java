package dev.huddle.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.config.Setting;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The relational store for users, huddles and memberships: a pooled data source, the Flyway
 * migrations in {@code classpath:db/migration} (one portable SQL for SQLite and PostgreSQL), and JDBI.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean sqlite;

    private Database(HikariDataSource dataSource, boolean sqlite) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.sqlite = sqlite;
    }

    /** Opens the database of {@code url}, creating and migrating it as needed. */
    public static Database open(String url, String user, String password) {
        return open(url, user, password, Setting.DB_URL);
    }

    /** Opens the database a server configuration names. */
    public static Database open(ServerConfig config) {
        boolean inDataDir = config.dbUrl().equals(ServerConfig.sqliteUrl(config.dataDir()));
        return open(config.dbUrl(), config.dbUser(), config.dbPassword(), inDataDir ? Setting.DATA_DIR : Setting.DB_URL);
    }

    /** @param chosenBy the setting that chose a SQLite file's place, named when it cannot be used */
    private static Database open(String url, String user, String password, Setting chosenBy) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName("huddle-db");
        Path sqliteFile = sqliteFile(url);
        if (sqliteFile != null) {
            WritableDirectory.prepare(sqliteFile.getParent(),
                    chosenBy == Setting.DATA_DIR ? "data directory" : "directory of the SQLite database", chosenBy);
        }
        if (url.startsWith("jdbc:sqlite:")) {
            // SQLite: one writer at a time; WAL lets readers go on meanwhile, busy_timeout waits for the lock.
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.addDataSourceProperty("journal_mode", "WAL");
            hc.addDataSourceProperty("busy_timeout", "5000");
            hc.setMaximumPoolSize(4);
        } else {
            hc.setUsername(user);
            hc.setPassword(password);
            hc.setMaximumPoolSize(10);
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            if (sqliteFile == null) {
                throw e;
            }
            throw new IllegalStateException("cannot open the SQLite database " + sqliteFile + " (" + chosenBy.label() + "): "
                    + e.getMessage(), e);
        }
        try {
            migrate(ds);
            return new Database(ds, url.startsWith("jdbc:sqlite:"));
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /** Where the ordinary migrations live. */
    public static final String MIGRATIONS = "classpath:db/migration";
    /** Where the legacy tracker's retirement lives (L3): applied only by the retirement command. */
    public static final String RETIREMENT = "classpath:db/retire";
    /** The schema version of the retirement migration. */
    public static final String RETIREMENT_VERSION = "3";

    /**
     * Runs the ordinary migrations. Once the retirement has been applied (by the command) its location
     * is included too, so Flyway's validation finds every applied migration.
     */
    private static void migrate(javax.sql.DataSource ds) {
        boolean retired = isRetired(ds);
        var cfg = Flyway.configure().dataSource(ds);
        (retired ? cfg.locations(MIGRATIONS, RETIREMENT) : cfg.locations(MIGRATIONS)).load().migrate();
    }

    /** Whether the retirement migration has been applied to this database. */
    public static boolean isRetired(javax.sql.DataSource ds) {
        var info = Flyway.configure().dataSource(ds).locations(MIGRATIONS, RETIREMENT).load().info();
        for (var m : info.applied()) {
            if (m.getVersion() != null && m.getVersion().getVersion().equals(RETIREMENT_VERSION) && m.getState().isApplied()
                    && !m.getState().isFailed()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the legacy tracker has been retired here. */
    public boolean legacyRetired() {
        return isRetired(dataSource);
    }

    /** Applies the retirement migration (L3): empties and drops the legacy table. */
    public void retireLegacyPresence() {
        Flyway.configure().dataSource(dataSource).locations(MIGRATIONS, RETIREMENT).outOfOrder(true).load().migrate();
    }

    /** The file of a SQLite URL, or null for other databases, in-memory ones and {@code file:} URIs. */
    private static Path sqliteFile(String url) {
        if (!url.startsWith("jdbc:sqlite:")) {
            return null;
        }
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        String path = q < 0 ? file : file.substring(0, q);
        if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
            return null;
        }
        return Path.of(path).toAbsolutePath();
    }

    /**
     * Whether other server nodes may use this database too: PostgreSQL. A SQLite file belongs to one server
     * (several nodes cannot share one safely; a cluster node refuses it), so what this node wrote there is
     * all there is to read.
     */
    public boolean sharedByNodes() {
        return !sqlite;
    }

    /** JDBI over the pool. */
    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
