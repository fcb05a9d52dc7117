package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** "Interfaces users expect": Convex HTTP function calls with exactly the bodies Convex's clients send. */
@Timeout(30)
class ConvexCompatTest {
    @TempDir
    Path dir;
    TestServer t;
    Guest ann;
    String id;

    @BeforeEach
    void start() {
        t = new TestServer(dir);
        ann = t.guest("Ann");
        id = t.huddle(ann, "Convex").get("id").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private String heartbeatBody(String userId, String sessionId) {
        return "{\"path\":\"presence:heartbeat\",\"args\":[{\"roomId\":\"" + id + "\",\"userId\":\"" + userId
                + "\",\"sessionId\":\"" + sessionId + "\",\"interval\":10000}],\"format\":\"convex_encoded_json\"}";
    }

    @Test
    @DisplayName("ConvexHttpClient mutation presence:heartbeat (args array, convex_encoded_json, Bearer) → 200 success")
    void heartbeatSuccess() {
        Api.Response r = t.api.post("/api/mutation", ann.token(), heartbeatBody(ann.userId(), "tab-1"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("success");
        assertThat(r.json().get("value").get("roomToken").asText()).isNotBlank();
        assertThat(r.json().get("value").get("sessionToken").asText()).isNotBlank();
        assertThat(r.json().get("logLines").isArray()).isTrue();

        String list = "{\"path\":\"presence:list\",\"args\":[{\"roomToken\":\""
                + r.json().get("value").get("roomToken").asText() + "\",\"limit\":104}],\"format\":\"convex_encoded_json\"}";
        Api.Response listed = t.api.post("/api/query", ann.token(), list);
        assertThat(listed.status()).isEqualTo(200);
        JsonNode value = listed.json().get("value");
        assertThat(value).hasSize(1);
        assertThat(value.get(0).get("userId").asText()).isEqualTo(ann.userId());
        assertThat(value.get(0).get("data").get("isSpeaking").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("a failing call (another user's id, H2) → HTTP 560 status error, nothing changed")
    void failureIs560() {
        Api.Response r = t.api.post("/api/mutation", ann.token(), heartbeatBody("someone-else", "tab-1"));
        assertThat(r.status()).isEqualTo(560);
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        assertThat(r.json().get("errorMessage").asText()).contains("forbidden");
        assertThat(t.list(ann, id).json()).isEmpty();

        Api.Response noAuth = t.api.post("/api/mutation", null, heartbeatBody(ann.userId(), "tab-1"));
        assertThat(noAuth.status()).isEqualTo(560);
        assertThat(noAuth.json().get("errorMessage").asText()).contains("unauthenticated");

        Api.Response unknown = t.api.post("/api/query", ann.token(), "{\"path\":\"presence:nope\",\"args\":{}}");
        assertThat(unknown.status()).isEqualTo(560);
        Api.Response wrongKind = t.api.post("/api/query", ann.token(), heartbeatBody(ann.userId(), "tab-1"));
        assertThat(wrongKind.status()).isEqualTo(560);
        assertThat(t.list(ann, id).json()).isEmpty();
    }

    @Test
    @DisplayName("malformed function calls → 400")
    void malformedIs400() {
        assertThat(t.api.post("/api/mutation", ann.token(), "nope").status()).isEqualTo(400);
        assertThat(t.api.post("/api/mutation", ann.token(), "{\"args\":{}}").status()).isEqualTo(400);
        assertThat(t.api.post("/api/mutation", ann.token(), "{\"path\":\"presence:disconnect\",\"args\":[1,2]}").status()).isEqualTo(400);
        assertThat(t.api.post("/api/mutation", ann.token(), "{\"path\":\"presence:disconnect\",\"args\":[{},{}]}").status()).isEqualTo(400);
        assertThat(t.api.post("/api/mutation", ann.token(), "{\"path\":\"presence:disconnect\",\"args\":\"x\"}").status()).isEqualTo(400);
        assertThat(t.api.post("/api/mutation", ann.token(), "{\"path\":7,\"args\":{}}").status()).isEqualTo(400);
    }

    @Test
    @DisplayName("T3: the hook's sendBeacon body {path:presence:disconnect,args:{sessionToken}} as application/json, no auth")
    void beaconDisconnect() {
        Api.Response hb = t.api.post("/api/mutation", ann.token(), heartbeatBody(ann.userId(), "tab-1"));
        String sessionToken = hb.json().get("value").get("sessionToken").asText();
        t.clock.advance(500);
        Api.Response r = t.api.post("/api/mutation", null, "application/json",
                "{\"path\":\"presence:disconnect\",\"args\":{\"sessionToken\":\"" + sessionToken + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("success");
        assertThat(r.json().get("value").isNull()).isTrue();
        JsonNode entry = t.list(ann, id).json().get(0);
        assertThat(entry.get("online").asBoolean()).isFalse();
        assertThat(entry.get("lastDisconnected").asLong()).isEqualTo(TestServer.T0 + 500);

        Api.Response again = t.api.post("/api/mutation", null, "application/json",
                "{\"path\":\"presence:disconnect\",\"args\":{\"sessionToken\":\"" + sessionToken + "\"}}");
        assertThat(again.status()).as("idempotent").isEqualTo(200);
    }

    @Test
    @DisplayName("T3: plain disconnect with a text/plain body (sendBeacon of a string) and a departure grace")
    void plainTextDisconnectWithGrace() {
        Api.Response hb = t.heartbeat(ann, id, "tab-1");
        String sessionToken = hb.json().get("sessionToken").asText();
        Api.Response r = t.api.post("/api/presence/disconnect", null, "text/plain;charset=UTF-8",
                "{\"sessionToken\":\"" + sessionToken + "\",\"graceMs\":1500}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(t.list(ann, id).json().get(0).get("online").asBoolean()).as("still within the grace").isTrue();
        t.clock.advance(1_500);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(t.list(ann, id).json().get(0).get("online").asBoolean()).isFalse());
    }
}
