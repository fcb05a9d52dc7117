package dev.huddle.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.Main;
import dev.huddle.server.config.PresenceSource;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * L3 retire safety with two nodes on one PostgreSQL database: one configured {@code component}, one
 * configured {@code legacy} and never switched at runtime (so nothing is recorded but what the nodes
 * report). The command refuses, naming the legacy node, unless forced; forced, the live legacy node
 * answers its legacy calls 410 {@code legacy_retired}, keeps serving everything else, and both admin
 * APIs say the table is retired at once.
 */
@Timeout(120)
class LegacyRetireSafetyTest {
    static final String ADMIN = LegacyRolloutTest.ADMIN;

    @TempDir
    Path dir;

    @Test
    @DisplayName("Retire refused while a node runs legacy (never switched), naming it; forced, that node answers legacy calls 410 legacy_retired and serves the rest; admin GET says retired at once")
    void retireIsRefusedWhileALegacyNodeLives() {
        try (PostgresDatabase pg = PostgresDatabase.create();
                TestServer component = server(pg, PresenceSource.COMPONENT);
                TestServer legacy = server(pg, PresenceSource.LEGACY)) {
            Guest ann = legacy.guest("Ann");
            String room = legacy.huddle(ann, "Old clients").get("id").asText();
            assertThat(legacy.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), Map.of("isSpeaking", true))
                    .status()).isEqualTo(200);

            Run refused = retire(pg);
            assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(3);
            assertThat(refused.err()).contains("refusing: node ").contains(":" + legacy.server.port() + " ")
                    .contains("source legacy").doesNotContain(":" + component.server.port() + " ");
            assertThat(refused.out()).contains("never switched at runtime")
                    .contains(":" + component.server.port() + " ").contains("source component");
            assertThat(legacy.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), Map.of()).status())
                    .as("nothing changed").isEqualTo(200);

            Run forced = retire(pg, "--force");
            assertThat(forced.code()).as(forced.err()).isZero();
            assertThat(forced.out()).contains("retired: deleted 1 rows");

            for (TestServer t : List.of(legacy, component)) {
                Api.Response state = t.api.get("/api/admin/presence-source", ADMIN);
                assertThat(state.json().path("legacyRetired").asBoolean()).as("at once, on every node").isTrue();
            }
            Api.Response upsert = legacy.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), Map.of());
            assertThat(upsert.status()).as(upsert.body()).isEqualTo(410);
            assertThat(upsert.errorCode()).isEqualTo("legacy_retired");
            Api.Response clear = legacy.api.post("/api/huddles/" + room + "/presence/clear", ann.token(), Map.of());
            assertThat(clear.status()).isEqualTo(410);
            assertThat(clear.errorCode()).isEqualTo("legacy_retired");
            // Everything else keeps working on the legacy node.
            assertThat(legacy.read(ann, room).status()).isEqualTo(200);
            assertThat(legacy.heartbeat(ann, room, "ann-tab").status()).isEqualTo(200);
            assertThat(legacy.list(ann, room).json().findValuesAsText("userId")).containsExactly(ann.userId());
            assertThat(legacy.api.get("/health", (String) null).status()).isEqualTo(200);
        }
    }

    private TestServer server(PostgresDatabase pg, PresenceSource configured) {
        return new TestServer(dir.resolve("data"), new ManualClock(TestServer.T0),
                c -> c.withDatabase(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD)
                        .withRollout(c.rollout().withSource(configured).withAdminToken(ADMIN)));
    }

    record Run(int code, String out, String err) {
    }

    private Run retire(PostgresDatabase pg, String... more) {
        List<String> args = new ArrayList<>(List.of("--data-dir", dir.resolve("data").toString(), "--db-url", pg.url,
                "--db-user", PostgresDatabase.USER));
        if (!PostgresDatabase.PASSWORD.isEmpty()) {
            args.addAll(List.of("--db-password", PostgresDatabase.PASSWORD));
        }
        args.addAll(List.of("migrate", "retire-legacy-presence"));
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args.toArray(String[]::new)), out.toString(), err.toString());
    }
}
