package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProcStatsTest {
    @Test
    @DisplayName("on-CPU seconds by the scheduler's clock grow at least by what a busy thread of the process spent meanwhile")
    void onCpuSecondsCountAThreadsWork() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long pid = ProcessHandle.current().pid();
        double before = ProcStats.onCpuSeconds(pid);
        long threadBefore = threads.getCurrentThreadCpuTime();
        long sum = 0;
        while (threads.getCurrentThreadCpuTime() - threadBefore < 200_000_000L) {
            for (int i = 0; i < 100_000; i++) {
                sum += i ^ sum;
            }
        }
        double spent = (threads.getCurrentThreadCpuTime() - threadBefore) / 1e9;
        double after = ProcStats.onCpuSeconds(pid);
        assertThat(before).isPositive();
        assertThat(after - before).as("this thread alone spent %.3f s (sum %d)", spent, sum).isGreaterThanOrEqualTo(spent * 0.95);
    }

    @Test
    @DisplayName("a process that does not exist reads as -1, not as an idle one")
    void missingProcessIsUnreadable() {
        assertThat(ProcStats.onCpuSeconds(Integer.MAX_VALUE)).isEqualTo(-1);
    }
}
