package dev.huddle.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one-room fan-out scenario (issue 20; docs/BENCHMARKS.md, "Fan-out"): {@code --members} sockets
 * in one room, every one subscribed, {@code --observers} of them decoding and timing; events one at a
 * time (each member joins, {@code --toggles} speaking toggles, a quiet {@code --idle-s}, each member
 * leaves). Run it against a server started with {@code --ws-room-batch-ms 0}, so that each event is
 * fanned out alone. It prints per phase the latency until every observer saw an event and the server's
 * CPU per change frame it fanned out; for the idle window, the server's CPU in % of a core; and the
 * server's GC pauses, threads and heap after a full GC. {@code scripts/bench-fanout.sh} runs it next to
 * the kernel's floor for the same sockets.
 */
@Command(name = "huddle-fanout", mixinStandardHelpOptions = true,
        description = "Measure one room's fan-out: latency to every observer and server CPU per delivered frame.")
public final class FanoutTool implements Callable<Integer> {
    /** The server's count of change frames handed to subscribers' sockets (LiveHub). */
    static final String FRAMES_METRIC = "huddle_ws_change_frames_total";

    @Option(names = "--server", defaultValue = "http://localhost:8080/", description = "Server URL.")
    URI server;
    @Option(names = "--ws-url", description = "The sockets' URL, e.g. ws://localhost:8081/ws (the server's second listener for /ws, "
            + "--ws-port); default: --server's /ws.")
    URI wsUrl;
    @Option(names = "--members", defaultValue = "500", description = "Members of the room, one socket each, all subscribed.")
    int members;
    @Option(names = "--observers", defaultValue = "50", description = "Members whose sockets decode every change and time it.")
    int observers;
    @Option(names = "--toggles", defaultValue = "200", description = "Speaking toggles, each by the next member in turn.")
    int toggles;
    @Option(names = "--idle-s", defaultValue = "20", description = "The quiet window after the toggles, for idle CPU.")
    long idleS;
    @Option(names = "--event-timeout-ms", defaultValue = "10000", description = "Longest wait for every observer to see one event.")
    long eventTimeoutMs;
    @Option(names = "--settle-s", defaultValue = "30", description = "Longest wait for set-up and for every frame to arrive after a phase.")
    long settleS;
    @Option(names = "--connect-parallelism", defaultValue = "16", description = "Sign-ins and socket upgrades in flight at once.")
    int parallelism;
    @Option(names = "--server-pid", defaultValue = "0", description = "PID of the local server, for CPU seconds and threads (/proc).")
    long serverPid;
    @Option(names = "--server-gc-log", description = "The server's -Xlog:gc:file=… log, for GC pauses and heap after GC (jcmd GC.run).")
    Path serverGcLog;
    @Option(names = "--report-json", description = "Write the report as JSON here.")
    Path reportJson;
    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FanoutTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        FanoutReport report = run();
        System.out.println(report.text());
        if (reportJson != null) {
            Files.writeString(reportJson, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
        return report.errors() == 0 ? 0 : 1;
    }

    /** Runs the scenario and returns its report (also used by tests); refuses impossible options before anything runs. */
    public FanoutReport run() throws Exception {
        if (members < 1 || observers < 1 || observers > members || toggles < 0 || idleS < 0 || eventTimeoutMs < 1
                || settleS < 1 || parallelism < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need members >= observers >= 1, toggles >= 0, idle-s >= 0, event-timeout-ms, settle-s, connect-parallelism >= 1");
        }
        return new FanoutRun(this).run();
    }
}
