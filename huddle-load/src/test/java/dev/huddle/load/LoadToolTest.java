package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Entry;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A short run of the load tool against a real server: every change a room emitted while measuring
 * reached every subscriber of that room, and the report's counts add up. Toggles average 400 ms
 * apart, well under the server's 10 flag messages per session per second (more are refused as
 * rate_limited, which the tool counts as errors).
 */
@Timeout(120)
class LoadToolTest {
    @TempDir
    Path dir;

    @Test
    void aShortRunDeliversEveryChangeToEverySubscriberAndTheCountsAddUp() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutPerAddressLimits(), TimeSource.system()).start()) {
            LoadTool tool = new LoadTool();
            Path json = dir.resolve("report.json");
            Path html = dir.resolve("report.html");
            new CommandLine(tool).parseArgs("--server", "http://localhost:" + server.port() + "/", "--users", "12",
                    "--rooms", "2", "--speakers-per-room", "2", "--toggle-mean-ms", "400", "--duration-s", "4",
                    "--settle-s", "10", "--server-pid", String.valueOf(ProcessHandle.current().pid()), "--quiet",
                    "--report-json", json.toString(), "--report-html", html.toString());
            Report r = tool.run();
            Files.writeString(json, LoadTool.json(r));
            Files.writeString(html, HtmlReport.render(r));

            assertThat(r.sessionsConnected()).isEqualTo(12);
            assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
            assertThat(r.resyncs()).isZero();
            assertThat(r.togglesSent()).isGreaterThan(10);
            assertEveryChangeCountedOnce(server, r);
            assertThat(r.latencySamples()).isEqualTo(r.updatesMatched()).isPositive();
            assertThat(r.p50Ms()).isPositive().isLessThanOrEqualTo(r.p90Ms());
            assertThat(r.p90Ms()).isLessThanOrEqualTo(r.p99Ms());
            assertThat(r.p99Ms()).isLessThanOrEqualTo(r.maxMs());
            assertThat(r.histogram().stream().mapToLong(b -> b[1]).sum()).isEqualTo(r.latencySamples());
            // Every client's final list is the server's own list of its room.
            assertThat(r.consistency().roomsComparedWithServer()).isEqualTo(2);
            assertThat(r.consistency().clientsChecked()).isEqualTo(12);
            assertThat(r.consistency().clientsExact()).isEqualTo(12);
            assertThat(r.crash()).isNull();
            assertThat(r.joins().samples()).as("joins are measured in a burst or a churn only").isZero();
            assertThat(r.serverResyncs()).isZero();
            assertThat(r.serverCpuSeconds()).isPositive();
            assertThat(r.serverPeakRssMiB()).isPositive();
            assertThat(Files.readString(json)).contains("\"p99Ms\"");
            assertThat(Files.readString(html)).contains("<svg").contains("Latency histogram");
        }
    }

    @Test
    void aWarmUpTogglesUnmeasuredAndUncountedBeforeTheRun() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutPerAddressLimits(), TimeSource.system()).start()) {
            LoadTool tool = new LoadTool();
            new CommandLine(tool).parseArgs("--server", "http://localhost:" + server.port() + "/", "--users", "12",
                    "--rooms", "2", "--speakers-per-room", "2", "--toggle-mean-ms", "300", "--warmup-s", "2",
                    "--duration-s", "2", "--settle-s", "10", "--quiet");
            Report r = tool.run();

            assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
            assertThat(r.consistency().clientsExact()).isEqualTo(12);
            assertThat(r.togglesSent()).isPositive();
            // The warm-up's changes happened (each room is past its 6 joins when counting starts) and are not counted.
            assertThat(r.connections()).allSatisfy(c -> assertThat(c.firstSeq()).isGreaterThan(6));
            assertEveryChangeCountedOnce(server, r);
            assertThat(r.latencySamples()).isEqualTo(r.updatesMatched()).isPositive();
        }
    }

    /**
     * Two entries in --server (here the same server twice, so the rooms converge without a cluster): each
     * room's users alternate between them, so of the 6 receipts of a toggle (the speaker's own included) 3
     * are on the other entry, and about that half of the toggle latencies is reported apart as crossing
     * nodes (not exactly: a receipt is matched only while it shows the speaker's latest toggle, and a
     * speaker toggling again may get there before some of its earlier update's receipts). The run holds its sockets
     * idle, nobody toggling, until the --idle-until-file appears.
     */
    @Test
    void eachRoomSpansEveryServerAndTogglesWaitForTheIdleFile() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutPerAddressLimits(), TimeSource.system()).start()) {
            String url = "http://localhost:" + server.port() + "/";
            Path go = dir.resolve("go");
            LoadTool tool = new LoadTool();
            new CommandLine(tool).parseArgs("--server", url + "," + url, "--users", "12", "--rooms", "2",
                    "--speakers-per-room", "2", "--toggle-mean-ms", "300", "--idle-until-file", go.toString(),
                    "--duration-s", "3", "--settle-s", "10", "--quiet");
            Future<Report> run = Executors.newSingleThreadExecutor().submit(tool::run);
            // Every socket open, and the run holds them idle: without the file it never reaches its toggles.
            ServerApi api = new ServerApi();
            await().atMost(Duration.ofSeconds(30)).until(() -> api.metric(List.of(URI.create(url)), "huddle_ws_sockets") == 12);
            assertThat(run).isNotDone();
            Files.createFile(go);
            Report r = run.get(60, TimeUnit.SECONDS);

            assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
            assertThat(r.consistency().clientsExact()).isEqualTo(12);
            assertThat(r.latencySamples()).isPositive();
            assertThat(r.acrossNodes().samples()).isBetween(r.latencySamples() * 2 / 5, r.latencySamples() * 3 / 5);
            assertThat(r.acrossNodes().p99Ms()).isPositive().isLessThanOrEqualTo(r.maxMs());
        }
    }

    /**
     * With --open-when-file every user signs in and becomes a member first, and no socket opens until the
     * file appears (scripts/idle-members.sh measures the server in between); then the run goes on.
     */
    @Test
    void socketsWaitForTheOpenFileAfterEveryUserSignedIn() throws Exception {
        Path data = dir.resolve("data");
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(data, 0).withoutPerAddressLimits(), TimeSource.system()).start()) {
            String url = "http://localhost:" + server.port() + "/";
            Path open = dir.resolve("open");
            LoadTool tool = new LoadTool();
            new CommandLine(tool).parseArgs("--server", url, "--users", "12", "--rooms", "2", "--speakers-per-room", "1",
                    "--toggle-mean-ms", "300", "--open-when-file", open.toString(), "--duration-s", "2", "--settle-s", "10", "--quiet");
            Future<Report> run = Executors.newSingleThreadExecutor().submit(tool::run);
            await().atMost(Duration.ofSeconds(30)).until(() -> participants(data) == 12);
            ServerApi api = new ServerApi();
            assertThat(api.metric(List.of(URI.create(url)), "huddle_ws_sockets")).isZero();
            assertThat(run).isNotDone();
            Files.createFile(open);
            Report r = run.get(60, TimeUnit.SECONDS);

            assertThat(r.sessionsConnected()).isEqualTo(12);
            assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
            assertThat(r.consistency().clientsExact()).isEqualTo(12);
        }
    }

    /** With --ws-url the sockets connect there (here a relay to the same server), the HTTP calls still to --server. */
    @Test
    void socketsGoToTheWsUrlOnePerServer() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutPerAddressLimits(), TimeSource.system()).start();
                TcpRelay relay = new TcpRelay(server.port())) {
            String url = "http://localhost:" + server.port() + "/";
            LoadTool tool = new LoadTool();
            new CommandLine(tool).parseArgs("--server", url, "--ws-url", "ws://127.0.0.1:" + relay.port() + "/ws", "--users", "4",
                    "--rooms", "1", "--speakers-per-room", "1", "--toggle-mean-ms", "300", "--duration-s", "1", "--settle-s", "10", "--quiet");
            Report r = tool.run();

            assertThat(r.sessionsConnected()).isEqualTo(4);
            assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
            assertThat(relay.accepted).hasValue(4);
        }
        // One socket URL per server, or none: two servers with one --ws-url is refused before anything runs.
        LoadTool two = new LoadTool();
        new CommandLine(two).parseArgs("--server", "http://localhost:1/,http://localhost:2/", "--ws-url", "ws://localhost:3/ws");
        assertThatThrownBy(two::run).isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--ws-url per --server");
    }

    /** Members of the server's huddles with the participant role (every simulated user, not the rooms' owner). */
    private static long participants(Path data) throws SQLException {
        try (Connection db = DriverManager.getConnection(ServerConfig.sqliteUrl(data));
                ResultSet rs = db.createStatement().executeQuery("SELECT COUNT(*) FROM memberships WHERE role = 'participant'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Test
    void aNegativeWarmUpOrNoClientIsRefusedBeforeAnythingRunsAndAWarmUpWithABurstAccepted() {
        for (String[] bad : new String[][] {{"--warmup-s", "-1"}, {"--warmup-s", "-1", "--join-window-s", "10"}}) {
            LoadTool tool = new LoadTool();
            List<String> args = new ArrayList<>(List.of("--server", "http://localhost:1/", "--users", "4"));
            args.addAll(List.of(bad));
            new CommandLine(tool).parseArgs(args.toArray(String[]::new));
            assertThatThrownBy(tool::run).as(String.join(" ", bad)).isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageContaining("warmup-s");
        }
        // No client at all would measure nothing: refused, not quietly taken as one.
        LoadTool none = new LoadTool();
        new CommandLine(none).parseArgs("--server", "http://localhost:1/", "--users", "4", "--clients", "0");
        assertThatThrownBy(none::run).isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("clients >= 1");
        // A warm-up with a join burst is a burst of its own: accepted, so the run fails only at reaching the server.
        LoadTool burst = new LoadTool();
        new CommandLine(burst).parseArgs("--server", "http://localhost:1/", "--users", "4", "--warmup-s", "5", "--join-window-s", "10");
        assertThatThrownBy(burst::run).isNotInstanceOf(CommandLine.ParameterException.class);
    }

    /**
     * Every subscriber applied exactly the changes its room emitted while counting: none lost, none counted twice.
     * The report is taken before the tool's users say goodbye (one leave each, 6 per room); the goodbyes are sent
     * as the run ends, so this waits until the server has applied them all.
     */
    private static void assertEveryChangeCountedOnce(HuddleServer server, Report r) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> r.connections().forEach(c ->
                assertThat(server.presence().snapshot(c.room()).entries()).noneMatch(Entry::online)));
        long sum = 0;
        for (Report.Connection c : r.connections()) {
            long roomSeq = server.presence().snapshot(c.room()).seq() - 6;
            assertThat(c.finalSeq()).as("connection ends at the room's last change").isEqualTo(roomSeq);
            assertThat(c.changesApplied()).as("every change since it started counting").isEqualTo(roomSeq - c.firstSeq());
            sum += c.changesApplied();
        }
        assertThat(r.changesDelivered()).isEqualTo(sum);
    }
}
