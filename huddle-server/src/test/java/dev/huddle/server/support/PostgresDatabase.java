package dev.huddle.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import dev.huddle.presence.testkit.Dependency;

/**
 * A uniquely named database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth),
 * created for one test class and dropped after it. Set {@code HUDDLE_TEST_PG_URL} (a JDBC URL of an
 * admin database), {@code HUDDLE_TEST_PG_USER} and {@code HUDDLE_TEST_PG_PASSWORD} to use another
 * server. PostgreSQL is required: when it cannot be reached the test fails, saying so; only
 * {@code HUDDLE_TEST_SKIP=postgres} skips these tests (see {@link Dependency}).
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final String ADMIN_URL = env("HUDDLE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String USER = env("HUDDLE_TEST_PG_USER", "postgres");
    public static final String PASSWORD = env("HUDDLE_TEST_PG_PASSWORD", "");

    public final String name;
    public final String url;

    private PostgresDatabase(String name) {
        this.name = name;
        this.url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
    }

    /** Creates a fresh database; fails when PostgreSQL cannot be reached, unless {@code HUDDLE_TEST_SKIP} skips it. */
    public static PostgresDatabase create() {
        Dependency.POSTGRES.require();
        String name = "huddle_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(Dependency.POSTGRES.unreachable(ADMIN_URL + " as " + USER + " (" + e.getMessage() + ")",
                    "Start it (trust auth for 127.0.0.1), or point HUDDLE_TEST_PG_URL, HUDDLE_TEST_PG_USER and HUDDLE_TEST_PG_PASSWORD at one"), e);
        }
        return new PostgresDatabase(name);
    }

    @Override
    public void close() {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + name, e);
        }
    }

    private static Connection admin() throws SQLException {
        DriverManager.setLoginTimeout(3);
        return DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
