package dev.huddle.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.huddle.HuddleRepository;
import dev.huddle.server.huddle.JoinPolicy;
import dev.huddle.server.huddle.Role;
import dev.huddle.server.support.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H9's migration on a database made before hosts existed (schema version 2), on SQLite and PostgreSQL:
 * every huddle's creator becomes its host (also a creator who had left), other members keep their
 * roles, and every huddle gets the {@code open} join policy.
 */
class HostMigrationTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("H9 migration on SQLite: creators become hosts, the policy is open, other roles stay")
    void sqlite() throws SQLException {
        check(ServerConfig.sqliteUrl(dir), null, null);
    }

    @Test
    @DisplayName("H9 migration on PostgreSQL: creators become hosts, the policy is open, other roles stay")
    void postgres() throws SQLException {
        try (PostgresDatabase pg = PostgresDatabase.create()) {
            check(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD);
        }
    }

    private static void check(String url, String user, String password) throws SQLException {
        Flyway.configure().dataSource(url, user, password).locations(Database.MIGRATIONS).target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id, display_name, created_at) VALUES ('ann', 'Ann', 1), ('bob', 'Bob', 1)");
            s.execute("INSERT INTO huddles (id, slug, title, created_by, created_at) VALUES "
                    + "('h1', 'one-aaaaaa', 'One', 'ann', 5), ('h2', 'two-aaaaaa', 'Two', 'ann', 6)");
            s.execute("INSERT INTO memberships (huddle_id, user_id, role, joined_at) VALUES "
                    + "('h1', 'ann', 'participant', 5), ('h1', 'bob', 'observer', 7), ('h2', 'bob', 'participant', 8)");
        }
        try (Database db = Database.open(url, user, password)) {
            HuddleRepository huddles = new HuddleRepository(db.jdbi());
            assertThat(roleOf(db, "h1", "ann")).isEqualTo("host");
            assertThat(roleOf(db, "h1", "bob")).isEqualTo("observer");
            assertThat(roleOf(db, "h2", "ann")).as("a creator who had left is the host again").isEqualTo("host");
            assertThat(roleOf(db, "h2", "bob")).isEqualTo("participant");
            assertThat(huddles.role("h1", "bob")).contains(Role.OBSERVER);
            long open = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM huddles WHERE join_policy = :p")
                    .bind("p", JoinPolicy.OPEN.wire()).mapTo(Long.class).one());
            assertThat(open).isEqualTo(2);
        }
    }

    private static String roleOf(Database db, String huddle, String user) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT role FROM memberships WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddle).bind("u", user).mapTo(String.class).one());
    }
}
