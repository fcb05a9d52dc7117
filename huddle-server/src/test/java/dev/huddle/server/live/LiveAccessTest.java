package dev.huddle.server.live;

import static dev.huddle.server.support.LiveFixture.story;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LiveFixture;
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

/**
 * H9 on open sockets: a host's role change and removal take effect at once on the sockets already open,
 * through the room's change stream — the demoted user's flags clear in the same change and their next
 * {@code flags} is refused; the removed user's sessions end, everyone sees the entry go, and their
 * socket is told {@code removed_from_huddle} (and unsubscribed where the huddle is not public).
 */
class LiveAccessTest {
    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    String room;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s);
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        room = f.huddle(ann, bob).get("id").asText();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static boolean change(JsonNode m, String kind, String userId) {
        return "change".equals(m.path("type").asText()) && kind.equals(m.path("kind").asText())
                && userId.equals(m.path("entry").path("userId").asText());
    }

    private Api.Response setRole(Guest by, Guest who, String role) {
        return f.t.api.put("/api/huddles/" + room + "/members/" + who.userId(), by.token(), Map.of("role", role));
    }

    @Test
    @DisplayName("H9: demoting a speaker clears their flags in that one update, with the new role; their socket's next flags gets observer_cannot_set_flags; a promotion brings no stale flag back")
    void demotionClearsFlags() {
        WsClient a = f.connect(ann);
        WsClient b = f.connect(bob);
        f.subscribe(a, room);
        f.join(b, room, "bob-tab", "flags", Map.of("isSpeaking", true, "isRecording", true));
        a.await(m -> change(m, "join", bob.userId()) && m.path("entry").path("data").path("isSpeaking").asBoolean());

        assertThat(setRole(ann, bob, "observer").status()).isEqualTo(200);
        JsonNode update = a.await(m -> change(m, "update", bob.userId()));
        assertThat(update.path("entry").path("data").path("role").asText()).isEqualTo("observer");
        assertThat(update.path("entry").path("data").path("isSpeaking").asBoolean()).as("cleared in the same change").isFalse();
        assertThat(update.path("entry").path("data").path("isRecording").asBoolean()).isFalse();

        b.send("type", "flags", "requestId", "talk", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", true);
        JsonNode refused = b.reply("talk");
        assertThat(refused.path("code").asText()).isEqualTo("observer_cannot_set_flags");
        Api.Response http = f.t.api.post("/api/presence/flags", bob.token(),
                Map.of("roomId", room, "sessionId", "bob-tab", "isSpeaking", true));
        assertThat(http.errorCode()).as("over HTTP too").isEqualTo("observer_cannot_set_flags");

        int before = a.changes(room).size();
        assertThat(setRole(ann, bob, "participant").status()).isEqualTo(200);
        JsonNode promoted = a.await(m -> change(m, "update", bob.userId())
                && "participant".equals(m.path("entry").path("data").path("role").asText()));
        assertThat(promoted.path("entry").path("data").path("isSpeaking").asBoolean()).as("no stale flag").isFalse();
        b.send("type", "flags", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", true);
        a.await(m -> change(m, "update", bob.userId()) && m.path("entry").path("data").path("isSpeaking").asBoolean());
        assertThat(a.changes(room).size()).isGreaterThan(before);
    }

    @Test
    @DisplayName("H9: removal ends every session of the user in the room at once; the room sees the remove; their sockets get removed_from_huddle and, the huddle being private, unsubscribed; their flags and rejoin are refused")
    void removalEndsSessions() {
        assertThat(f.t.api.patch("/api/huddles/" + room, ann.token(), Map.of("publicViewing", false)).status()).isEqualTo(200);
        WsClient a = f.connect(ann);
        WsClient b1 = f.connect(bob);
        WsClient b2 = f.connect(bob);
        f.subscribe(a, room);
        f.subscribe(b1, room);
        f.join(b1, room, "bob-tab-1");
        f.join(b2, room, "bob-tab-2");
        a.await(m -> change(m, "join", bob.userId()));

        Api.Response r = f.t.api.delete("/api/huddles/" + room + "/members/" + bob.userId(), ann.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        a.await(m -> change(m, "remove", bob.userId()));
        for (WsClient b : List.of(b1, b2)) {
            JsonNode err = b.await(m -> "error".equals(m.path("type").asText())
                    && "removed_from_huddle".equals(m.path("code").asText()));
            assertThat(err.path("huddleId").asText()).isEqualTo(room);
        }
        b1.await(m -> "unsubscribed".equals(m.path("type").asText()) && room.equals(m.path("room").asText()));
        assertThat(f.serverList(ann, room)).extracting(e -> e.path("userId").asText()).doesNotContain(bob.userId());

        b2.send("type", "flags", "requestId", "talk", "huddleId", room, "sessionId", "bob-tab-2", "isSpeaking", true);
        assertThat(b2.reply("talk").path("code").asText()).isEqualTo("unknown_session");
        b2.send("type", "join", "requestId", "back", "huddleId", room, "sessionId", "bob-tab-3", "interval", 10_000);
        assertThat(b2.reply("back").path("code").asText()).as("private: no existence oracle").isEqualTo("not_found");
        b1.send("type", "subscribe", "requestId", "watch", "huddle", room);
        assertThat(b1.reply("watch").path("code").asText()).isEqualTo("not_found");
        Api.Response beat = f.t.heartbeat(bob, room, "bob-tab-4");
        assertThat(beat.status()).isEqualTo(404);

        int seen = b1.changes(room).size();
        f.join(a, room, "ann-tab");
        a.await(m -> change(m, "join", ann.userId()));
        assertThat(b1.changes(room)).as("no more changes after unsubscribed").hasSize(seen);
        assertThat(story(a.changes(room))).containsSubsequence("join " + bob.userId(), "remove " + bob.userId());
    }

    @Test
    @DisplayName("H9: removed from a public huddle, the user's sessions end but they may still watch it; leaving by oneself is no removal")
    void removalFromPublicHuddleKeepsWatching() {
        Guest cat = f.guest("Cat");
        assertThat(f.t.api.post("/api/huddles/" + room + "/join", cat.token(), Map.of("role", "participant")).status()).isEqualTo(200);
        WsClient b = f.connect(bob);
        WsClient c = f.connect(cat);
        f.subscribe(b, room);
        f.join(b, room, "bob-tab");
        f.join(c, room, "cat-tab");
        assertThat(f.t.api.delete("/api/huddles/" + room + "/members/" + bob.userId(), ann.token()).status()).isEqualTo(200);
        b.await(m -> "removed_from_huddle".equals(m.path("code").asText()));
        b.await(m -> change(m, "remove", bob.userId()));

        assertThat(f.t.api.post("/api/huddles/" + room + "/leave", cat.token(), Map.of()).status()).isEqualTo(200);
        b.await(m -> change(m, "remove", cat.userId()));
        assertThat(b.ofType("unsubscribed")).as("still watching a public huddle").isEmpty();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> c.ofType("error").stream().noneMatch(m -> "removed_from_huddle".equals(m.path("code").asText())));
    }

    @Test
    @DisplayName("H4 over WebSocket: without public viewing a stranger's or an anonymous subscribe gets not_found, by id and by slug, like a huddle that does not exist; a member's works")
    void privateHuddleHiddenOnSockets() {
        String slug = f.t.read(ann, room).json().get("slug").asText();
        assertThat(f.t.api.patch("/api/huddles/" + room, ann.token(), Map.of("publicViewing", false)).status()).isEqualTo(200);
        Guest cat = f.guest("Cat");
        WsClient stranger = f.connect(cat);
        WsClient anonymous = f.connect(null);
        for (String huddle : List.of(room, slug)) {
            assertThat(f.subscribe(stranger, huddle).path("code").asText()).as(huddle).isEqualTo("not_found");
        }
        assertThat(f.subscribe(anonymous, slug).path("code").asText()).isEqualTo("not_found");
        assertThat(f.subscribe(anonymous, "no-such-huddle-aaaaaa").path("code").asText()).isEqualTo("not_found");
        stranger.send("type", "join", "requestId", "j", "huddleId", room, "sessionId", "cat-tab", "interval", 10_000);
        assertThat(stranger.reply("j").path("code").asText()).isEqualTo("not_found");
        assertThat(f.subscribe(f.connect(bob), slug).path("type").asText()).isEqualTo("snapshot");
    }
}
