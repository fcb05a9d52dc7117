package dev.huddle.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LogCapture;
import dev.huddle.server.support.PostgresDatabase;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * L2 with several nodes and no Redis: two real servers share one PostgreSQL database (and a guest
 * secret), each with its own in-memory engine. A switch made through node A reaches node B by B's
 * re-read of the recorded flag. The re-read timer is set far beyond the test's length, and the test
 * triggers B's re-read itself ({@link LegacyPresence#refreshSource()}), so every step is deterministic.
 */
@Timeout(90)
class RolloutPropagationTest {
    static final String ADMIN = LegacyRolloutTest.ADMIN;

    @TempDir
    Path dir;
    PostgresDatabase pg;
    TestServer a;
    TestServer b;
    Guest owner;
    Guest ann;
    Guest bob;
    String room;
    LogCapture legacyLog;

    @BeforeEach
    void setUp() {
        legacyLog = LogCapture.of(LegacyPresence.class);
        pg = PostgresDatabase.create();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        ManualClock clock = new ManualClock(TestServer.T0);
        a = node("a", clock, secret);
        b = node("b", clock, secret);
        owner = a.guest("Owner");
        ann = a.guest("Ann");
        bob = a.guest("Bob");
        room = a.huddle(owner, "Propagation").get("id").asText();
        for (Guest g : List.of(ann, bob)) {
            assertThat(a.api.post("/api/huddles/" + room + "/join", g.token(), Map.of("role", "participant")).status())
                    .isEqualTo(200);
        }
    }

    TestServer node(String name, ManualClock clock, byte[] secret) {
        return new TestServer(dir.resolve(name), clock, c -> c.withDatabase(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD)
                .withGuestSecret(secret)
                .withRollout(c.rollout().withSource(PresenceSource.LEGACY).withAdminToken(ADMIN).withSourceRefreshMs(60_000)));
    }

