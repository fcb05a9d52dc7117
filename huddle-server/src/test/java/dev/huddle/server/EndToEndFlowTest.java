package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class EndToEndFlowTest {
    @TempDir
    Path dir;
    TestServer t;

    @BeforeEach
    void start() {
        t = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    @DisplayName("H1-H3, H5, P3, P6-P8: sign in, create, second user becomes observer, both heartbeat, one disconnects")
    void fullFlow() {
        Guest ann = t.guest("Ann");
        Guest bob = t.guest("Bob");
        JsonNode huddle = t.huddle(ann, "Design sync");
        String id = huddle.get("id").asText();
        assertThat(huddle.get("role").asText()).as("H9: the creator is the first host").isEqualTo("host");
        assertThat(huddle.get("slug").asText()).startsWith("design-sync-");
        assertThat(huddle.get("createdBy").asText()).isEqualTo(ann.userId());
        assertThat(huddle.get("createdAt").asLong()).isEqualTo(TestServer.T0);
        assertThat(huddle.get("publicViewing").asBoolean()).isTrue();

        // H3: Bob opens it by id and is registered as an observer.
        Api.Response opened = t.open(bob, id);
        assertThat(opened.status()).isEqualTo(200);
        assertThat(opened.json().get("role").asText()).isEqualTo("observer");
        assertThat(opened.json().get("memberCount").asLong()).isEqualTo(2);
        assertThat(t.members(bob, id).json().get("members")).hasSize(2);

        Api.Response hbAnn = t.heartbeat(ann, id, "ann-tab-1");
        Api.Response hbBob = t.heartbeat(bob, id, "bob-tab-1");
        assertThat(hbAnn.status()).as(hbAnn.body()).isEqualTo(200);
        assertThat(hbBob.status()).as(hbBob.body()).isEqualTo(200);
        String roomToken = hbAnn.json().get("roomToken").asText();
        assertThat(hbBob.json().get("roomToken").asText()).isEqualTo(roomToken);
        assertThat(hbAnn.json().get("sessionToken").asText()).isNotEqualTo(hbBob.json().get("sessionToken").asText());

        Api.Response flags = t.api.post("/api/presence/flags", ann.token(),
                Map.of("roomId", id, "sessionId", "ann-tab-1", "isSpeaking", true));
        assertThat(flags.status()).as(flags.body()).isEqualTo(200);

        Api.Response list = t.api.get("/api/presence/list?roomToken=" + roomToken, bob.token());
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).hasSize(2);
        JsonNode annEntry = entry(list.json(), ann.userId());
        JsonNode bobEntry = entry(list.json(), bob.userId());
        assertThat(annEntry.get("online").asBoolean()).isTrue();
        assertThat(annEntry.get("lastDisconnected").asLong()).isZero();
        assertThat(annEntry.get("data").get("displayName").asText()).isEqualTo("Ann");
        assertThat(annEntry.get("data").get("role").asText()).isEqualTo("host");
        assertThat(annEntry.get("data").get("isSpeaking").isBoolean()).isTrue();
        assertThat(annEntry.get("data").get("isSpeaking").asBoolean()).isTrue();
        assertThat(annEntry.get("data").get("isRecording").asBoolean()).isFalse();
        assertThat(annEntry.get("data").get("avatarUrl").isNull()).isTrue();
        assertThat(bobEntry.get("data").get("displayName").asText()).isEqualTo("Bob");
        assertThat(bobEntry.get("data").get("role").asText()).isEqualTo("observer");
        assertThat(bobEntry.get("data").get("isSpeaking").asBoolean()).isFalse();

        // Bob leaves the page: his session ends at once, he shows offline with lastDisconnected.
        t.clock.advance(2_000);
        Api.Response bye = t.api.post("/api/presence/disconnect", null, "text/plain;charset=UTF-8",
                "{\"sessionToken\":\"" + hbBob.json().get("sessionToken").asText() + "\"}");
        assertThat(bye.status()).as(bye.body()).isEqualTo(200);
        assertThat(bye.json().get("ok").asBoolean()).isTrue();

        Api.Response after = t.list(ann, id);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json()).hasSize(2);
        assertThat(after.json().get(0).get("userId").asText()).as("online users first (P8)").isEqualTo(ann.userId());
        JsonNode bobAfter = entry(after.json(), bob.userId());
        assertThat(bobAfter.get("online").asBoolean()).isFalse();
        assertThat(bobAfter.get("lastDisconnected").asLong()).isEqualTo(TestServer.T0 + 2_000);
        assertThat(bobAfter.get("data").get("displayName").asText()).as("an offline user keeps their name").isEqualTo("Bob");
    }

    @Test
    @DisplayName("H4: opening by slug is read-only and registers nobody, even signed in")
    void slugViewRegistersNobody() {
        Guest ann = t.guest("Ann");
        Guest viewer = t.guest("Viewer");
        JsonNode huddle = t.huddle(ann, "Town hall");
        Api.Response anon = t.read(null, huddle.get("slug").asText());
        assertThat(anon.status()).isEqualTo(200);
        assertThat(anon.json().get("readOnly").asBoolean()).isTrue();
        assertThat(anon.json().get("role").isNull()).isTrue();
        Api.Response signedIn = t.read(viewer, huddle.get("slug").asText());
        assertThat(signedIn.status()).isEqualTo(200);
        assertThat(signedIn.json().get("memberCount").asLong()).isEqualTo(1);
        assertThat(signedIn.json().get("membership").isNull()).as("a viewer is no member").isTrue();
        assertThat(t.members(viewer, huddle.get("slug").asText()).json().get("members")).hasSize(1);
    }

    @Test
    @DisplayName("H2: join as participant, leave removes membership and the presence entry")
    void joinAndLeave() {
        Guest ann = t.guest("Ann");
        Guest bob = t.guest("Bob");
        String id = t.huddle(ann, "Standup").get("id").asText();
        Api.Response joined = t.api.post("/api/huddles/" + id + "/join", bob.token(), Map.of("role", "participant"));
        assertThat(joined.status()).as(joined.body()).isEqualTo(200);
        assertThat(joined.json().get("role").asText()).isEqualTo("participant");
        assertThat(t.heartbeat(bob, id, "b1").status()).isEqualTo(200);
        assertThat(t.list(ann, id).json()).hasSize(1);

        Api.Response left = t.api.post("/api/huddles/" + id + "/leave", bob.token(), "");
        assertThat(left.status()).as(left.body()).isEqualTo(200);
        assertThat(t.list(ann, id).json()).isEmpty();
        assertThat(t.read(ann, id).json().get("memberCount").asLong()).isEqualTo(1);
        assertThat(t.members(ann, id).json().get("members")).hasSize(1);
        assertThat(t.heartbeat(bob, id, "b1").errorCode()).isEqualTo("not_a_member");
    }

    @Test
    @DisplayName("P1, P5: a session that stops heartbeating leaves at its deadline (ManualClock)")
    void expiryMakesUserOffline() {
        Guest ann = t.guest("Ann");
        String id = t.huddle(ann, "Expiry").get("id").asText();
        t.heartbeat(ann, id, "a1");
        t.clock.advance(25_001);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(t.list(ann, id).json().get(0).get("online").asBoolean()).isFalse());
        assertThat(t.list(ann, id).json().get(0).get("lastDisconnected").asLong()).isEqualTo(TestServer.T0 + 25_000);
    }

    @Test
    @DisplayName("static files: / serves the home page, /h/{slug} the huddle page, /js/client the package's client modules")
    void indexPage() {
        Api.Response r = t.api.get("/", (String) null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("Huddle Presence");
        Api.Response page = t.api.get("/h/any-slug-ab12cd", (String) null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"participants\"").contains("/js/app-huddle.js");
        assertThat(t.api.get("/js/client/index.js", (String) null).body()).contains("createHuddlePresence");
        assertThat(t.api.get("/js/client/presence-client.js", (String) null).body()).contains("export function createHuddlePresence");
        assertThat(t.api.get("/js/client/react/index.js", (String) null).errorCode())
                .as("the React entries import React by name, which a page cannot load: not served").isEqualTo("not_found");
        assertThat(t.api.get("/no/such/thing", (String) null).errorCode()).isEqualTo("not_found");
    }

    static JsonNode entry(JsonNode list, String userId) {
        for (JsonNode e : list) {
            if (e.get("userId").asText().equals(userId)) {
                return e;
            }
        }
        throw new AssertionError("no entry for " + userId + " in " + list);
    }
}
