package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** S2: a subscriber that comes back with the last seq it saw gets exactly what it missed, or a snapshot. */
class LiveResumeTest {
    private static final int LOG = 6;

    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    Guest cat;
    String room;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s.withChangeLogCapacity(LOG));
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        cat = f.guest("Cat");
        room = f.huddle(ann, bob, cat).get("id").asText();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    @DisplayName("S2: a subscriber away for a few changes gets exactly those changes on resume; its list equals the server's")
    void resumeReplaysExactlyTheMissedChanges() {
        WsClient bobSocket = f.connect(bob);
        f.join(bobSocket, room, "bob-tab");
        WsClient watcher = f.connect(ann);
        JsonNode snap = f.subscribe(watcher, room);
        Map<String, JsonNode> state = apply(new HashMap<>(), snap);
        String epoch = snap.path("epoch").asText();
        long seen = snap.path("seq").asLong();
        watcher.abort();

        WsClient catSocket = f.connect(cat);
        f.join(catSocket, room, "cat-tab");
        bobSocket.send("type", "flags", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.presence().snapshot(room).seq() == seen + 2);
        bobSocket.send("type", "leave", "requestId", "l", "huddleId", room, "sessionId", "bob-tab");
        bobSocket.reply("l");
        long now = f.t.server.presence().snapshot(room).seq();
        assertThat(now).isEqualTo(seen + 3);

        WsClient back = f.connect(ann);
        JsonNode resumed = f.subscribe(back, room, "resume", Map.of("epoch", epoch, "seq", seen));
        assertThat(resumed.path("type").asText()).isEqualTo("resumed");
        assertThat(resumed.path("seq").asLong()).isEqualTo(seen);
        await().atMost(Duration.ofSeconds(10)).until(() -> back.changes(room).size() == 3);
        List<JsonNode> missed = back.changes(room);
        LiveFixture.assertGapless(missed, seen);
        assertThat(LiveFixture.story(missed)).containsExactly("join " + cat.userId(), "update " + bob.userId(),
                "leave " + bob.userId());
        assertThat(back.ofType("snapshot")).isEmpty();
        missed.forEach(c -> apply(state, c));
        assertThat(view(state)).isEqualTo(view(f.serverList(ann, room)));
    }

    @Test
    @DisplayName("S2: a subscriber away past the change log gets a fresh snapshot on resume; its list equals the server's")
    void resumePastTheLogGetsASnapshot() {
        WsClient watcher = f.connect(ann);
        JsonNode snap = f.subscribe(watcher, room);
        String epoch = snap.path("epoch").asText();
        long seen = snap.path("seq").asLong();
        watcher.close();

        WsClient bobSocket = f.connect(bob);
        f.join(bobSocket, room, "bob-tab");
        for (int i = 0; i < LOG; i++) {
            bobSocket.send("type", "flags", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", i % 2 == 0);
            long expect = seen + 2 + i;
            await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.presence().snapshot(room).seq() == expect);
        }
        long now = f.t.server.presence().snapshot(room).seq();
        assertThat(now - seen).isGreaterThan(LOG);

        WsClient back = f.connect(ann);
        JsonNode reply = f.subscribe(back, room, "resume", Map.of("epoch", epoch, "seq", seen));
        assertThat(reply.path("type").asText()).isEqualTo("snapshot");
        assertThat(reply.path("seq").asLong()).isEqualTo(now);
        assertThat(view(apply(new HashMap<>(), reply))).isEqualTo(view(f.serverList(ann, room)));

        // An unknown epoch (e.g. after a server restart) also gets a snapshot, never a silent gap.
        JsonNode other = f.subscribe(f.connect(cat), room, "resume", Map.of("epoch", "not-this-one", "seq", now));
        assertThat(other.path("type").asText()).isEqualTo("snapshot");
    }

    private static Map<String, JsonNode> apply(Map<String, JsonNode> state, JsonNode msg) {
        if ("snapshot".equals(msg.path("type").asText())) {
            state.clear();
            msg.path("entries").forEach(e -> state.put(e.path("userId").asText(), e));
        } else {
            JsonNode e = msg.path("entry");
            if ("remove".equals(msg.path("kind").asText())) {
                state.remove(e.path("userId").asText());
            } else {
                state.put(e.path("userId").asText(), e);
            }
        }
        return state;
    }

    private static Map<String, JsonNode> view(Map<String, JsonNode> state) {
        return state;
    }

    private static Map<String, JsonNode> view(List<JsonNode> list) {
        Map<String, JsonNode> m = new HashMap<>();
        list.forEach(e -> m.put(e.path("userId").asText(), e));
        return m;
    }
}
