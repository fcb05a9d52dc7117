package dev.huddle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonParseException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How one client reads server messages and shares room states between its sockets (no server needed). */
class HuddleClientParseTest {
    final HuddleClient client = HuddleClient.create(URI.create("http://localhost:1/"));

    @AfterEach
    void close() {
        client.close();
    }

    static String entry(String user) {
        return "{\"userId\":\"" + user + "\",\"online\":true,\"lastDisconnected\":0,\"data\":{\"displayName\":\"" + user
                + "\",\"avatarUrl\":null,\"role\":\"participant\",\"isSpeaking\":false,\"isRecording\":false}}";
    }

    static String snapshot(String requestId, String room, String epoch, long seq, String... users) {
        return "{\"type\":\"snapshot\"" + (requestId == null ? "" : ",\"requestId\":\"" + requestId + "\"") + ",\"room\":\"" + room
                + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + seq + ",\"entries\":[" + String.join(",",
                Arrays.stream(users).map(HuddleClientParseTest::entry).toList()) + "]}";
    }

    private RoomState read(String text) throws Exception {
        return client.parse(text).snapshot();
    }

    @Test
    @DisplayName("A client left open keeps no JVM alive: every thread it starts is a daemon, and close() stops them")
    void daemonThreadsOnly() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        HuddleClient another = HuddleClient.create(URI.create("http://localhost:1/"));
        List<Thread> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).toList();
        assertThat(started).isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).as(t.getName()).isTrue());
        another.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> started.stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("huddle-client")));
    }

    @Test
    @DisplayName("S1: a snapshot of a state the client holds is that state; another room, epoch or seq is read for itself")
    void snapshotsKeyedByRoomEpochSeq() throws Exception {
        RoomState first = read(snapshot("r1", "h1", "e1", 5, "a", "b"));
        assertThat(first.entries()).containsOnlyKeys("a", "b");
        assertThat(read(snapshot("r2", "h1", "e1", 5, "a", "b"))).isSameAs(first);
        assertThat(read(snapshot("r3", "h1", "e2", 5, "c")).entries()).containsOnlyKeys("c");
        assertThat(read(snapshot("r4", "h2", "e1", 5, "d")).entries()).containsOnlyKeys("d");
        assertThat(read(snapshot("r5", "h1", "e1", 6, "a")).entries()).containsOnlyKeys("a");
    }

    @Test
    @DisplayName("S4: a resync snapshot (no requestId) is always read in full, and then stands for its key")
    void resyncsReadInFull() throws Exception {
        read(snapshot("r1", "h1", "e1", 5, "a", "b"));
        RoomState resync = read(snapshot(null, "h1", "e1", 5, "x"));
        assertThat(resync.entries()).containsOnlyKeys("x");
        assertThat(read(snapshot("r2", "h1", "e1", 5, "a", "b"))).isSameAs(resync);
    }

    @Test
    @DisplayName("P11: the sockets of a client applying the same change share the resulting state; a gap is never shared")
    void changesShared() throws Exception {
        RoomState base = read(snapshot("r1", "h1", "e1", 5, "a"));
        HuddleClient.Message join = client.parse("{\"type\":\"change\",\"room\":\"h1\",\"seq\":6,\"kind\":\"join\",\"entry\":" + entry("b") + "}");
        RoomState one = client.advance("h1", base, join.changes().get(0));
        RoomState two = client.advance("h1", RoomState.empty().withSnapshot(base), join.changes().get(0));
        assertThat(one.entries()).containsOnlyKeys("a", "b");
        assertThat(two).isSameAs(one);
        HuddleClient.Message skip = client.parse("{\"type\":\"change\",\"room\":\"h1\",\"seq\":8,\"kind\":\"join\",\"entry\":" + entry("c") + "}");
        RoomState gapped = client.advance("h1", one, skip.changes().get(0));
        assertThat(gapped.gap()).isTrue();
        assertThat(read(snapshot("r2", "h1", "e1", 6, "z"))).as("the gap state was not stored").isSameAs(one);
    }

    @Test
    @DisplayName("A change or snapshot laid out differently (type not first) is still read as one")
    void otherLayouts() throws Exception {
        HuddleClient.Message change = client.parse("{\"room\":\"h1\",\"seq\":6,\"type\":\"change\",\"kind\":\"join\",\"entry\":" + entry("b") + "}");
        assertThat(change.type()).isEqualTo("change");
        assertThat(change.changes()).singleElement().satisfies(c -> assertThat(c.entry().userId()).isEqualTo("b"));
        HuddleClient.Message snap = client.parse("{\"seq\":3, \"type\":\"snapshot\", \"room\":\"h9\", \"epoch\":\"e\", \"entries\":[" + entry("q") + "]}");
        assertThat(snap.snapshot().seq()).isEqualTo(3);
        assertThat(snap.snapshot().entries()).containsOnlyKeys("q");
    }

    @Test
    @DisplayName("S1: an entry read in one snapshot is shared by the next that has the same bytes; a changed entry is read afresh")
    void entriesSharedByBytes() throws Exception {
        RoomState first = read(snapshot("r1", "h1", "e1", 5, "a", "b"));
        // The next snapshot arrives inside a larger buffer, at an offset, as a socket's read buffer holds it.
        String next = snapshot("r2", "h1", "e1", 6, "a", "b").replace(entry("b"), entry("b").replace("\"isSpeaking\":false", "\"isSpeaking\":true"));
        byte[] text = next.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[text.length + 40];
        System.arraycopy(text, 0, padded, 17, text.length);
        RoomState second = client.parse(ByteBuffer.wrap(padded, 17, text.length).slice()).snapshot();
        assertThat(second.seq()).isEqualTo(6);
        assertThat(second.entries().get("a")).isSameAs(first.entries().get("a"));
        assertThat(second.entries().get("b").speaking()).isTrue();
        assertThat(first.entries().get("b").speaking()).isFalse();
        assertThat(read(snapshot("r3", "h2", "e1", 1, "b")).entries().get("b")).isSameAs(first.entries().get("b"));
    }

    @Test
    @DisplayName("A snapshot whose entries are not an array of objects fails to parse and reaches no state")
    void malformedEntriesRefused() throws Exception {
        for (String entries : List.of("{\"a\":1}", "[1]", "[" + entry("a") + ",\"x\"]", "\"x\"")) {
            String text = "{\"type\":\"snapshot\",\"requestId\":\"r\",\"room\":\"h1\",\"epoch\":\"e1\",\"seq\":9,\"entries\":" + entries + "}";
            assertThatThrownBy(() -> client.parse(text)).as(entries).isInstanceOf(JsonParseException.class).hasMessageContaining("entries");
        }
        assertThat(read(snapshot("r", "h1", "e1", 9, "z")).entries()).as("nothing was reached at seq 9 before").containsOnlyKeys("z");
    }
}
