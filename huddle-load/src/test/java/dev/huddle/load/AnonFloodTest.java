package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The anon-flood scenario, small, against a real server: it floods, every probe is answered, and it reports its figures. */
@Timeout(120)
class AnonFloodTest {
    @TempDir
    Path dir;

    @Test
    void aSmallFloodIsMeasuredAndTheServerAnswersEveryProbe() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutPerAddressLimits(),
                TimeSource.system()).start()) {
            PrintStream stdout = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                exit = new CommandLine(new AnonFlood()).execute("--server", "http://localhost:" + server.port() + "/",
                        "--sockets", "30", "--members", "8", "--subscribes-per-socket", "4", "--duration-s", "2");
            } finally {
                System.setOut(stdout);
            }
            String report = out.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(report).isZero();
            assertThat(report).contains("anon-flood: 30 sockets (0 refused at the upgrade").contains("room of 8 members")
                    .containsPattern("/health: [1-9]\\d* probes").contains("0 failed").contains("join (membership + first heartbeat)");
            assertThat(server.live().snapshotsShared()).as("the flood's snapshots were shared").isPositive();
        }
    }
}
