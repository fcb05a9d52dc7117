package dev.huddle.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.Main;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.storage.Database;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.PostgresDatabase;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * L3: {@code huddle-server migrate retire-legacy-presence [--dry-run] [--force]} on SQLite and on
 * PostgreSQL, run through the server's own command line against the database a server used.
 */
@Timeout(90)
class LegacyRetirementTest {
    static final String ADMIN = LegacyRolloutTest.ADMIN;

    @TempDir
    Path dir;

    @Test
    @DisplayName("L3 on SQLite: refused while a node runs shadow unless forced; dry run reports and changes nothing; retirement drops the table; twice is harmless; the server serves presence after")
    void sqlite() {
        scenario(c -> c, List.of("--data-dir", dir.resolve("data").toString()));
    }

    @Test
    @DisplayName("L3 on PostgreSQL: the same retirement, recorded as schema migration 3")
    void postgres() {
        try (PostgresDatabase pg = PostgresDatabase.create()) {
            List<String> db = new ArrayList<>(List.of("--data-dir", dir.resolve("data").toString(), "--db-url", pg.url,
                    "--db-user", PostgresDatabase.USER));
            if (!PostgresDatabase.PASSWORD.isEmpty()) {
                db.addAll(List.of("--db-password", PostgresDatabase.PASSWORD));
            }
            scenario(c -> c.withDatabase(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD), db);
        }
    }

    record Run(int code, String out, String err) {
    }

    private Run retire(List<String> dbFlags, String... more) {
        List<String> args = new ArrayList<>(dbFlags);
        args.add("migrate");
        args.add("retire-legacy-presence");
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private TestServer server(UnaryOperator<ServerConfig> db, PresenceSource configured) {
        return new TestServer(dir.resolve("data"), new ManualClock(TestServer.T0),
                c -> db.apply(c).withRollout(c.rollout().withSource(configured).withAdminToken(ADMIN)));
    }

    private static long rows(ServerConfig config) {
        try (Database d = Database.open(config)) {
            return d.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM presence").mapTo(Long.class).one());
        }
    }

    private void scenario(UnaryOperator<ServerConfig> db, List<String> dbFlags) {
        ServerConfig config;
        String room;
        Guest ann;
        // a legacy deployment: one old client's row; the operator switches to shadow at runtime
        try (TestServer t = server(db, PresenceSource.LEGACY)) {
            config = t.server.config();
            ann = t.guest("Ann");
            room = t.huddle(ann, "Retire me").get("id").asText();
            assertThat(t.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), Map.of("isSpeaking", true)).status())
                    .isEqualTo(200);
            assertThat(t.api.put("/api/admin/presence-source", ADMIN, Map.of("source", "shadow")).status()).isEqualTo(200);

            // refused while this node runs in shadow, naming it
            Run refused = retire(dbFlags, "--dry-run");
            assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(3);
            assertThat(refused.out()).contains("1 rows in 1 huddles").contains("rollout flag shadow");
            assertThat(refused.err()).contains("refusing: node ").contains(":" + t.server.port() + " ").contains("source shadow");
            Run forcedDry = retire(dbFlags, "--dry-run", "--force");
            assertThat(forcedDry.code()).as(forcedDry.err()).isZero();
            assertThat(forcedDry.out()).contains("dry run").contains("nothing changed");
            assertThat(rows(config)).isEqualTo(1);
        }

        // the restarted server keeps the recorded shadow; the operator switches to component
        try (TestServer t = server(db, PresenceSource.LEGACY)) {
            assertThat(t.server.legacy().source()).isEqualTo(PresenceSource.SHADOW);
            assertThat(t.api.put("/api/admin/presence-source", ADMIN, Map.of("source", "component")).status()).isEqualTo(200);
        }
        Run dry = retire(dbFlags, "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("1 rows in 1 huddles").contains("rollout flag component");
        assertThat(rows(config)).as("the dry run changes nothing").isEqualTo(1);

        Run real = retire(dbFlags);
        assertThat(real.code()).as(real.err()).isZero();
        assertThat(real.out()).contains("retired: deleted 1 rows");
        assertThatThrownBy(() -> rows(config)).as("the table is gone").isInstanceOf(RuntimeException.class);
        try (Database d = Database.open(config)) {
            assertThat(d.legacyRetired()).isTrue();
            Long recorded = d.jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM flyway_schema_history WHERE version = '3' AND success = TRUE").mapTo(Long.class).one());
            assertThat(recorded).as("recorded as a schema migration").isEqualTo(1L);
        }
        Run again = retire(dbFlags);
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("already retired");

        // the server starts (even configured legacy: the table is gone, so component) and serves presence
        try (TestServer t = server(db, PresenceSource.LEGACY)) {
            assertThat(t.server.legacy().source()).isEqualTo(PresenceSource.COMPONENT);
            Guest bob = t.guest("Bob");
            t.api.post("/api/huddles/" + room + "/join", bob.token(), Map.of("role", "participant"));
            assertThat(t.heartbeat(bob, room, "bob-tab").status()).isEqualTo(200);
            assertThat(t.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), Map.of()).status()).isEqualTo(200);
            Api.Response detail = t.read(bob, room);
            assertThat(detail.json().get("presence").findValuesAsText("userId")).containsExactlyInAnyOrder(ann.userId(), bob.userId());
            assertThat(t.list(bob, room).json().findValuesAsText("userId")).containsExactlyInAnyOrder(ann.userId(), bob.userId());
            Api.Response back = t.api.put("/api/admin/presence-source", ADMIN, Map.of("source", "shadow"));
            assertThat(back.status()).isEqualTo(409);
            assertThat(back.errorCode()).isEqualTo("legacy_retired");
        }
    }
}
