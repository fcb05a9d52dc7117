package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** "Bad input changes nothing": every refusal has its documented code and leaves the state as it was. */
@Timeout(30)
class BadInputTest {
    @TempDir
    Path dir;
    TestServer t;
    Guest ann;
    String id;
    JsonNode listBefore;
    JsonNode huddleBefore;

    @BeforeEach
    void start() {
        t = new TestServer(dir);
        ann = t.guest("Ann");
        id = t.huddle(ann, "Inputs").get("id").asText();
        assertThat(t.heartbeat(ann, id, "a1").status()).isEqualTo(200);
        listBefore = t.list(ann, id).json();
        huddleBefore = t.read(ann, id).json();
    }

    @AfterEach
    void unchangedAndStop() {
        assertThat(t.list(ann, id).json()).as("presence unchanged").isEqualTo(listBefore);
        assertThat(t.read(ann, id).json()).as("huddle unchanged").isEqualTo(huddleBefore);
        t.close();
    }

    @ParameterizedTest(name = "malformed JSON {0}")
    @ValueSource(strings = {"{", "{\"roomId\":}", "not json", "{\"a\":1} trailing", "{\"a\":1,\"a\":2}"})
    @DisplayName("malformed JSON → 400 malformed_json")
    void malformedJson(String body) {
        Api.Response r = t.api.post("/api/presence/heartbeat", ann.token(), body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("malformed_json");
    }

    @Test
    @DisplayName("a JSON value that is not an object → 400 invalid_argument naming body")
    void notAnObject() {
        Api.Response r = t.api.post("/api/huddles", ann.token(), "[1,2]");
        assertThat(r.errorCode()).isEqualTo("invalid_argument");
        assertThat(r.json().get("error").get("message").asText()).contains("body");
    }

    @Test
    @DisplayName("wrong types → 400 invalid_argument naming the field")
    void wrongTypes() {
        Api.Response r = t.api.post("/api/presence/heartbeat", ann.token(),
                Map.of("roomId", 42, "userId", ann.userId(), "sessionId", "a1"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_argument");
        assertThat(r.json().get("error").get("message").asText()).startsWith("roomId");

        Api.Response interval = t.api.post("/api/presence/heartbeat", ann.token(),
                Map.of("roomId", id, "userId", ann.userId(), "sessionId", "a1", "interval", "10000"));
        assertThat(interval.json().get("error").get("message").asText()).startsWith("interval");

        Api.Response flag = t.api.post("/api/presence/flags", ann.token(),
                Map.of("roomId", id, "sessionId", "a1", "isSpeaking", "yes"));
        assertThat(flag.errorCode()).isEqualTo("invalid_argument");
        assertThat(flag.json().get("error").get("message").asText()).startsWith("isSpeaking");

        Api.Response role = t.api.post("/api/huddles/" + id + "/join", ann.token(), Map.of("role", "admin"));
        assertThat(role.errorCode()).isEqualTo("invalid_argument");
        assertThat(role.json().get("error").get("message").asText()).startsWith("role");

        Api.Response limit = t.api.get("/api/presence/list?huddle=" + id + "&limit=lots", ann.token());
        assertThat(limit.errorCode()).isEqualTo("invalid_argument");
    }

    @Test
    @DisplayName("P1: out-of-range interval → 400 invalid_argument from the engine")
    void intervalOutOfRange() {
        Api.Response r = t.api.post("/api/presence/heartbeat", ann.token(),
                Map.of("roomId", id, "userId", ann.userId(), "sessionId", "a1", "interval", 5));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_argument");
        assertThat(r.json().get("error").get("message").asText()).contains("interval");
    }

    @Test
    @DisplayName("missing fields → 400 invalid_argument naming the field")
    void missingFields() {
        Api.Response r = t.api.post("/api/presence/heartbeat", ann.token(), Map.of("roomId", id, "userId", ann.userId()));
        assertThat(r.errorCode()).isEqualTo("invalid_argument");
        assertThat(r.json().get("error").get("message").asText()).isEqualTo("sessionId is required");
        Api.Response title = t.api.post("/api/huddles", ann.token(), Map.of());
        assertThat(title.json().get("error").get("message").asText()).isEqualTo("title is required");
        Api.Response empty = t.api.post("/api/presence/disconnect", null, "text/plain", "");
        assertThat(empty.status()).isEqualTo(400);
        Api.Response noFlags = t.api.post("/api/presence/flags", ann.token(), Map.of("roomId", id, "sessionId", "a1"));
        assertThat(noFlags.errorCode()).isEqualTo("invalid_argument");
    }

    @Test
    @DisplayName("body over 64 KiB → 413 payload_too_large")
    void tooLarge() {
        byte[] big = new byte[64 * 1024 + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        Api.Response r = t.api.postBytes("/api/huddles", ann.token(), big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("payload_too_large");
        Api.Response beacon = t.api.postBytes("/api/presence/disconnect", null, big);
        assertThat(beacon.status()).isEqualTo(413);
    }

    @Test
    @DisplayName("unknown huddle → 404 not_found for open, join, leave, heartbeat and list")
    void unknownHuddle() {
        assertThat(t.read(ann, "nosuchhuddle").errorCode()).isEqualTo("not_found");
        assertThat(t.read(ann, "no-such-slug").status()).isEqualTo(404);
        assertThat(t.api.post("/api/huddles/nosuchhuddle/join", ann.token(), Map.of("role", "observer")).status()).isEqualTo(404);
        assertThat(t.api.post("/api/huddles/nosuchhuddle/leave", ann.token(), "").status()).isEqualTo(404);
        assertThat(t.heartbeat(ann, "nosuchhuddle", "a2").errorCode()).isEqualTo("not_found");
        assertThat(t.list(ann, "nosuchhuddle").errorCode()).isEqualTo("not_found");
    }

    @Test
    @DisplayName("T3: disconnect with an unknown token is an idempotent no-op; graceMs out of range → 400")
    void disconnectEdges() {
        Api.Response r = t.api.post("/api/presence/disconnect", null, Map.of("sessionToken", "unknown"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(t.api.post("/api/presence/disconnect", null, Map.of("sessionToken", "unknown")).status()).isEqualTo(200);
        Api.Response grace = t.api.post("/api/presence/disconnect", null, Map.of("sessionToken", "x", "graceMs", 30_001));
        assertThat(grace.errorCode()).isEqualTo("invalid_argument");
    }
}
