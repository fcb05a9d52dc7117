package dev.huddle.server;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.ConfigException;
import dev.huddle.server.config.ConfigLoader;
import dev.huddle.server.config.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Starts the server: flags win over environment variables, which win over defaults (see docs/operations.md).
 * The flags are the {@link dev.huddle.server.config.Setting} declarations, added by {@link SettingOptions}.
 */
@Command(name = "huddle-server", mixinStandardHelpOptions = true, version = "Huddle Presence 0.1.0",
        subcommands = MigrateCommand.class, modelTransformer = SettingOptions.class,
        description = "Runs the Huddle Presence server. Every flag has an environment variable; see docs/operations.md.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private final Map<String, String> env;
    @Spec
    CommandSpec spec;
    /**
     * Whether this is the process's own command (from {@link #main}): only then is the server run in a
     * supervised child JVM (X3). The command built in a test runs the server in the test's JVM.
     */
    private boolean processEntry;

    public Main() {
        this(System.getenv());
    }

    /** A command reading settings from {@code env} instead of the process environment (tests). */
    Main(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        Main main = new Main();
        main.processEntry = true;
        int code = new CommandLine(main).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The configuration these flags and the environment give; {@link ConfigException} lists every problem. */
    ServerConfig loadConfig() {
        return new ConfigLoader(SettingOptions.given(spec), env, w -> LOG.warn("config: {}", w)).load();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config;
        try {
            config = loadConfig();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
        if (processEntry && !Supervisor.isChild() && !Supervisor.exitsOnOutOfMemory()) {
            try {
                return Supervisor.run(spec.commandLine().getParseResult().originalArgs(), config.http().shutdownTimeoutMs());
            } catch (IOException e) {
                err.println("Huddle Presence failed to start its server process: " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        if (Supervisor.isChild()) {
            Supervisor.stopWhenParentDies();
        }
        FailFast.onUncaughtVirtualMachineErrors();
        HuddleServer server = new HuddleServer(config, TimeSource.system());
        try {
            server.start();
        } catch (RuntimeException e) {
            err.println("Huddle Presence failed to start: " + e.getMessage());
            err.flush();
            LOG.debug("start-up failure", e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("event=shutdown: stopping; requests in flight get up to {} ms, WebSockets close with 1001",
                    config.http().shutdownTimeoutMs());
            server.stop();
            stopped.countDown();
        }, "huddle-shutdown"));
        String shownHost = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
        System.out.println("Huddle Presence listening on http://" + shownHost + ":" + server.port() + "/");
        if (server.socketPort() != server.port()) {
            System.out.println("WebSocket /ws also on ws://" + shownHost + ":" + server.socketPort() + "/ws (--ws-io "
                    + config.http().socketPort().io() + ")");
        }
        stopped.await();
        return 0;
    }
}
