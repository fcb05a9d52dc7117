package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S1: a snapshot renders only the entries that changed since the room's last snapshot and copies the
 * rest, yet is always exactly the room as of its seq.
 */
class SnapshotEntriesTest {
    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    String room;
    LiveHub hub;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s);
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        room = f.huddle(ann, bob).get("id").asText();
        hub = f.t.server.live();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void present(int from, int to, boolean speaking) {
        for (int i = from; i < to; i++) {
            f.t.server.presence().heartbeat(room, "user-" + i, "tab-" + i, 10_000,
                    Map.of("displayName", "User " + i, "isSpeaking", String.valueOf(speaking)));
        }
    }

    private static List<String> users(JsonNode snapshot) {
        List<String> out = new ArrayList<>();
        snapshot.path("entries").forEach(e -> out.add(e.path("userId").asText()));
        return out;
    }

    @Test
    @DisplayName("S1: the second snapshot renders only the two new entries, copies the 16 others, and is the room now")
    void rendersOnlyWhatChanged() {
        present(0, 16, false);
        JsonNode first = f.subscribe(f.connect(ann), room);
        assertThat(first.path("entries").size()).isEqualTo(16);
        assertThat(hub.snapshotEntriesRendered()).isEqualTo(16);
        present(16, 18, false);

        JsonNode second = f.subscribe(f.connect(bob), room);
        assertThat(second.path("seq").asLong()).isEqualTo(first.path("seq").asLong() + 2);
        assertThat(users(second)).hasSize(18).containsAll(users(first))
                .isEqualTo(f.serverList(ann, room).stream().map(e -> e.path("userId").asText()).toList());
        assertThat(hub.snapshotEntriesRendered()).isEqualTo(18);
        assertThat(hub.snapshotEntriesReused()).isEqualTo(16);
    }

    @Test
    @DisplayName("S1: an entry whose data changed is rendered again, never copied stale")
    void changedEntryRenderedAgain() {
        present(0, 10, false);
        f.subscribe(f.connect(ann), room);
        present(3, 4, true); // user-3 starts speaking
        JsonNode second = f.subscribe(f.connect(bob), room);
        for (JsonNode e : second.path("entries")) {
            assertThat(e.path("data").path("isSpeaking").asBoolean()).as(e.toString())
                    .isEqualTo("user-3".equals(e.path("userId").asText()));
        }
        assertThat(hub.snapshotEntriesRendered()).isEqualTo(11);
        assertThat(hub.snapshotEntriesReused()).isEqualTo(9);
    }

    @Test
    @DisplayName("S1: a snapshot made of copied entries is byte for byte the one a fresh rendering gives")
    void sameBytes() {
        present(0, 12, false);
        f.subscribe(f.connect(ann), room);
        present(12, 13, false); // a later seq: a new snapshot, not the first one's bytes (X1)
        JsonNode again = f.subscribe(f.connect(bob), room); // every earlier entry copied
        assertThat(hub.snapshotEntriesReused()).isEqualTo(12);
        List<String> fresh = new ArrayList<>();
        f.t.server.presence().snapshot(room).entries().forEach(e -> fresh.add(Frames.entry(e)));
        List<String> sent = new ArrayList<>();
        again.path("entries").forEach(e -> sent.add(e.toString()));
        assertThat(sent).isEqualTo(fresh);
    }

    @Test
    @DisplayName("X1: a subscriber given the room's snapshot from just before the latest shares its body, rendered once, not again")
    void snapshotBeforeTheLatestShared() {
        present(0, 5, false);
        f.subscribe(f.connect(ann), room);
        RoomSnapshot older = f.t.server.presence().snapshot(room);
        var olderBody = hub.snapshotBody(older);
        present(5, 6, false);
        RoomSnapshot newer = f.t.server.presence().snapshot(room);
        assertThat(hub.snapshotBody(newer)).isNotSameAs(olderBody);
        long rendered = hub.snapshotEntriesRendered();
        long reused = hub.snapshotEntriesReused();
        long shared = hub.snapshotsShared();

        assertThat(hub.snapshotBody(older)).isSameAs(olderBody);
        assertThat(hub.snapshotsShared()).isEqualTo(shared + 1);
        assertThat(hub.snapshotEntriesRendered() + hub.snapshotEntriesReused()).as("no entry rendered or copied")
                .isEqualTo(rendered + reused);
    }
}
