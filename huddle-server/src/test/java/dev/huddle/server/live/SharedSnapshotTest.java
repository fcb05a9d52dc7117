package dev.huddle.server.live;

import static dev.huddle.server.support.LiveFixture.assertGapless;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S1 with a shared snapshot: a new subscriber of a big room gets the room's last rendered snapshot and
 * the changes since, instead of a fresh one, when those changes are few (an eighth of the room, at
 * most 128). Whatever it gets, it must end up with exactly the room.
 */
class SharedSnapshotTest {
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

    private void present(int from, int to) {
        for (int i = from; i < to; i++) {
            f.t.server.presence().heartbeat(room, "user-" + i, "tab-" + i, 10_000, Map.of("displayName", "User " + i));
        }
    }

    /** The users a subscriber shows online: its snapshot, then the changes after it, applied in order. */
    private static Set<String> online(JsonNode snapshot, List<JsonNode> changes) {
        Set<String> on = new TreeSet<>();
        snapshot.path("entries").forEach(e -> {
            if (e.path("online").asBoolean()) {
                on.add(e.path("userId").asText());
            }
        });
        for (JsonNode c : changes) {
            String user = c.path("entry").path("userId").asText();
            if (c.path("entry").path("online").asBoolean() && !"remove".equals(c.path("kind").asText())) {
                on.add(user);
            } else {
                on.remove(user);
            }
        }
        return on;
    }

    @Test
    @DisplayName("S1: the second subscriber of a 16-user room gets the first one's snapshot plus the two changes since, and the same room")
    void sharedWithTheChangesSince() {
        present(0, 16);
        WsClient a = f.connect(ann);
        JsonNode first = f.subscribe(a, room);
        assertThat(first.path("entries").size()).isEqualTo(16);
        present(16, 18); // two more come: 2 ≤ 16 / 8

        WsClient b = f.connect(bob);
        JsonNode second = f.subscribe(b, room);
        assertThat(second.path("seq").asLong()).as("the shared snapshot, not a fresh one").isEqualTo(first.path("seq").asLong());
        assertThat(second.path("entries")).isEqualTo(first.path("entries"));
        await().atMost(Duration.ofSeconds(10)).until(() -> b.changes(room).size() >= 2);
        List<JsonNode> since = b.changes(room);
        assertGapless(since, second.path("seq").asLong());
        assertThat(online(second, since)).hasSize(18).isEqualTo(online(first, a.changes(room)));
        assertThat(hub.snapshotsRendered()).isEqualTo(1);
        assertThat(hub.snapshotsShared()).isEqualTo(1);
    }

    @Test
    @DisplayName("S1: more changes since than an eighth of the room make a fresh snapshot, which the next subscriber then shares")
    void freshWhenTooManyChanged() {
        present(0, 16);
        WsClient a = f.connect(ann);
        long firstSeq = f.subscribe(a, room).path("seq").asLong();
        present(16, 19); // three more: 3 > 16 / 8

        WsClient b = f.connect(bob);
        JsonNode second = f.subscribe(b, room);
        assertThat(second.path("seq").asLong()).isEqualTo(firstSeq + 3);
        assertThat(second.path("entries").size()).isEqualTo(19);
        assertThat(hub.snapshotsRendered()).isEqualTo(2);

        WsClient c = f.connect(ann);
        JsonNode third = f.subscribe(c, room);
        assertThat(third.path("seq").asLong()).isEqualTo(second.path("seq").asLong());
        assertThat(hub.snapshotsShared()).isEqualTo(1);
    }

    @Test
    @DisplayName("S1: a small room is never served an old snapshot: with fewer than 8 entries any change means a fresh one")
    void smallRoomsAlwaysFresh() {
        present(0, 3);
        WsClient a = f.connect(ann);
        long firstSeq = f.subscribe(a, room).path("seq").asLong();
        present(3, 4);
        WsClient b = f.connect(bob);
        JsonNode second = f.subscribe(b, room);
        assertThat(second.path("seq").asLong()).isEqualTo(firstSeq + 1);
        assertThat(second.path("entries").size()).isEqualTo(4);
        assertThat(hub.snapshotsShared()).isZero();
    }

    @Test
    @DisplayName("S1, cluster recovery: after the store lost its data the shared snapshot is forgotten")
    void forgottenWhenTheStoreLostData() {
        present(0, 16);
        WsClient a = f.connect(ann);
        f.subscribe(a, room);
        hub.storeLostData();
        JsonNode resync = a.await(m -> "snapshot".equals(m.path("type").asText()) && m.path("requestId").isMissingNode());
        assertThat(resync.path("entries").size()).isEqualTo(16);
        assertThat(hub.snapshotsRendered()).as("the resync read a fresh one, though nothing changed").isEqualTo(2);
        assertThat(hub.snapshotsShared()).isZero();
    }
}
