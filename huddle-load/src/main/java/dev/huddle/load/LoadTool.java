package dev.huddle.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The load generator: N simulated users across R rooms (or one big room), each a real WebSocket
 * session through the Java client. One run goes through these phases, each optional but the first:
 * <ol>
 *   <li><b>connect</b>: sign in, become a member, open the socket (subscribe, join); as fast as
 *       {@code --connect-parallelism} allows, or, with {@code --join-window-s}, a <b>join burst</b>:
 *       everyone signed in first, then the sockets opened evenly over the window;</li>
 *   <li><b>run</b> for {@code --duration-s}: a few speakers per room toggle speaking at random
 *       (exponential gaps), and with {@code --churn-per-second} random users leave and come back;</li>
 *   <li><b>crash</b>: {@code --crash-clients} clients are killed without a goodbye, and the tool
 *       waits until every other client of their room shows them offline;</li>
 *   <li><b>check</b>: every client's list is compared with the server's own list.</li>
 * </ol>
 * Latencies (toggle → update, join → seen online, leave → seen offline, kill → seen offline) are
 * measured on one clock, at every receiving client. It prints progress, then a report (also as JSON
 * and HTML). See docs/BENCHMARKS.md for the scenarios and figures.
 */
@Command(name = "huddle-load", mixinStandardHelpOptions = true,
        description = "Drive a Huddle Presence server with simulated users and report propagation latency.")
public final class LoadTool implements Callable<Integer> {
    @Mixin
    LoadOptions options = new LoadOptions();

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Report report = run();
        System.out.println(SummaryLine.of(report));
        if (options.reportJson != null) {
            Files.writeString(options.reportJson, json(report));
        }
        if (options.reportHtml != null) {
            Files.writeString(options.reportHtml, HtmlReport.render(report));
        }
        return report.errors() == 0 ? 0 : 1;
    }

    /** Runs the scenario and returns its report (also used by tests); refuses impossible options before anything runs. */
    public Report run() throws Exception {
        var problem = options.problem();
        if (problem.isPresent()) {
            throw new CommandLine.ParameterException(new CommandLine(this), problem.get());
        }
        return new LoadRun(options).run();
    }

    /** The report as JSON, as {@code --report-json} writes it. */
    static String json(Report r) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r);
    }
}
