package dev.huddle.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("H5, P12: HuddleDataMerger")
class HuddleDataMergerTest {
    final HuddleDataMerger merger = new HuddleDataMerger();

    @Test
    @DisplayName("flags are true while any live session says so")
    void anySession() {
        Map<String, String> m = merger.merge(Map.of(), List.of(
                Map.of("displayName", "Ann", "role", "participant", "isSpeaking", "true", "isRecording", "false"),
                Map.of("displayName", "Ann", "role", "participant", "isSpeaking", "false", "isRecording", "true")));
        assertThat(m).containsEntry("isSpeaking", "true").containsEntry("isRecording", "true");
    }

    @Test
    @DisplayName("profile keys come from the newest session, else the user's data; other keys are dropped")
    void newestWins() {
        Map<String, String> m = merger.merge(Map.of("displayName", "Old", "role", "participant"), List.of(
                Map.of("displayName", "Ann", "evil", "x"),
                Map.of("displayName", "Ann B", "avatarUrl", "https://a.example/x.png")));
        assertThat(m).containsEntry("displayName", "Ann B").containsEntry("avatarUrl", "https://a.example/x.png")
                .containsEntry("role", "participant").doesNotContainKey("evil");
        Map<String, String> offline = merger.merge(Map.of("displayName", "Ann", "role", "observer"), List.of());
        assertThat(offline).containsEntry("displayName", "Ann").containsEntry("isSpeaking", "false")
                .containsEntry("isRecording", "false");
    }

    @Test
    @DisplayName("an observer's flags are always false")
    void observerFlagsFalse() {
        Map<String, String> m = merger.merge(Map.of(), List.of(
                Map.of("role", "participant", "isSpeaking", "true"), Map.of("role", "observer")));
        assertThat(m).containsEntry("role", "observer").containsEntry("isSpeaking", "false");
    }

    @Test
    @DisplayName("H9: the role comes from the user's room data first, so a host's demotion overrides every session's role and hides their flags")
    void roomRoleWins() {
        Map<String, String> m = merger.merge(Map.of("displayName", "Bob", "role", "observer"), List.of(
                Map.of("role", "participant", "isSpeaking", "true", "isRecording", "true")));
        assertThat(m).containsEntry("role", "observer").containsEntry("isSpeaking", "false").containsEntry("isRecording", "false");
        Map<String, String> promoted = merger.merge(Map.of("role", "host"), List.of(Map.of("role", "observer", "isSpeaking", "true")));
        assertThat(promoted).containsEntry("role", "host").containsEntry("isSpeaking", "true");
    }
}
