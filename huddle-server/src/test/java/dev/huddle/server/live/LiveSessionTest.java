package dev.huddle.server.live;

import static dev.huddle.server.support.LiveFixture.story;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Goodbyes (T3), flag coalescing and rate limits, and the browser ways to authenticate. */
class LiveSessionTest {
    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    String room;
    WsClient watcher;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s);
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        room = f.huddle(ann, bob).get("id").asText();
        watcher = f.connect(bob);
        f.subscribe(watcher, room);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    @DisplayName("T3: leave with a grace ends the session at its end; a rejoin with the token within the grace continues it")
    void leaveWithGrace() {
        WsClient a = f.connect(ann);
        String token = f.join(a, room, "ann-tab").path("sessionToken").asText();
        a.send("type", "leave", "requestId", "bye", "huddleId", room, "sessionId", "ann-tab", "graceMs", 1_500);
        assertThat(a.reply("bye").path("type").asText()).isEqualTo("left");
        a.close();
        f.clock().advance(1_000);
        WsClient reload = f.connect(ann);
        JsonNode again = f.join(reload, room, "ann-tab", "sessionToken", token);
        assertThat(again.path("resumed").asBoolean()).isTrue();
        f.clock().advance(5_000);
        assertThat(f.serverList(bob, room).get(0).path("online").asBoolean()).isTrue();

        // A goodbye without grace ends it at once.
        reload.send("type", "leave", "requestId", "now", "huddleId", room, "sessionId", "ann-tab");
        reload.reply("now");
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 2);
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId(), "leave " + ann.userId());
        assertThat(f.serverList(bob, room).get(0).path("lastDisconnected").asLong()).isEqualTo(f.clock().millis());
    }

    @Test
    @DisplayName("T3: a leave sent behind 30 other messages with the close right behind it still ends the session at once: the "
            + "messages read before a socket ends are handled before its end (the clock stands still, so nothing but the leave can end it)")
    void leaveJustBeforeTheClose() throws Exception {
        try (RawWsClient a = new RawWsClient(f.t.server.socketPort(), ann.token(), 65_536)) {
            a.sendText("{\"type\":\"join\",\"requestId\":\"j\",\"huddleId\":\"" + room + "\",\"sessionId\":\"ann-tab\",\"interval\":10000}");
            assertThat(a.readFrame().text()).contains("\"joined\"");
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);
            for (int i = 0; i < 30; i++) { // read together while the first is handled; each gets an error
                a.sendText("{\"type\":\"nothing\",\"requestId\":\"n" + i + "\"}");
            }
            a.sendText("{\"type\":\"leave\",\"requestId\":\"bye\",\"huddleId\":\"" + room + "\",\"sessionId\":\"ann-tab\"}");
            a.sendFrame(0x88, new byte[] {0x03, (byte) 0xE8}); // close 1000, right behind
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 2);
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId(), "leave " + ann.userId());
        assertThat(f.serverList(bob, room).get(0).path("online").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("Limits: a burst of speaking flips is coalesced (latest state wins) and flips beyond the rate get rate_limited")
    void flagsAreCoalescedAndRateLimited() {
        WsClient a = f.connect(ann);
        f.join(a, room, "ann-tab");
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);
        for (int i = 0; i < 15; i++) {
            a.send("type", "flags", "requestId", "f" + i, "huddleId", room, "sessionId", "ann-tab", "isSpeaking", i % 2 == 0);
        }
        // 15 flips in a burst: 10 admitted; the first BURST apply at once, the rest merge into one.
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.ofType("error").isEmpty());
        assertThat(a.ofType("error")).allSatisfy(e -> assertThat(e.path("code").asText()).isEqualTo("rate_limited"));
        int admitted = 15 - a.ofType("error").size();
        boolean last = (admitted - 1) % 2 == 0;
        await().atMost(Duration.ofSeconds(10)).until(() -> f.serverList(bob, room).get(0).path("data")
                .path("isSpeaking").asBoolean() == last);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> watcher.changes(room).size() <= 2 + Pacer.BURST);
        List<JsonNode> updates = watcher.changes(room).subList(1, watcher.changes(room).size());
        assertThat(updates).hasSizeLessThanOrEqualTo(Pacer.BURST + 1);
        assertThat(updates.get(updates.size() - 1).path("entry").path("data").path("isSpeaking").asBoolean()).isEqualTo(last);
    }

    @Test
    @DisplayName("T1/P6: a session ended elsewhere (HTTP disconnect) is not revived by the socket's frames: session_ended")
    void endedSessionIsNotRevived() {
        WsClient a = f.connect(ann);
        String token = f.join(a, room, "ann-tab").path("sessionToken").asText();
        assertThat(f.t.api.post("/api/presence/disconnect", null, Map.of("sessionToken", token)).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 2);
        f.clock().advance(2_000);
        a.send("type", "subscribe", "requestId", "s", "huddle", room);
        JsonNode ended = a.await(m -> "session_ended".equals(m.path("code").asText()));
        assertThat(ended.path("type").asText()).isEqualTo("error");
        a.reply("s");
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId(), "leave " + ann.userId());
        assertThat(f.serverList(bob, room).get(0).path("online").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("Shutdown: open sockets are closed with 1001 and their sessions are not ended by it")
    void shutdownClosesWith1001() {
        WsClient a = f.connect(ann);
        f.join(a, room, "ann-tab");
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.changes(room).size() == 1);
        long seq = f.t.server.presence().snapshot(room).seq();
        dev.huddle.presence.Presence engine = f.t.server.presence();
        f.t.server.stop();
        assertThat(a.awaitClose()).isEqualTo(1001);
        assertThat(watcher.awaitClose()).isEqualTo(1001);
        assertThat(engine.snapshot(room).seq()).isEqualTo(seq);
        assertThat(story(watcher.changes(room))).containsExactly("join " + ann.userId());
    }

    @Test
    @DisplayName("Auth: browsers authenticate with ?token= or the huddle_token cookie")
    void browserAuthentication() {
        WsClient q = f.track(WsClient.connect(f.t.server.socketPort(), "/ws?token=" + ann.token(), null, Map.of(), true));
        assertThat(f.join(q, room, "ann-q").path("type").asText()).isEqualTo("joined");
        WsClient c = f.track(WsClient.connect(f.t.server.socketPort(), "/ws", null, Map.of("Cookie", "huddle_token=" + ann.token()), true));
        assertThat(f.join(c, room, "ann-c").path("type").asText()).isEqualTo("joined");
    }
}
