package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the socket gets the documented error or close code (docs/protocol.md), and nothing
 * changes for anyone else: a watcher sees no change and the room's seq stays put.
 */
class LiveBadInputTest {
    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    Guest eve;
    JsonNode huddle;
    String room;
    WsClient watcher;
    WsClient annSocket;
    String annToken;
    long seqBefore;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s.withMaxConnectionsPerUser(3).withMaxRoomsPerConnection(2),
                c -> c.withAllowedOrigins(List.of("https://app.example.com")));
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        eve = f.guest("Eve");
        huddle = f.huddle(ann, bob);
        room = huddle.get("id").asText();
        annSocket = f.connect(ann);
        annToken = f.join(annSocket, room, "ann-tab").path("sessionToken").asText();
        watcher = f.connect(bob);
        f.subscribe(watcher, room);
        seqBefore = f.t.server.presence().snapshot(room).seq();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void nothingChanged() {
        assertThat(f.t.server.presence().snapshot(room).seq()).isEqualTo(seqBefore);
        assertThat(watcher.changes(room)).isEmpty();
        List<JsonNode> list = f.serverList(bob, room);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("userId").asText()).isEqualTo(ann.userId());
        assertThat(list.get(0).path("online").asBoolean()).isTrue();
    }

    private static JsonNode error(WsClient c, String requestId) {
        JsonNode r = c.reply(requestId);
        assertThat(r.path("type").asText()).as(r.toString()).isEqualTo("error");
        return r;
    }

    @Test
    @DisplayName("Protocol: a non-JSON frame gets error malformed_json (requestId null) and the socket stays usable")
    void nonJson() {
        WsClient c = f.connect(eve);
        c.sendRaw("this is not json");
        JsonNode e = c.await(m -> "error".equals(m.path("type").asText()));
        assertThat(e.path("code").asText()).isEqualTo("malformed_json");
        assertThat(e.get("requestId").isNull()).isTrue();
        c.sendRaw("[1,2]");
        await().atMost(Duration.ofSeconds(5)).until(() -> c.ofType("error").size() == 2);
        assertThat(c.ofType("error").get(1).path("code").asText()).isEqualTo("invalid_argument");
        assertThat(f.subscribe(c, huddle.get("slug").asText()).path("type").asText()).isEqualTo("snapshot");
        nothingChanged();
    }

    @Test
    @DisplayName("Protocol: an unknown message type gets error unknown_type naming the request")
    void unknownType() {
        annSocket.send("type", "dance", "requestId", 42);
        JsonNode e = annSocket.await(m -> m.path("requestId").asInt() == 42);
        assertThat(e.path("code").asText()).isEqualTo("unknown_type");
        annSocket.send("requestId", "no-type");
        assertThat(error(annSocket, "no-type").path("code").asText()).isEqualTo("invalid_argument");
        nothingChanged();
    }

    @Test
    @DisplayName("Limits: a frame over the maximum message size closes the socket with 1009; the sender's session lives on")
    void oversizedFrame() {
        annSocket.sendRaw("{\"type\":\"flags\",\"pad\":\"" + "x".repeat(20_000) + "\"}");
        assertThat(annSocket.awaitClose()).isEqualTo(1009);
        nothingChanged();
    }

    @Test
    @DisplayName("Limits: a message in fragments is read whole; fragments adding up to more than the maximum size close with 1009")
    void fragmentedMessages() {
        WsClient c = f.connect(eve);
        c.sendFragments("{\"type\":\"da", "nce\",\"requ", "estId\":7}");
        assertThat(c.await(m -> m.path("requestId").asInt() == 7).path("code").asText()).isEqualTo("unknown_type");
        String pad = "x".repeat(9_000); // each frame under the 16 KB limit, the message over it
        c.sendFragments("{\"type\":\"flags\",\"pad\":\"" + pad, pad + "\"}");
        assertThat(c.awaitClose()).isEqualTo(1009);
        nothingChanged();
    }

    @Test
    @DisplayName("H2: joining a huddle the user is not a member of gets not_a_member; an unknown huddle not_found")
    void joinNotAMember() {
        WsClient c = f.connect(eve);
        c.send("type", "join", "requestId", "j", "huddleId", room, "sessionId", "eve-tab");
        assertThat(error(c, "j").path("code").asText()).isEqualTo("not_a_member");
        c.send("type", "join", "requestId", "k", "huddleId", "no-such-huddle", "sessionId", "eve-tab");
        assertThat(error(c, "k").path("code").asText()).isEqualTo("not_found");
        nothingChanged();
    }

    @Test
    @DisplayName("T2: joining a live session with a forged (or no) session token gets invalid_session_token; the right one continues it")
    void forgedSessionToken() {
        WsClient c = f.connect(ann);
        c.send("type", "join", "requestId", "forged", "huddleId", room, "sessionId", "ann-tab", "sessionToken", "forged-token");
        assertThat(error(c, "forged").path("code").asText()).isEqualTo("invalid_session_token");
        c.send("type", "join", "requestId", "none", "huddleId", room, "sessionId", "ann-tab");
        assertThat(error(c, "none").path("code").asText()).isEqualTo("invalid_session_token");
        // Another user cannot take the session id either (P2).
        WsClient b = f.connect(bob);
        b.send("type", "join", "requestId", "steal", "huddleId", room, "sessionId", "ann-tab", "sessionToken", annToken);
        assertThat(error(b, "steal").path("code").asText()).isIn("invalid_session_token", "session_conflict");
        nothingChanged();
        JsonNode ok = f.join(c, room, "ann-tab", "sessionToken", annToken);
        assertThat(ok.path("sessionToken").asText()).isEqualTo(annToken);
        nothingChanged();
    }

    @Test
    @DisplayName("S1/H4: subscribing to an unknown room gets not_found; by id without sign-in unauthenticated; by slug anonymously works")
    void subscribeUnknownRoom() {
        WsClient c = f.connect(eve);
        c.send("type", "subscribe", "requestId", "s", "huddle", "no-such-room");
        assertThat(error(c, "s").path("code").asText()).isEqualTo("not_found");
        WsClient anon = f.connect(null);
        anon.send("type", "subscribe", "requestId", "byId", "huddle", room);
        assertThat(error(anon, "byId").path("code").asText()).isEqualTo("unauthenticated");
        anon.send("type", "join", "requestId", "j", "huddleId", room, "sessionId", "anon-tab");
        assertThat(error(anon, "j").path("code").asText()).isEqualTo("unauthenticated");
        JsonNode snap = f.subscribe(anon, huddle.get("slug").asText());
        assertThat(snap.path("type").asText()).isEqualTo("snapshot");
        assertThat(snap.path("room").asText()).isEqualTo(room);
        assertThat(snap.path("entries")).hasSize(1);
        nothingChanged();
    }

    @Test
    @DisplayName("Upgrade: a disallowed Origin is refused with 403; an allowed or absent one is accepted; a bad token gets 401")
    void disallowedOrigin() {
        assertThatThrownBy(() -> WsClient.connect(f.t.server.socketPort(), ann.token(), Map.of("Origin", "https://evil.example")))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
        f.track(WsClient.connect(f.t.server.socketPort(), ann.token(), Map.of("Origin", "https://app.example.com"))).close();
        assertThatThrownBy(() -> WsClient.connect(f.t.server.socketPort(), "not-a-token"))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(401));
        nothingChanged();
    }

    @Test
    @DisplayName("H5: an observer's flags get observer_cannot_set_flags; flags for a session not on this socket unknown_session")
    void observerFlags() {
        WsClient c = f.connect(eve);
        f.t.open(eve, room); // H3: opening registers Eve as an observer
        f.join(c, room, "eve-tab");
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.changes(room).size() == 1);
        seqBefore = f.t.server.presence().snapshot(room).seq();
        c.send("type", "flags", "requestId", "o", "huddleId", room, "sessionId", "eve-tab", "isSpeaking", true);
        assertThat(error(c, "o").path("code").asText()).isEqualTo("observer_cannot_set_flags");
        c.send("type", "flags", "requestId", "u", "huddleId", room, "sessionId", "ann-tab", "isSpeaking", true);
        assertThat(error(c, "u").path("code").asText()).isEqualTo("unknown_session");
        assertThat(f.t.server.presence().snapshot(room).seq()).isEqualTo(seqBefore);
    }

    @Test
    @DisplayName("Limits: sockets per user (429 at the upgrade) and rooms per socket (too_many_rooms)")
    void connectionAndRoomLimits() {
        // Ann holds one socket; the limit is 3.
        f.connect(ann);
        f.connect(ann);
        assertThatThrownBy(() -> WsClient.connect(f.t.server.socketPort(), ann.token()))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(429));
        String second = f.huddle(bob).get("id").asText();
        String third = f.huddle(bob).get("id").asText();
        // The watcher (Bob) already subscribes to one room; the limit is 2.
        assertThat(f.subscribe(watcher, second).path("type").asText()).isEqualTo("snapshot");
        watcher.send("type", "subscribe", "requestId", "third", "huddle", third);
        assertThat(error(watcher, "third").path("code").asText()).isEqualTo("too_many_rooms");
        nothingChanged();
    }

    @Test
    @DisplayName("Protocol: a binary frame closes the socket with 1003")
    void binaryFrame() {
        WsClient c = f.connect(eve);
        c.sendBinary(new byte[] {1, 2, 3});
        assertThat(c.awaitClose()).isEqualTo(1003);
        nothingChanged();
    }
}
