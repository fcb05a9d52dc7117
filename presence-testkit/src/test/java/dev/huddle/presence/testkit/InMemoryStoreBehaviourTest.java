package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.RecentRoom;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.store.InMemoryPresenceStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InMemoryStoreBehaviourTest extends PresenceStoreBehaviourSuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return new InMemoryPresenceStore(merger, changeLogCapacity);
    }

    @Test
    @DisplayName("S1: the snapshot kept between changes is made again after each kind of change")
    void s1_keptSnapshotFollowsEveryChange() {
        var alice = presence.heartbeat("r", "alice", "a", INTERVAL);
        assertCurrent(1, "alice");
        assertThat(presence.snapshot("r")).isSameAs(presence.snapshot("r"));

        presence.heartbeat("r", "bob", "b", INTERVAL);
        assertCurrent(2, "alice", "bob");
        presence.updateSession("r", "bob", "b", Map.of("speaking", "true"));
        assertCurrent(3, "alice", "bob");
        assertThat(presence.snapshot("r").entries().get(1).data()).containsEntry("speaking", "true");
        presence.updateRoomUser("r", "alice", Map.of("name", "Alice"));
        assertCurrent(4, "alice", "bob");
        assertThat(presence.snapshot("r").entries().get(0).data()).containsEntry("name", "Alice");
        presence.disconnect(alice.sessionToken());
        assertCurrent(5, "bob", "alice");
        assertThat(presence.snapshot("r").entries().get(1).online()).isFalse();
        presence.removeRoomUser("r", "alice");
        assertCurrent(6, "bob");
        clock.advance(TTL);
        presence.expireDue();
        assertCurrent(7, "bob");
        assertThat(presence.snapshot("r").entries().get(0).online()).isFalse();
        presence.removeRoom("r");
        assertCurrent(8);
    }

    @Test
    @DisplayName("S1, S2: recent() hands out the last snapshot made and the changes since, which together are the room; past 8 changes it makes a new one")
    void recentIsTheLastSnapshotAndTheChangesSince() {
        assertThat(presence.recent("r")).as("no snapshot made yet").isEmpty();
        presence.heartbeat("r", "alice", "a", INTERVAL);
        RoomSnapshot made = presence.snapshot("r");
        assertThat(presence.recent("r")).hasValueSatisfying(r -> {
            assertThat(r.snapshot()).isSameAs(made);
            assertThat(r.since()).isEmpty();
        });

        presence.heartbeat("r", "bob", "b", INTERVAL);
        presence.updateSession("r", "alice", "a", Map.of("speaking", "true"));
        presence.heartbeat("r", "carol", "c", INTERVAL);
        RecentRoom recent = presence.recent("r").orElseThrow();
        assertThat(recent.snapshot()).as("not made again for three changes").isSameAs(made);
        assertThat(recent.since().stream().map(Change::seq)).containsExactly(2L, 3L, 4L);
        assertThat(applied(recent)).isEqualTo(byUser(presence.listRoom("r", false, 100)));

        for (int i = 0; i < 9; i++) {
            presence.updateSession("r", "bob", "b", Map.of("n", Integer.toString(i)));
        }
        RecentRoom remade = presence.recent("r").orElseThrow();
        assertThat(remade.since()).as("twelve behind: made again").isEmpty();
        assertThat(remade.snapshot().seq()).isEqualTo(13);
        assertThat(remade.snapshot().entries()).isEqualTo(presence.listRoom("r", false, 100));

        for (int i = 0; i < 70; i++) {
            presence.updateSession("r", "bob", "b", Map.of("n", "again " + i));
        }
        assertThat(presence.recent("r")).as("more changes since than the room keeps at hand: take a snapshot").isEmpty();
        assertThat(presence.snapshot("r").seq()).isEqualTo(83);
    }

    /** The snapshot's entries with the changes since applied, by user. */
    private static Map<String, Entry> applied(RecentRoom r) {
        Map<String, Entry> out = byUser(r.snapshot().entries());
        for (Change c : r.since()) {
            if (c.kind() == ChangeKind.REMOVE) {
                out.remove(c.entry().userId());
            } else {
                out.put(c.entry().userId(), c.entry());
            }
        }
        return out;
    }

    private static Map<String, Entry> byUser(List<Entry> entries) {
        Map<String, Entry> out = new TreeMap<>();
        entries.forEach(e -> out.put(e.userId(), e));
        return out;
    }

    private void assertCurrent(long seq, String... users) {
        RoomSnapshot snap = presence.snapshot("r");
        assertThat(snap.seq()).isEqualTo(seq);
        assertThat(snap.entries().stream().map(Entry::userId)).containsExactly(users);
        assertThat(snap.entries()).isEqualTo(presence.listRoom("r", false, 100));
        assertThat(snap.entries()).isEqualTo(List.copyOf(snap.entries()));
    }
}
