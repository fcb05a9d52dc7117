package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.LiveSettings;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A small run of the fan-out scenario against a real in-process server whose rooms send each change
 * alone (batch window 0), checking what the benchmark relies on: every event reaches every observer,
 * and the server's count of change frames fanned out equals what the members' sockets received:
 * one frame per member per change.
 */
@Timeout(60)
class FanoutToolTest {
    @TempDir
    static Path dir;
    static HuddleServer server;

    @BeforeAll
    static void start() {
        server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutGuestSignInLimits()
                .withLive(LiveSettings.DEFAULTS.withRoomBatchMs(0)), TimeSource.system()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyEventReachesEveryObserverAndEachMemberGetsOneFramePerChange() throws Exception {
        int n = 12;
        int toggles = 5;
        FanoutTool tool = new FanoutTool();
        new CommandLine(tool).parseArgs("--server", "http://localhost:" + server.port() + "/", "--members", String.valueOf(n),
                "--observers", "4", "--toggles", String.valueOf(toggles), "--idle-s", "0", "--quiet");
        FanoutReport r = tool.run();

        assertThat(r.errors()).isZero();
        assertThat(r.phases()).extracting(FanoutReport.Phase::name).containsExactly("join", "toggle", "leave");
        assertThat(r.phases()).extracting(FanoutReport.Phase::seenByAll).containsExactly(n, toggles, n);
        // Every member is subscribed from the start: the k-th join and each later change reach all n sockets.
        assertThat(r.phases()).extracting(FanoutReport.Phase::frames).containsExactly((long) n * n, (long) toggles * n, (long) n * n);
        for (FanoutReport.Phase p : r.phases()) {
            assertThat(p.framesReceived()).as(p.name()).isEqualTo(p.frames());
            assertThat(p.p99Ms()).as(p.name()).isPositive();
        }
        assertThat(r.text()).contains("phase join", "phase toggle", "phase leave", "idle 0 s");
    }

    @Test
    void refusesMoreObserversThanMembers() {
        FanoutTool tool = new FanoutTool();
        new CommandLine(tool).parseArgs("--members", "3", "--observers", "4");
        org.assertj.core.api.Assertions.assertThatThrownBy(tool::run).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("members >= observers");
    }

    /** With --ws-url the sockets connect there (here a relay to the same server), the HTTP calls still to --server. */
    @Test
    void socketsGoToTheWsUrl() throws Exception {
        try (TcpRelay relay = new TcpRelay(server.port())) {
            FanoutTool tool = new FanoutTool();
            new CommandLine(tool).parseArgs("--server", "http://localhost:" + server.port() + "/",
                    "--ws-url", "ws://127.0.0.1:" + relay.port() + "/ws", "--members", "4", "--observers", "2",
                    "--toggles", "2", "--idle-s", "0", "--quiet");
            FanoutReport r = tool.run();

            assertThat(r.errors()).isZero();
            assertThat(r.phases()).extracting(FanoutReport.Phase::seenByAll).containsExactly(4, 2, 4);
            assertThat(relay.accepted).hasValue(4);
        }
    }
}