    @AfterEach
    void tearDown() {
        for (TestServer t : new TestServer[] {a, b}) {
            if (t != null) {
                t.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
        legacyLog.close();
    }

    static void upsert(TestServer t, Guest g, String room, Map<String, Object> body) {
        Api.Response r = t.api.post("/api/huddles/" + room + "/presence/upsert", g.token(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static Api.Response clear(TestServer t, Guest g, String room) {
        Api.Response r = t.api.post("/api/huddles/" + room + "/presence/clear", g.token(), Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    void switchThroughA(String source) {
        Api.Response r = a.api.put("/api/admin/presence-source", ADMIN, Map.of("source", source));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Node {@code t}'s engine, as its live list shows it: userId → online/offline (+speaking). */
    Map<String, String> engine(TestServer t) {
        Api.Response r = t.list(owner, room);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, String> out = new java.util.TreeMap<>();
        r.json().forEach(e -> out.put(e.path("userId").asText(), (e.path("online").asBoolean() ? "online" : "offline")
                + (e.path("data").path("isSpeaking").asBoolean() ? "+speaking" : "")));
        return out;
    }

    /** The user ids of the detail's legacy presence array as node {@code t} serves it. */
    List<String> detailPresence(TestServer t) {
        Api.Response r = t.read(owner, room);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("presence").findValuesAsText("userId").stream().sorted().toList();
    }

    List<String> tableUsers() {
        return b.server.legacy().table().fresh(room, 0).stream().map(LegacyPresenceTable.Row::userId).sorted().toList();
    }

    List<String> logged(String event) {
        return legacyLog.events(event);
    }

    double refreshFailures(TestServer t) {
        return t.server.metrics().get("presence.source.refresh.failures").counter().count();
    }

    void onDatabase(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    @DisplayName("L2 without Redis: node B keeps the old mode until its re-read, then adopts a switch made through node A — seeding its own engine from the table — and logs it once")
    void nodeWithoutRedisAdoptsAtItsNextReRead() {
        upsert(a, ann, room, Map.of("isSpeaking", true)); // an old client, while everyone runs legacy
        assertThat(b.server.legacy().rereadsRecordedFlag()).as("on PostgreSQL other nodes may switch it").isTrue();
        switchThroughA("shadow");
        assertThat(engine(a)).as("A carried the table into its engine").isEqualTo(Map.of(ann.userId(), "online+speaking"));

        // until B re-reads the flag, B still runs legacy: its upserts do not reach its engine
        upsert(b, bob, room, Map.of());
        assertThat(engine(b)).isEmpty();

        assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.SHADOW);
        assertThat(engine(b)).as("B carried the table into its own engine")
                .isEqualTo(Map.of(ann.userId(), "online+speaking", bob.userId(), "online"));
        clear(b, ann, room);
        assertThat(engine(b)).as("shadow: a clear through B ends the engine session too")
                .isEqualTo(Map.of(ann.userId(), "offline", bob.userId(), "online"));
        assertThat(tableUsers()).as("…and deletes the row").containsExactly(bob.userId());
        assertThat(detailPresence(b)).as("the table still serves the detail").containsExactly(bob.userId());
        assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.SHADOW);

        switchThroughA("component");
        assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.COMPONENT);
        assertThat(clear(b, bob, room).json().get("cleared").asBoolean()).isTrue();
        assertThat(engine(b)).isEqualTo(Map.of(ann.userId(), "offline", bob.userId(), "offline"));
        assertThat(tableUsers()).as("component: a clear through B leaves the table alone").containsExactly(bob.userId());
        assertThat(detailPresence(b)).as("the detail comes from B's engine").isEmpty();
        assertThat(b.api.get("/metrics", (String) null).body()).contains("presence_source 2.0");

        assertThat(logged("presence_source_adopted")).as("B, once per switch, however often it re-reads").containsExactly(
                "event=presence_source_adopted from=legacy to=shadow", "event=presence_source_adopted from=shadow to=component");
        assertThat(logged("presence_source_switched")).hasSize(2);
    }

    @Test
    @DisplayName("L2: a re-read that fails keeps the node's mode (and its behaviour), is counted and logged once; once the read works, the node adopts the stored flag")
    void failedReReadKeepsTheLastMode() throws SQLException {
        switchThroughA("shadow");
        assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.SHADOW);

        onDatabase("ALTER TABLE rollout_settings RENAME TO rollout_settings_away"); // every read of the flag now fails
        try {
            assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.SHADOW);
            assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.SHADOW);
            // still shadow in deed: an upsert through B writes the table and B's engine
            upsert(b, ann, room, Map.of("isSpeaking", true));
            assertThat(tableUsers()).containsExactly(ann.userId());
            assertThat(engine(b)).isEqualTo(Map.of(ann.userId(), "online+speaking"));
            assertThat(refreshFailures(b)).isEqualTo(2.0);
            assertThat(b.api.get("/metrics", (String) null).body()).contains("presence_source_refresh_failures_total 2.0")
                    .contains("presence_source 1.0");
            assertThat(logged("presence_source_refresh_failed")).as("one line for the run of failures").hasSize(1)
                    .allMatch(l -> l.startsWith("event=presence_source_refresh_failed source=shadow kept=true error="));
        } finally {
            onDatabase("ALTER TABLE rollout_settings_away RENAME TO rollout_settings");
        }

        switchThroughA("component");
        assertThat(b.server.legacy().refreshSource()).isEqualTo(PresenceSource.COMPONENT);
        assertThat(clear(b, ann, room).json().get("cleared").asBoolean()).isTrue();
        assertThat(tableUsers()).as("component: the clear left the table alone").containsExactly(ann.userId());
        assertThat(engine(b)).isEqualTo(Map.of(ann.userId(), "offline"));
        assertThat(logged("presence_source_refresh_recovered"))
                .containsExactly("event=presence_source_refresh_recovered source=component failed_refreshes=2");
        assertThat(logged("presence_source_adopted")).containsExactly("event=presence_source_adopted from=legacy to=shadow",
                "event=presence_source_adopted from=shadow to=component");
    }
}
