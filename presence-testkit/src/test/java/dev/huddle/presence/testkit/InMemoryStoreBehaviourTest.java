package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.store.InMemoryPresenceStore;
import java.util.List;
import java.util.Map;
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

    private void assertCurrent(long seq, String... users) {
        RoomSnapshot snap = presence.snapshot("r");
        assertThat(snap.seq()).isEqualTo(seq);
        assertThat(snap.entries().stream().map(Entry::userId)).containsExactly(users);
        assertThat(snap.entries()).isEqualTo(presence.listRoom("r", false, 100));
        assertThat(snap.entries()).isEqualTo(List.copyOf(snap.entries()));
    }
}
