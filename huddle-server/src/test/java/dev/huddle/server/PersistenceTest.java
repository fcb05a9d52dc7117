package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.PostgresDatabase;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PersistenceTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("H1-H3: huddles, memberships, users and guest tokens survive a restart on the same data dir (SQLite)")
    void survivesRestartSqlite() {
        restartScenario(c -> c);
        assertThat(Files.exists(dir.resolve("huddle.db"))).isTrue();
    }

    @Test
    @DisplayName("the guest token secret is created with mode 600")
    void secretFileMode() throws Exception {
        try (TestServer t = new TestServer(dir)) {
            Path secret = dir.resolve("guest-token-secret");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        }
    }

    @Test
    @DisplayName("H1-H3: the same survives a restart on PostgreSQL (a database created and dropped by the test)")
    void survivesRestartPostgres() {
        try (PostgresDatabase pg = PostgresDatabase.create()) {
            restartScenario(c -> c.withDatabase(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD));
        }
    }

    private void restartScenario(UnaryOperator<ServerConfig> db) {
        Guest ann;
        Guest bob;
        JsonNode huddle;
        ManualClock clock = new ManualClock(TestServer.T0);
        try (TestServer t = new TestServer(dir, clock, db)) {
            ann = t.guest("Ann");
            bob = t.guest("Bob");
            huddle = t.huddle(ann, "Durable");
            assertThat(t.open(bob, huddle.get("id").asText()).json().get("role").asText()).isEqualTo("observer");
        }
        try (TestServer t = new TestServer(dir, clock, db)) {
            Api.Response bySlug = t.read(null, huddle.get("slug").asText());
            assertThat(bySlug.status()).isEqualTo(200);
            assertThat(bySlug.json().get("title").asText()).isEqualTo("Durable");
            Api.Response byId = t.read(ann, huddle.get("id").asText());
            assertThat(byId.status()).as("the old token still works").isEqualTo(200);
            assertThat(byId.json().get("role").asText()).isEqualTo("host");
            assertThat(t.members(ann, huddle.get("id").asText()).json().get("members")).extracting(m -> m.get("role").asText())
                    .containsExactlyInAnyOrder("host", "observer");
            assertThat(t.heartbeat(bob, huddle.get("id").asText(), "b1").status()).isEqualTo(200);
        }
    }
}
