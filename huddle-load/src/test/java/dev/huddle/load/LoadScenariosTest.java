package dev.huddle.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Entry;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Short, small runs of the load tool's scenario modes against one real in-process server, checking
 * what a user would notice: after a join burst everyone sees the whole room; after churn every list
 * is the server's; after a crash every killed user is shown offline within the bound. Each test
 * works in huddles of its own.
 */
@Timeout(60)
class LoadScenariosTest {
    @TempDir
    static Path dir;
    static HuddleServer server;

    @BeforeAll
    static void start() {
        server = new HuddleServer(ServerConfig.forDataDir(dir.resolve("data"), 0).withoutPerAddressLimits(), TimeSource.system()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void joinBurstEndsWithEveryClientShowingTheWholeRoomAndMeasuresEveryJoinSeen() throws Exception {
        int n = 30;
        Report r = run("--users", String.valueOf(n), "--rooms", "1", "--speakers-per-room", "0", "--join-window-s", "2",
                "--duration-s", "0");

        assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
        assertThat(r.sessionsConnected()).isEqualTo(n);
        assertThat(r.joinWindowMs()).isEqualTo(2000);
        Report.Consistency c = r.consistency();
        assertThat(c.clientsChecked()).isEqualTo(n);
        assertThat(c.clientsExact()).as("every client lists exactly the %d users", n).isEqualTo(n);
        assertThat(c.roomsComparedWithServer()).isEqualTo(1);
        // A join reaches the clients already subscribed when it happens (the others find it in their snapshot).
        // A client subscribes before it joins, so two that connect close together may each see the other join:
        // at most one sample per ordered pair of users. Every join seen is matched to its send.
        assertThat(r.joins().samples()).isEqualTo(r.joinsObserved()).isLessThanOrEqualTo((long) n * (n - 1));
        // Sockets open 66 ms apart, so most clients subscribe well before most later joins.
        assertThat(r.joins().samples()).isGreaterThanOrEqualTo((long) n * (n - 1) / 4);
        assertOrdered(r.joins());
        assertThat(r.joins().perSecond()).as("the joins spread over the window").hasSizeGreaterThanOrEqualTo(2);
        assertThat(r.leaves().samples()).isZero();
        awaitNobodyOnline(r);
    }

    @Test
    void aWarmUpBurstFillsItsOwnHuddleUnmeasuredAndLeavesItBeforeTheMeasuredBurst() throws Exception {
        int n = 16;
        Report r = run("--users", String.valueOf(n), "--rooms", "1", "--speakers-per-room", "0", "--join-window-s", "1",
                "--warmup-s", "1", "--duration-s", "0");

        assertThat(r.errors()).as("errors %s (a warm-up that does not converge is one)", r.errorCodes()).isZero();
        Report.Consistency c = r.consistency();
        assertThat(c.clientsExact()).isEqualTo(c.clientsChecked()).isEqualTo(n);
        // Only the measured burst is measured: at most one sample per ordered pair of users, not two.
        assertThat(r.joins().samples()).isEqualTo(r.joinsObserved()).isPositive().isLessThanOrEqualTo((long) n * (n - 1));
        // Every user also has an entry in the warm-up huddle, where each said goodbye before the measured burst.
        String room = r.connections().get(0).room();
        List<Entry> measuredRoom = server.presence().listRoom(room, false, n + 1);
        assertThat(measuredRoom).hasSize(n);
        for (Entry measured : measuredRoom) {
            List<Entry> elsewhere = server.presence().listUser(measured.userId(), false, 10).stream()
                    .filter(e -> !e.roomId().equals(room)).toList();
            assertThat(elsewhere).as(measured.userId()).hasSize(1).noneMatch(Entry::online);
        }
        awaitNobodyOnline(r);
    }

    @Test
    void churnEndsWithEveryClientsListEqualToTheServersAndMeasuresJoinsAndLeaves() throws Exception {
        int n = 24;
        Report r = run("--users", String.valueOf(n), "--rooms", "2", "--speakers-per-room", "1", "--toggle-mean-ms", "400",
                "--churn-per-second", "8", "--churn-away-ms", "300", "--duration-s", "4");

        assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
        assertThat(r.churnLeaves()).as("8 a second for 4 s").isGreaterThanOrEqualTo(20);
        assertThat(r.churnJoins()).isPositive().isLessThanOrEqualTo(r.churnLeaves());
        Report.Consistency c = r.consistency();
        assertThat(c.roomsComparedWithServer()).as("both rooms' lists come from the server").isEqualTo(2);
        // Users still away when the run ended have no client: the rest are checked, and all match the server.
        assertThat(c.clientsChecked()).isEqualTo(n - (int) (r.churnLeaves() - r.churnJoins()));
        assertThat(c.clientsExact()).isEqualTo(c.clientsChecked());
        assertThat(List.of(c.ghosts(), c.missing(), c.duplicates(), c.serverGhosts(), c.serverMissing())).containsOnly(0L);
        // Every leave and every return was seen by the room's other clients, and matched to what was sent.
        assertThat(r.leaves().samples()).isEqualTo(r.leavesObserved()).isPositive();
        assertThat(r.joins().samples()).isEqualTo(r.joinsObserved()).isPositive();
        assertOrdered(r.leaves());
        assertOrdered(r.joins());
        assertThat(r.togglesSent()).as("the speakers kept toggling through the churn").isPositive();
        awaitNobodyOnline(r);
    }

    @Test
    void crashedClientsAreShownOfflineByEveryObserverWithinTheirDeadline() throws Exception {
        // Interval 1 s: a session lives 2.5 s after its last frame, so the bound is 3 s after the kill.
        Report r = run("--users", "12", "--rooms", "2", "--speakers-per-room", "0", "--interval-ms", "1000",
                "--duration-s", "0", "--crash-clients", "6");

        assertThat(r.errors()).as("errors %s", r.errorCodes()).isZero();
        Report.Crash k = r.crash();
        assertThat(k.killed()).isEqualTo(6);
        assertThat(k.observers()).isEqualTo(6);
        assertThat(k.seenOfflineByAll()).as("every killed user seen offline by every observer").isEqualTo(6);
        assertThat(k.boundMs()).isEqualTo(3000);
        assertThat(k.overBound()).isZero();
        assertThat(k.overDeadline()).isZero();
        assertThat(k.killToOffline().samples()).isEqualTo(6);
        assertThat(k.killToOffline().maxMs()).isLessThanOrEqualTo(3000);
        assertThat(k.deadlineToOffline().maxMs()).isLessThanOrEqualTo(500);
        assertOrdered(k.killToOffline());
        // The killed clients did not come back: the observers' lists (and the server's) hold the 6 observers alone.
        Report.Consistency c = r.consistency();
        assertThat(c.clientsChecked()).isEqualTo(6);
        assertThat(c.clientsExact()).isEqualTo(6);
        assertThat(c.roomsComparedWithServer()).isEqualTo(2);
        awaitNobodyOnline(r);
    }

    private static Report run(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--server", "http://localhost:" + server.port() + "/", "--settle-s", "10",
                "--server-pid", String.valueOf(ProcessHandle.current().pid()), "--quiet"));
        all.addAll(List.of(args));
        LoadTool tool = new LoadTool();
        new CommandLine(tool).parseArgs(all.toArray(String[]::new));
        Report r = tool.run();
        // The JSON and HTML forms render every section.
        assertThat(LoadTool.json(r)).contains("\"consistency\"").contains("\"joins\"");
        assertThat(HtmlReport.render(r)).contains("final lists: clients exact");
        return r;
    }

    private static void assertOrdered(Report.Latency l) {
        assertThat(l.samples()).isPositive();
        assertThat(l.p50Ms()).isLessThanOrEqualTo(l.p90Ms());
        assertThat(l.p90Ms()).isLessThanOrEqualTo(l.p99Ms());
        assertThat(l.p99Ms()).isLessThanOrEqualTo(l.maxMs());
        assertThat(l.histogram().stream().mapToLong(b -> b[1]).sum()).isEqualTo(l.samples());
        assertThat(l.perSecond().stream().mapToLong(s -> s[1]).sum()).isEqualTo(l.samples());
    }

    /** After the tool's goodbyes (and its churn leaves and kills) nobody stays online: no ghost on the server. */
    private static void awaitNobodyOnline(Report r) {
        List<String> rooms = r.connections().stream().map(Report.Connection::room).distinct().toList();
        assertThat(rooms).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> rooms.forEach(room ->
                assertThat(server.presence().snapshot(room).entries()).noneMatch(Entry::online)));
    }
}
