package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The supervised child's JVM options (X3), as the supervisor builds them from its own. */
class SupervisorTest {
    @Test
    @DisplayName("the child gets the parent's options less a debugger and JMX, exits on OOM, and samples counters once a second")
    void childOptions() {
        List<String> child = Supervisor.childOptions(List.of("-Xmx1g", "-agentlib:jdwp=transport=dt_socket,server=y",
                "-Dcom.sun.management.jmxremote.port=9010", "-Dfoo=bar"));

        assertThat(child).containsExactly("-Xmx1g", "-Dfoo=bar", "-XX:PerfDataSamplingInterval=1000",
                "-XX:+ExitOnOutOfMemoryError", "-D" + Supervisor.CHILD + "=true");
    }

    @Test
    @DisplayName("an operator's own sampling interval is kept")
    void operatorsSamplingInterval() {
        assertThat(Supervisor.childOptions(List.of("-XX:PerfDataSamplingInterval=50")))
                .containsExactly("-XX:PerfDataSamplingInterval=50", "-XX:+ExitOnOutOfMemoryError", "-D" + Supervisor.CHILD + "=true");
    }
}
