package dev.huddle.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.presence.SessionIds;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * L3: a rollback from {@code component} keeps everybody's flags in the legacy view, and the legacy
 * wrapper's session ids cannot be taken through the public API and differ per huddle.
 */
@Timeout(60)
class LegacySafetyTest {
    static final String ADMIN = LegacyRolloutTest.ADMIN;

    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    String room;

    void start(PresenceSource source) {
        f = new LiveFixture(dir, s -> s, c -> c.withRollout(c.rollout().withSource(source).withAdminToken(ADMIN)));
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        room = f.huddle(ann, bob).get("id").asText();
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("Rollback component → shadow: the legacy view shows the speaking flag set in component mode at once, a flagless upsert keeps it, and the comparator sees no mismatch")
    void rollbackKeepsFlags() {
        start(PresenceSource.LEGACY);
        assertThat(upsert(ann, room, Map.of("isSpeaking", false)).status()).isEqualTo(200); // an old row, not speaking
        assertThat(switchTo("component").status()).isEqualTo(200);
        assertThat(upsert(ann, room, Map.of("isSpeaking", true)).status()).isEqualTo(200); // the engine only
        assertThat(upsert(bob, room, Map.of("isRecording", true)).status()).isEqualTo(200);

        assertThat(switchTo("shadow").status()).isEqualTo(200);
        Map<String, String> both = Map.of(ann.userId(), "speaking=true recording=false",
                bob.userId(), "speaking=false recording=true");
        assertThat(detailPresence(bob)).isEqualTo(both);
        assertThat(upsert(ann, room, Map.of()).status()).isEqualTo(200); // a heartbeat without flags keeps them
        f.t.server.legacy().compareNow();
        assertThat(detailPresence(bob)).isEqualTo(both);
        for (String field : List.of("online", "isSpeaking", "isRecording")) {
            var c = f.t.server.metrics().find("presence.shadow.mismatches").tag("field", field).counter();
            assertThat(c == null ? 0 : c.count()).as(field).isZero();
        }

        // and on to legacy: the table still holds them
        assertThat(switchTo("legacy").status()).isEqualTo(200);
        assertThat(detailPresence(bob)).isEqualTo(both);
    }

    @Test
    @DisplayName("Bob cannot take Ann's legacy session: 'legacy:' ids are refused over HTTP and the socket in his own huddle, and Ann's legacy calls keep working")
    void legacySessionIdsCannotBeClaimed() {
        start(PresenceSource.COMPONENT);
        String bobsRoom = f.huddle(bob).get("id").asText();
        for (String stolen : List.of("legacy:" + ann.userId(), SessionIds.legacy(room, ann.userId()),
                SessionIds.legacy(bobsRoom, ann.userId()))) {
            Api.Response r = f.t.heartbeat(bob, bobsRoom, stolen);
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_argument");
            assertThat(r.body()).contains("sessionId");
        }
        WsClient ws = f.connect(bob);
        ws.send("type", "join", "requestId", "steal", "huddleId", bobsRoom, "sessionId", SessionIds.legacy(room, ann.userId()),
                "interval", 10_000);
        JsonNode refused = ws.reply("steal");
        assertThat(refused.path("code").asText()).as(refused.toString()).isEqualTo("invalid_argument");
        assertThat(online(bob, bobsRoom)).isEmpty();

        assertThat(upsert(ann, room, Map.of("isSpeaking", true)).status()).isEqualTo(200);
        assertThat(online(bob, room)).containsExactly(ann.userId());
    }

    @Test
    @DisplayName("One legacy user in two huddles: two sessions, both online, each cleared alone")
    void oneUserInTwoHuddles() {
        start(PresenceSource.COMPONENT);
        String second = f.huddle(bob, ann).get("id").asText();
        assertThat(upsert(ann, room, Map.of()).status()).isEqualTo(200);
        Api.Response other = upsert(ann, second, Map.of("isSpeaking", true));
        assertThat(other.status()).as(other.body()).isEqualTo(200);
        assertThat(online(bob, room)).containsExactly(ann.userId());
        assertThat(online(bob, second)).containsExactly(ann.userId());

        assertThat(f.t.api.post("/api/huddles/" + room + "/presence/clear", ann.token(), Map.of()).json()
                .path("cleared").asBoolean()).isTrue();
        assertThat(online(bob, room)).isEmpty();
        assertThat(online(bob, second)).containsExactly(ann.userId());
    }

    private Api.Response upsert(Guest g, String huddle, Map<String, Object> body) {
        return f.t.api.post("/api/huddles/" + huddle + "/presence/upsert", g.token(), body);
    }

    private Api.Response switchTo(String source) {
        return f.t.api.put("/api/admin/presence-source", ADMIN, Map.of("source", source));
    }

    private List<String> online(Guest viewer, String huddle) {
        return f.serverList(viewer, huddle).stream().filter(e -> e.path("online").asBoolean())
                .map(e -> e.path("userId").asText()).sorted().toList();
    }

    private Map<String, String> detailPresence(Guest g) {
        Api.Response r = f.t.read(g, room);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, String> out = new TreeMap<>();
        r.json().get("presence").forEach(p -> out.put(p.get("userId").asText(),
                "speaking=" + p.get("isSpeaking").asBoolean() + " recording=" + p.get("isRecording").asBoolean()));
        return out;
    }
}
