package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class AuthorizationTest {
    @TempDir
    Path dir;
    TestServer t;
    Guest ann;
    String id;
    String slug;

    @BeforeEach
    void start() {
        t = new TestServer(dir);
        ann = t.guest("Ann");
        JsonNode h = t.huddle(ann, "Private talk");
        id = h.get("id").asText();
        slug = h.get("slug").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    @DisplayName("H4: no token → 401 unauthenticated")
    void noToken() {
        Api.Response r = t.api.post("/api/huddles", null, Map.of("title", "x"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthenticated");
        assertThat(t.read(null, id).status()).as("by id needs sign-in").isEqualTo(401);
        assertThat(t.api.post("/api/presence/heartbeat", null,
                Map.of("roomId", id, "userId", ann.userId(), "sessionId", "s")).errorCode()).isEqualTo("unauthenticated");
    }

    @Test
    @DisplayName("forged token (signature changed) → 401 invalid_token")
    void forgedToken() {
        String[] parts = ann.token().split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1);
        Api.Response r = t.api.get("/api/huddles/" + id, forged);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("invalid_token");
        assertThat(t.api.get("/api/huddles/" + id, "not-a-jwt").errorCode()).isEqualTo("invalid_token");
    }

    @Test
    @DisplayName("regression: a token differing from the previous request's only in letter case is refused (Jetty header cache)")
    void caseChangedTokenOnSameConnection() {
        String token = ann.token();
        int i = token.length() - 1;
        while (!Character.isLetter(token.charAt(i))) {
            i--;
        }
        char c = token.charAt(i);
        String flipped = token.substring(0, i)
                + (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c)) + token.substring(i + 1);
        for (int round = 0; round < 3; round++) {
            assertThat(t.api.get("/api/huddles/" + id, token).status()).isEqualTo(200);
            assertThat(t.api.get("/api/huddles/" + id, flipped).status()).isEqualTo(401);
        }
    }

    @Test
    @DisplayName("a token signed by another server's secret → 401 invalid_token")
    void tokenFromAnotherServer(@TempDir Path otherDir) {
        try (TestServer other = new TestServer(otherDir)) {
            Guest stranger = other.guest("Stranger");
            assertThat(t.read(new Guest(stranger.userId(), stranger.token()), id).errorCode()).isEqualTo("invalid_token");
        }
    }

    @Test
    @DisplayName("expired token (30 days, ManualClock) → 401 invalid_token")
    void expiredToken() {
        assertThat(t.read(ann, id).status()).isEqualTo(200);
        t.clock.advance(Duration.ofDays(30).plusMinutes(1).toMillis());
        Api.Response r = t.read(ann, id);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("invalid_token");
        assertThat(r.json().get("error").get("message").asText()).contains("expired");
    }

    @Test
    @DisplayName("the huddle_token cookie authenticates like a bearer token (writes from the server's own page)")
    void cookieAuth() {
        Api.Response signIn = t.api.post("/api/auth/guest", null, Map.of("displayName", "Cookie"));
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("huddle_token=").contains("HttpOnly").contains("SameSite=Lax").contains("Path=/")
                .doesNotContain("Secure");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Api.Response r = t.api.send("POST", "/api/huddles/" + id + "/open",
                Map.of("Cookie", cookie, "Origin", "http://127.0.0.1:" + t.server.port()), null, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("role").asText()).isEqualTo("observer");
        assertThat(t.api.get("/api/huddles/" + id, Map.of("Cookie", cookie)).json().get("role").asText()).isEqualTo("observer");
    }

    @Test
    @DisplayName("H2: heartbeat for another user id → 403 forbidden")
    void heartbeatForAnotherUser() {
        Guest bob = t.guest("Bob");
        t.open(bob, id);
        Api.Response r = t.api.post("/api/presence/heartbeat", bob.token(),
                Map.of("roomId", id, "userId", ann.userId(), "sessionId", "spoof"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("forbidden");
        assertThat(t.list(ann, id).json()).isEmpty();
    }

    @Test
    @DisplayName("H2, H4: non-member (who only viewed by slug) heartbeat → 403 not_a_member")
    void nonMemberHeartbeat() {
        Guest viewer = t.guest("Viewer");
        assertThat(t.read(viewer, slug).status()).isEqualTo(200);
        Api.Response r = t.heartbeat(viewer, id, "v1");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("not_a_member");
        assertThat(t.list(ann, id).json()).isEmpty();
        assertThat(t.members(ann, id).json().get("members")).hasSize(1);
    }

    @Test
    @DisplayName("H5: observer setting isRecording → 403 observer_cannot_set_flags, nothing changed")
    void observerCannotSetFlags() {
        Guest bob = t.guest("Bob");
        assertThat(t.open(bob, id).json().get("role").asText()).isEqualTo("observer");
        assertThat(t.heartbeat(bob, id, "b1").status()).isEqualTo(200);
        JsonNode before = t.list(ann, id).json();

        Api.Response r = t.api.post("/api/presence/flags", bob.token(),
                Map.of("roomId", id, "sessionId", "b1", "isRecording", true));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("observer_cannot_set_flags");
        JsonNode after = t.list(ann, id).json();
        assertThat(after).isEqualTo(before);
        assertThat(after.get(0).get("data").get("isRecording").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("H4: a slug viewer can list but not heartbeat; a slug never works for writes")
    void slugViewerListsButCannotHeartbeat() {
        t.heartbeat(ann, id, "a1");
        Api.Response anonList = t.list(null, slug);
        assertThat(anonList.status()).isEqualTo(200);
        assertThat(anonList.json()).hasSize(1);
        assertThat(anonList.json().get(0).get("data").get("displayName").asText()).isEqualTo("Ann");

        Guest viewer = t.guest("Viewer");
        assertThat(t.list(viewer, slug).status()).isEqualTo(200);
        assertThat(t.heartbeat(viewer, id, "v1").errorCode()).isEqualTo("not_a_member");
        Api.Response bySlug = t.api.post("/api/presence/heartbeat", viewer.token(),
                Map.of("roomId", slug, "userId", viewer.userId(), "sessionId", "v2"));
        assertThat(bySlug.status()).isEqualTo(404);
        assertThat(t.list(ann, id).json()).hasSize(1);
    }

    @Test
    @DisplayName("H4: listing by id needs membership; listing by room token needs sign-in")
    void listByIdNeedsMembership() {
        Guest outsider = t.guest("Outsider");
        assertThat(t.list(outsider, id).errorCode()).isEqualTo("not_a_member");
        String roomToken = t.heartbeat(ann, id, "a1").json().get("roomToken").asText();
        assertThat(t.api.get("/api/presence/list?roomToken=" + roomToken, (String) null).status()).isEqualTo(401);
    }

    @Test
    @DisplayName("H5: setting flags on an unknown session → 404 unknown_session")
    void unknownSession() {
        Api.Response r = t.api.post("/api/presence/flags", ann.token(),
                Map.of("roomId", id, "sessionId", "never", "isSpeaking", true));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("unknown_session");
    }

    @Test
    @DisplayName("P2: reusing a session id for another user → 409 session_conflict")
    void sessionConflict() {
        Guest bob = t.guest("Bob");
        t.open(bob, id);
        assertThat(t.heartbeat(ann, id, "shared").status()).isEqualTo(200);
        Api.Response r = t.heartbeat(bob, id, "shared");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("session_conflict");
    }
}
