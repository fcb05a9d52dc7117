package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.server.support.Api;
import dev.huddle.server.support.LogCapture;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ObservabilityTest {
    @TempDir
    Path dir;
    TestServer t;
    LogCapture eventLog;

    @BeforeEach
    void start() {
        eventLog = LogCapture.alone("huddle.presence.events");
        t = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        t.close();
        eventLog.close();
    }

    @Test
    @DisplayName("H7: /metrics shows presence_joins_total and presence_leaves_total incremented")
    void metricsCountJoinsAndLeaves() {
        assertThat(counter("presence_joins_total")).isZero();
        Guest ann = t.guest("Ann");
        String id = t.huddle(ann, "Metrics").get("id").asText();
        String sessionToken = t.heartbeat(ann, id, "a1").json().get("sessionToken").asText();
        t.heartbeat(ann, id, "a1");
        assertThat(counter("presence_joins_total")).as("a repeated heartbeat is no new join (P3)").isEqualTo(1.0);
        t.api.post("/api/presence/disconnect", null, "{\"sessionToken\":\"" + sessionToken + "\"}");
        assertThat(counter("presence_leaves_total")).isEqualTo(1.0);
    }

    @Test
    @DisplayName("presence_expiries_total counts sessions ended at their deadline by this node; joins and leaves say they are this node's (scope=\"node\")")
    void metricsCountExpiries() {
        assertThat(counter("presence_expiries_total")).isZero();
        Guest ann = t.guest("Ann");
        String id = t.huddle(ann, "Expiry").get("id").asText();
        t.heartbeat(ann, id, "a1");
        t.heartbeat(ann, id, "a2");
        t.clock.advance(25_001); // past both deadlines (2.5 × 10 s)
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("presence_expiries_total") == 2.0);
        assertThat(counter("presence_leaves_total")).isEqualTo(1.0);
        assertThat(t.api.get("/metrics", (String) null).body()).contains("presence_leaves_total{scope=\"node\"} 1.0");
    }

    @Test
    @DisplayName("H7: one structured key=value log line per join and per leave")
    void oneLogLinePerJoinAndLeave() {
        Guest ann = t.guest("Ann");
        String id = t.huddle(ann, "Logs").get("id").asText();
        String sessionToken = t.heartbeat(ann, id, "a1").json().get("sessionToken").asText();
        t.heartbeat(ann, id, "a2");
        t.api.post("/api/presence/disconnect", null, "{\"sessionToken\":\"" + sessionToken + "\"}");
        t.api.post("/api/presence/disconnect", null, "{\"sessionToken\":\""
                + t.heartbeat(ann, id, "a2").json().get("sessionToken").asText() + "\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> eventLog.messages().size() >= 2);
        assertThat(eventLog.messages()).containsExactly(
                "event=presence.join room=" + id + " user=" + ann.userId() + " seq=1",
                "event=presence.leave room=" + id + " user=" + ann.userId() + " seq=2 lastDisconnected=" + TestServer.T0);
    }

    @Test
    @DisplayName("/health → 200 {status: up}")
    void health() {
        Api.Response r = t.api.get("/health", (String) null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("up");
    }

    private double counter(String name) {
        return t.api.metric(name);
    }
}
