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
    @DisplayName("H6: self first, participants before observers, name case-insensitively, then id; flags derived")
    void viewOrderAndFlags() {
        RoomState s = RoomState.empty().withSnapshot("e", 3, List.of(
                p("o", "aaron", "observer", true, false, false),
                p("b2", "bob", "participant", true, true, false),
                p("b1", "Bob", "participant", true, false, true),
                p("me", "Zed", "observer", true, true, true),
                p("gone", "Al", "participant", false, true, false)));
        View v = s.view("me");
        assertThat(v.participants()).extracting(Participant::userId).containsExactly("me", "b1", "b2", "o");
        assertThat(v.speakingUserIds()).containsExactly("me", "b2");
        assertThat(v.recordingUserIds()).containsExactly("me", "b1");
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
}
