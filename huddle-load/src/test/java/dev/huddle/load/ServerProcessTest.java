package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fan-out scenario's reading of the server's {@code -Xlog:gc} log: pauses, and the heap after a collection. */
class ServerProcessTest {
    @Test
    @DisplayName("Stop-the-world collectors: every pause line counts, the last one's heap figure is the heap after")
    void serialLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, """
                [51.166s][info][gc] GC(15) Pause Young (Allocation Failure) 151M->55M(365M) 68.656ms
                [55.732s][info][gc] GC(16) Pause Young (Allocation Failure) 156M->55M(365M) 15.545ms
                [60.110s][info][gc] GC(17) Pause Full (Diagnostic Command) 156M->40M(365M) 91.201ms
                """);
        ServerProcess.Pauses p = new ServerProcess(0, log).pausesSince(0);
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.maxMs()).isEqualTo(91.201);
        assertThat(p.heapAfterMiB()).isEqualTo(40.0);
    }

    @Test
    @DisplayName("Shenandoah: its short pauses count; the heap after comes from the cycle's concurrent cleanup")
    void shenandoahLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, """
                [805.185s][info][gc] Trigger: Explicit GC request (Diagnostic Command)
                [805.187s][info][gc] GC(29) Pause Init Mark (unload classes) 0.034ms
                [805.307s][info][gc] GC(29) Pause Final Mark (unload classes) 0.119ms
                [805.317s][info][gc] GC(29) Concurrent cleanup 501M->101M(663M) 0.123ms
                [805.350s][info][gc] GC(29) Pause Final Roots 0.003ms
                [805.535s][info][gc] Concurrent uncommit 101M->101M(102M) 185.006ms
                """);
        ServerProcess.Pauses p = new ServerProcess(0, log).pausesSince(0);
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.maxMs()).isEqualTo(0.119);
        assertThat(p.heapAfterMiB()).isEqualTo(101.0);
    }
}
