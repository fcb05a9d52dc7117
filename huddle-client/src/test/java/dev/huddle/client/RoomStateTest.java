package dev.huddle.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RoomStateTest {
    static Participant p(String id, String name, String role, boolean online, boolean speaking, boolean recording) {
        return new Participant(id, online, online ? 0 : 5, name, null, role, speaking, recording);
    }

    static Participant on(String id, String name) {
        return p(id, name, "participant", true, false, false);
    }

    @Test
    @DisplayName("H6: self first, hosts and participants before observers, name case-insensitively, then id; flags derived")
    void viewOrderAndFlags() {
        RoomState s = RoomState.empty().withSnapshot("e", 3, List.of(
                p("o", "aaron", "observer", true, false, false),
                p("b2", "bob", "participant", true, true, false),
                p("b1", "Bob", "participant", true, false, true),
                p("h", "Cy", "host", true, false, false),
                p("me", "Zed", "observer", true, true, true),
                p("gone", "Al", "participant", false, true, false)));
        View v = s.view("me");
        assertThat(v.participants()).extracting(Participant::userId).containsExactly("me", "b1", "b2", "h", "o");
        assertThat(v.speakingUserIds()).containsExactly("me", "b2");
        assertThat(v.recordingUserIds()).containsExactly("me", "b1");
    }

    @Test
    @DisplayName("S1: a snapshot built on another state of the room is exactly the snapshot, sharing what did not change")
    void snapshotBuiltOnAnotherState() {
        Participant al = on("a", "Al");
        Participant bo = on("b", "Bo");
        RoomState like = RoomState.of("e", 7, List.of(al, bo, on("c", "Cy"), p("d", "Di", "observer", false, false, false)));
        // b changed (now speaking), c is gone, d came online, e is new; a is the same instance as before.
        List<Participant> snapshot = List.of(al, p("b", "Bo", "participant", true, true, false), on("d", "Di"), on("e", "Ed"));
        RoomState built = RoomState.of("e", 9, snapshot, like);
        RoomState fresh = RoomState.of("e", 9, snapshot);
        assertThat(built.entries()).isEqualTo(fresh.entries()).containsOnlyKeys("a", "b", "d", "e");
        assertThat(built.onlineCount()).isEqualTo(fresh.onlineCount()).isEqualTo(4);
        assertThat(built.seq()).isEqualTo(9);
        assertThat(built.entries().get("a")).isSameAs(al);
        assertThat(built.entries().get("b").speaking()).isTrue();
        // Nothing to build on: the plain snapshot.
        assertThat(RoomState.of("e", 9, snapshot, null).entries()).isEqualTo(fresh.entries());
        assertThat(RoomState.of("e", 9, snapshot, RoomState.empty()).entries()).isEqualTo(fresh.entries());
        assertThat(RoomState.of("e", 9, List.of(), like).entries()).isEmpty();
        assertThat(RoomState.of("e", 9, List.of(), like).onlineCount()).isZero();
        // A user listed twice (the last one counts, as in of()) does not hide one the snapshot dropped.
        List<Participant> twice = List.of(al, on("c", "Cy"), p("c", "Cy", "participant", false, false, false));
        assertThat(RoomState.of("e", 9, twice, RoomState.of("e", 7, List.of(al, bo))).entries())
                .isEqualTo(RoomState.of("e", 9, twice).entries()).containsOnlyKeys("a", "c");
    }

    @Test
    @DisplayName("S1: changes before the snapshot are buffered and applied after it; older ones dropped")
    void buffering() {
        RoomState s = RoomState.empty()
                .withChange(new RoomState.Change(5, "join", on("c", "Cy")))
                .withChange(new RoomState.Change(4, "join", on("b", "Bo")));
        assertThat(s.synced()).isFalse();
        s = s.withSnapshot("e", 4, List.of(on("a", "Al"), on("b", "Bo")));
        assertThat(s.seq()).isEqualTo(5);
        assertThat(s.entries()).containsOnlyKeys("a", "b", "c");
    }

    @Test
    @DisplayName("P11, S2: repeats are ignored; a skipped seq marks a gap and nothing more applies until resync")
    void repeatsAndGaps() {
        RoomState s = RoomState.empty().withSnapshot("e", 1, List.of(on("a", "Al")));
        RoomState joined = s.withChange(new RoomState.Change(2, "join", on("b", "Bo")));
        assertThat(joined.withChange(new RoomState.Change(2, "join", on("b", "Bo")))).isSameAs(joined);
        RoomState gapped = joined.withChange(new RoomState.Change(4, "join", on("c", "Cy")));
        assertThat(gapped.gap()).isTrue();
        assertThat(gapped.entries()).doesNotContainKey("c");
        assertThat(gapped.resuming().withChange(new RoomState.Change(3, "leave", p("a", "Al", "participant", false, false, false)))
                .entries().get("a").online()).isFalse();
        assertThat(joined.withChange(new RoomState.Change(3, "remove", on("a", "Al"))).entries()).doesNotContainKey("a");
    }

    @Test
    @DisplayName("joins and leaves: none for the first snapshot; a resync snapshot reports who came and went")
    void joinsAndLeaves() {
        RoomState first = RoomState.empty().withSnapshot("e", 1, List.of(on("a", "Al")));
        assertThat(first.joinedSince(RoomState.empty())).isEmpty();
        RoomState later = first.withSnapshot("e", 9, List.of(p("a", "Al", "participant", false, false, false), on("b", "Bo")));
        assertThat(later.joinedSince(first)).extracting(Participant::userId).containsExactly("b");
        assertThat(later.leftSince(first)).extracting(Participant::userId).containsExactly("a");
        RoomState flip = first.withChange(new RoomState.Change(2, "update", p("a", "Al", "participant", true, true, false)));
        assertThat(flip.joinedSince(first)).isEmpty();
        assertThat(flip.leftSince(first)).isEmpty();
    }

    @Test
    @DisplayName("H6: the online count follows snapshots and changes, equal to the view's size without building it")
    void onlineCount() {
        RoomState s = RoomState.empty().withChange(new RoomState.Change(3, "join", on("c", "Cy")));
        assertThat(s.onlineCount()).as("nothing shown before the snapshot").isZero();
        s = s.withSnapshot("e", 2, List.of(on("a", "Al"), on("b", "Bo"), p("d", "Di", "participant", false, false, false)));
        assertThat(s.onlineCount()).as("snapshot, then the buffered join").isEqualTo(3);
        List<RoomState.Change> changes = List.of(
                new RoomState.Change(4, "update", p("a", "Al", "participant", true, true, false)),
                new RoomState.Change(5, "leave", p("b", "Bo", "participant", false, false, false)),
                new RoomState.Change(6, "join", on("d", "Di")),
                new RoomState.Change(7, "remove", p("b", "Bo", "participant", false, false, false)),
                new RoomState.Change(8, "remove", on("c", "Cy")),
                new RoomState.Change(10, "join", on("x", "Ex")));
        int[] expected = {3, 2, 3, 3, 2, 2};
        for (int i = 0; i < changes.size(); i++) {
            s = s.withChange(changes.get(i));
            assertThat(s.onlineCount()).as("after %s", changes.get(i)).isEqualTo(expected[i]).isEqualTo(s.view("a").participants().size());
        }
        assertThat(s.gap()).as("the last one skipped seq 9").isTrue();
    }

    @Test
    @DisplayName("S1: a shared snapshot state takes the buffered changes after it, and stays as it was for others")
    void sharedSnapshotState() {
        RoomState shared = RoomState.of("e", 4, List.of(on("a", "Al"), on("b", "Bo")));
        RoomState waiting = RoomState.empty().withChange(new RoomState.Change(5, "join", on("c", "Cy")))
                .withChange(new RoomState.Change(3, "leave", p("a", "Al", "participant", false, false, false)));
        RoomState mine = waiting.withSnapshot(shared);
        assertThat(mine.seq()).isEqualTo(5);
        assertThat(mine.entries()).containsOnlyKeys("a", "b", "c");
        assertThat(mine.entries().get("a").online()).as("the change before the snapshot is dropped").isTrue();
        assertThat(shared.seq()).isEqualTo(4);
        assertThat(shared.entries()).containsOnlyKeys("a", "b");
        assertThat(RoomState.empty().withSnapshot(shared)).isSameAs(shared);
    }
}
