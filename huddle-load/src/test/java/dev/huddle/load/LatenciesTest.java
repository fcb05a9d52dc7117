package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The load tool's latency series: the progress line's recent p99 and the report's sorted samples. */
class LatenciesTest {
    @Test
    @DisplayName("The progress line's p99 covers only the samples since the last line; the report keeps them all")
    void recentP99CoversOnlyTheLastInterval() {
        Latencies l = new Latencies();
        for (int i = 1; i <= 1_000; i++) {
            l.add(i, i * 100L);
        }
        assertThat(l.recentP99()).isBetween(98_900L, 99_100L);
        assertThat(l.recentP99()).as("nothing added since").isZero();
        for (int i = 1; i <= 100; i++) {
            l.add(2_000 + i, 7L);
        }
        l.add(2_200, -5); // a clock step backwards must not break the progress line
        assertThat(l.recentP99()).isEqualTo(7L);
        assertThat(l.sorted()).hasSize(1_101).startsWith(-5L).endsWith(100_000L);
        assertThat(Latencies.percentile(l.sorted(), 99)).as("the whole series").isEqualTo(98_900L);
    }
}
