package dev.huddle.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.presence.InvalidArgumentException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The engine's limits at their edges: the last allowed value passes, the first refused one is refused, with its reason. */
class ValidationTest {

    @Test
    @DisplayName("an id of 256 characters is allowed, of 257 refused, saying the limit and the length")
    void idLength() {
        assertThat(Validation.id("roomId", "r".repeat(256))).hasSize(256);
        assertThatThrownBy(() -> Validation.id("roomId", "r".repeat(257)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("roomId must be at most 256 characters, was 257");
    }

    @Test
    @DisplayName("a missing, blank or control-character id is refused, each with its own reason")
    void idContent() {
        assertThatThrownBy(() -> Validation.id("userId", null)).hasMessage("userId is required");
        assertThatThrownBy(() -> Validation.id("userId", " \t")).hasMessage("userId must not be blank");
        assertThatThrownBy(() -> Validation.id("userId", "ann\nlevel=ERROR")).hasMessage("userId must not contain control characters");
        assertThat(Validation.id("userId", "ann é 1")).isEqualTo("ann é 1");
    }

    @Test
    @DisplayName("a range includes both ends and refuses one past either, saying the range and the value")
    void rangeEnds() {
        assertThat(Validation.range("interval", 1_000, 1_000, 300_000)).isEqualTo(1_000);
        assertThat(Validation.range("interval", 300_000, 1_000, 300_000)).isEqualTo(300_000);
        assertThatThrownBy(() -> Validation.range("interval", 999, 1_000, 300_000))
                .hasMessage("interval must lie in 1000…300000, was 999");
        assertThatThrownBy(() -> Validation.range("interval", 300_001, 1_000, 300_000))
                .hasMessage("interval must lie in 1000…300000, was 300001");
    }

    @Test
    @DisplayName("data: 32 entries allowed, 33 refused; keys of 1 and 64 characters allowed, empty and 65 refused")
    void dataEntriesAndKeys() {
        Map<String, String> full = new HashMap<>();
        for (int i = 0; i < 32; i++) {
            full.put("k" + i, "v");
        }
        assertThat(Validation.data("sessionData", full)).hasSize(32);
        full.put("k32", "v");
        assertThatThrownBy(() -> Validation.data("sessionData", full)).hasMessage("sessionData must have at most 32 entries");

        assertThat(Validation.data("sessionData", Map.of("k", "v", "x".repeat(64), "v"))).hasSize(2);
        assertThatThrownBy(() -> Validation.data("sessionData", Map.of("", "v")))
                .hasMessage("sessionData keys must be 1…64 characters");
        assertThatThrownBy(() -> Validation.data("sessionData", Map.of("x".repeat(65), "v")))
                .hasMessage("sessionData keys must be 1…64 characters");
        assertThatThrownBy(() -> Validation.data("sessionData", null)).hasMessage("sessionData is required");
    }

    @Test
    @DisplayName("data: a value of 2048 characters is allowed, of 2049 or null refused; the result is an unmodifiable copy")
    void dataValues() {
        assertThat(Validation.data("patch", Map.of("name", "n".repeat(2048)))).containsEntry("name", "n".repeat(2048));
        assertThatThrownBy(() -> Validation.data("patch", Map.of("name", "n".repeat(2049))))
                .hasMessage("patch value of 'name' must be a string of at most 2048 characters");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("name", null);
        assertThatThrownBy(() -> Validation.data("patch", withNull))
                .hasMessage("patch value of 'name' must be a string of at most 2048 characters");

        Map<String, String> given = new HashMap<>(Map.of("a", "1"));
        Map<String, String> checked = Validation.data("patch", given);
        given.put("b", "2");
        assertThat(checked).containsOnlyKeys("a");
        assertThatThrownBy(() -> checked.put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    }
}
