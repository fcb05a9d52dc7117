package dev.huddle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonParseException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
        // Not an array, not objects, a stray value, cut off inside an entry and inside the array.
        for (String entries : List.of("{\"a\":1}", "[1]", "[" + entry("a") + ",\"x\"]", "\"x\"", "[" + entry("a") + " " + entry("b") + "]",
                "[" + entry("a").substring(0, 20), "[" + entry("a") + ",")) {
            String text = "{\"type\":\"snapshot\",\"requestId\":\"r\",\"room\":\"h1\",\"epoch\":\"e1\",\"seq\":9,\"entries\":" + entries;
            assertThatThrownBy(() -> client.parse(text + "}")).as(entries).isInstanceOf(JsonParseException.class).hasMessageContaining("snapshot");
        }
        // Laid out otherwise (the room after the entries), so read as a tree: refused alike.
        assertThatThrownBy(() -> client.parse("{\"type\":\"snapshot\",\"entries\":[1,\"x\"],\"room\":\"h1\",\"epoch\":\"e1\",\"seq\":9}"))
                .isInstanceOf(JsonParseException.class).hasMessageContaining("entries must be objects");
        assertThat(read(snapshot("r", "h1", "e1", 9, "z")).entries()).as("nothing was reached at seq 9 before").containsOnlyKeys("z");
    }

    @Test
    @DisplayName("S1: snapshots read one after another on what came before are each exactly their list, whatever changed between them")
    void snapshotsReadOnTheLastAreExact() throws Exception {
        Random random = new Random(7);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            pool.add("u" + i + (i % 7 == 0 ? " {\\\"}[" : "")); // some names with brackets, quotes and escapes in them
        }
        for (int round = 0; round < 400; round++) {
            List<String> users = new ArrayList<>(pool.subList(0, random.nextInt(pool.size() + 1)));
            if (random.nextInt(4) == 0) {
                Collections.shuffle(users, random);
            }
            List<Participant> expected = new ArrayList<>();
            StringBuilder entries = new StringBuilder();
            for (String u : users) {
                boolean online = random.nextInt(5) > 0;
                boolean speaking = random.nextInt(8) == 0;
                String e = entry(u).replace("\"online\":true", "\"online\":" + online).replace("\"isSpeaking\":false", "\"isSpeaking\":" + speaking);
                entries.append(entries.isEmpty() ? "" : random.nextInt(6) == 0 ? " ,\n" : ",").append(e);
                String name = u.replace("\\\"", "\""); // as JSON has it: the escaped quote read as a quote
                expected.add(new Participant(name, online, 0, name, null, "participant", speaking, false));
            }
            String text = "{\"type\":\"snapshot\",\"requestId\":\"r" + round + "\",\"room\":\"h1\",\"epoch\":\"e1\",\"seq\":" + (round + 1)
                    + ",\"entries\":[" + entries + "]" + (random.nextInt(10) == 0 ? ",\"later\":1}" : " }");
            RoomState read = read(text);
            assertThat(read.entries().values()).as("round %d", round).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(read.onlineCount()).as("round %d", round).isEqualTo((int) expected.stream().filter(Participant::online).count());
            assertThat(read.seq()).isEqualTo(round + 1);
        }
    }

    @Test
    @DisplayName("S1: the entries a snapshot shares with the room's last one are the same participants, not read again")
    void unchangedEntriesShared() throws Exception {
        RoomState first = read(snapshot("r1", "h1", "e1", 5, "a", "b", "c"));
        RoomState second = read(snapshot("r2", "h1", "e1", 7, "a", "c", "d"));
        assertThat(second.entries()).containsOnlyKeys("a", "c", "d");
        assertThat(second.entries().get("a")).isSameAs(first.entries().get("a"));
        assertThat(second.entries().get("c")).isSameAs(first.entries().get("c"));
        RoomState other = read(snapshot("r3", "h1", "e2", 7, "a"));
        assertThat(other.entries()).as("another epoch").containsOnlyKeys("a");
        RoomState twice = read("{\"type\":\"snapshot\",\"requestId\":\"r4\",\"room\":\"h1\",\"epoch\":\"e1\",\"seq\":9,\"entries\":["
                + entry("a") + "," + entry("a") + "]}");
        assertThat(twice.entries()).as("a user listed twice").containsOnlyKeys("a");
        assertThat(read(snapshot("r5", "h1", "e1", 10, "a", "b")).entries()).containsOnlyKeys("a", "b");
    }
}
