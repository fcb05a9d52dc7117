package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DependencyTest {

    @Test
    @DisplayName("nothing is skipped unless HUDDLE_TEST_SKIP lists it; commas and spaces separate, case does not matter")
    void skipListParses() {
        assertThat(Dependency.skipped(null)).isEmpty();
        assertThat(Dependency.skipped(" ")).isEmpty();
        assertThat(Dependency.skipped("postgres")).containsExactly("postgres");
        assertThat(Dependency.skipped("Redis, chromium")).containsExactly("redis", "chromium");
    }

    @Test
    @DisplayName("a name that is not a dependency fails loudly and lists the names, so a typo cannot skip nothing quietly")
    void typoFails() {
        assertThatThrownBy(() -> Dependency.skipped("postgress"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'postgress'").hasMessageContaining("chromium, postgres, redis");
    }

    @Test
    @DisplayName("the unreachable message names the dependency, where it was looked for, how to provide it and how to opt out")
    void unreachableMessage() {
        assertThat(Dependency.POSTGRES.unreachable("jdbc:postgresql://127.0.0.1:1/postgres", "Start it"))
                .contains("PostgreSQL is required", "jdbc:postgresql://127.0.0.1:1/postgres", "Start it",
                        "scripts/test.sh", "HUDDLE_TEST_SKIP=postgres");
    }
}
