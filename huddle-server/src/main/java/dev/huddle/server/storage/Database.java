package dev.huddle.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Files;
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

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens the database of {@code url}, creating and migrating it as needed. */
    public static Database open(String url, String user, String password) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName("huddle-db");
        if (url.startsWith("jdbc:sqlite:")) {
            createParent(url.substring("jdbc:sqlite:".length()));
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
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            return new Database(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /** Opens the database a server configuration names. */
    public static Database open(ServerConfig config) {
        return open(config.dbUrl(), config.dbUser(), config.dbPassword());
    }

    private static void createParent(String file) {
        int q = file.indexOf('?');
        String path = q < 0 ? file : file.substring(0, q);
        if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
            return;
        }
        Path parent = Path.of(path).toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the database directory " + parent + ": " + e.getMessage(), e);
        }
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
