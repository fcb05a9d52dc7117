package dev.huddle.load;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The load tool's command line: every option with its default and help. {@link #problem()} says what is
 * wrong with a combination before anything runs.
 */
final class LoadOptions {
    @Option(names = "--server", split = ",", defaultValue = "http://localhost:8080/",
            description = "Server URL(s); with several (comma-separated, nodes of one cluster) each room's users are spread round-robin over them.")
    List<URI> servers;
    @Option(names = "--ws-url", split = ",",
            description = "The sockets' URL(s), one per --server, e.g. ws://localhost:8081/ws (a server's second listener for /ws, "
                    + "--ws-port); default: each server's own /ws.")
    List<URI> wsUrls = List.of();
    @Option(names = "--users", defaultValue = "100", description = "Simulated users, one session each.")
    int users;
    @Option(names = "--rooms", defaultValue = "1", description = "Rooms; users are spread round-robin.")
    int rooms;
    @Option(names = "--interval-ms", defaultValue = "10000", description = "Session interval (P1): a session lives 2.5 × this after its last frame.")
    long intervalMs;
    @Option(names = "--speakers-per-room", defaultValue = "3", description = "Users per room who toggle speaking.")
    int speakersPerRoom;
    @Option(names = "--toggle-mean-ms", defaultValue = "1500", description = "Mean gap between one speaker's toggles.")
    long toggleMeanMs;
    @Option(names = "--join-window-s", defaultValue = "0",
            description = "Join burst: sign every user in first, then open their sockets evenly spread over this many seconds, "
                    + "measuring join propagation from the first one. 0: connect as fast as --connect-parallelism allows, unmeasured.")
    double joinWindowS;
    @Option(names = "--churn-per-second", defaultValue = "0",
            description = "Churn: this many times a second, a random online non-speaker says goodbye (leave, no grace) "
                    + "and comes back as a new session after --churn-away-ms on average.")
    double churnPerSecond;
    @Option(names = "--churn-away-ms", defaultValue = "2000",
            description = "Mean time (exponential) a churned user stays away before joining again; users still away when the run ends stay away.")
    long churnAwayMs;
    @Option(names = "--crash-clients", defaultValue = "0",
            description = "Crash: after the run, cut this many clients' sockets without a goodbye (they never reconnect), spread over the rooms "
                    + "with at least one client left in each, and measure until every remaining client of the room shows each one offline.")
    int crashClients;
    @Option(names = "--duration-s", defaultValue = "30", description = "How long to toggle (and churn).")
    long durationS;
    @Option(names = "--idle-until-file",
            description = "After connecting, before any warm-up or toggling: hold every socket open with nobody toggling (pings "
                    + "and pongs only) until this file exists, so a script can measure what idle sockets cost and start several "
                    + "load processes' toggling together; a progress line marks the start of the wait.")
    Path idleUntilFile;
    @Option(names = "--open-when-file",
            description = "Sign every user in and make each a member first, then wait until this file exists before opening "
                    + "any socket (over --join-window-s, or all at once), so a script can measure the server with the users "
                    + "and without their sockets (scripts/idle-members.sh); a progress line marks the start of the wait.")
    Path openWhenFile;
    @Option(names = "--warmup-s", defaultValue = "0",
            description = "Before the measured run: toggle for this long, unmeasured and uncounted, wait for every client to "
                    + "converge, and collect the tool's own garbage. With --join-window-s, a warm-up burst instead: every user "
                    + "also joins a warm-up huddle, opens a socket to it spread over this many seconds, waits for the full list, "
                    + "and says goodbye; the measured burst then fills its own, empty huddle. Both JVMs then start the measured "
                    + "window compiled and with their set-up objects out of the young generation, as after a JMH warm-up.")
    long warmupS;
    @Option(names = "--settle-s", defaultValue = "10", description = "Longest wait for every client to converge afterwards.")
    long settleS;
    @Option(names = "--connect-parallelism", defaultValue = "8", description = "Sign-ins and connects in flight at once.")
    int parallelism;
    @Option(names = "--server-pid", split = ",",
            description = "PID(s) of local server processes, for CPU seconds (summed) and peak RSS (summed over nodes).")
    List<Long> serverPids = List.of();
    @Option(names = "--report-json", description = "Write the report as JSON here.")
    Path reportJson;
    @Option(names = "--report-html", description = "Write the report as a self-contained HTML page here.")
    Path reportHtml;
    @Option(names = "--seed", defaultValue = "1", description = "Seed for toggle timing and churn choices.")
    long seed;
    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;
    @Option(names = "--clients", defaultValue = "1", description = "Java clients per server, each with its own I/O selector "
            + "and thread pool; the users are spread over them. One client shares its parsed frames and room states among "
            + "all its sockets.")
    int clientsPerServer = 1;

    /** What is wrong with these options, if anything: the message the tool refuses them with. */
    Optional<String> problem() {
        if (users < 1 || rooms < 1 || rooms > users || speakersPerRoom < 0 || toggleMeanMs < 1 || durationS < 0
                || joinWindowS < 0 || churnPerSecond < 0 || churnAwayMs < 0 || crashClients < 0 || crashClients > users - rooms
                || warmupS < 0 || clientsPerServer < 1) {
            return Optional.of("need users >= rooms >= 1, speakers-per-room >= 0, toggle-mean-ms >= 1, duration-s, join-window-s, "
                    + "churn-per-second, churn-away-ms, warmup-s >= 0, 0 <= crash-clients <= users - rooms, clients >= 1");
        }
        if (!wsUrls.isEmpty() && wsUrls.size() != servers.size()) {
            return Optional.of("need one --ws-url per --server, or none");
        }
        return Optional.empty();
    }

    /** Where the sockets of the i-th server connect; null: that server's own /ws. */
    URI wsUrl(int server) {
        return wsUrls.isEmpty() ? null : wsUrls.get(server);
    }

    /** The join burst's window in ms; 0 when there is no burst. */
    long joinWindowMs() {
        return Math.round(joinWindowS * 1000);
    }

    boolean burst() {
        return joinWindowMs() > 0;
    }
}
