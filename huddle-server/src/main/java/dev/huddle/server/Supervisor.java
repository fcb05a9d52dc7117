package dev.huddle.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X3 for an {@link OutOfMemoryError} anywhere: the server runs in a child JVM started with
 * {@code -XX:+ExitOnOutOfMemoryError}, and this process only watches it.
 *
 * <p>Why a second JVM. The guarantee must hold for an OOM thrown in any thread — Jetty's acceptor and
 * selectors, its thread pool (which catches and logs what its jobs throw), Lettuce's Netty threads,
 * the JDBC pool's housekeeper, a JDK executor — and catching {@code VirtualMachineError} at the
 * boundaries we own cannot reach the ones we do not; that is how a flood left a node with a dead
 * acceptor and a dead expiry worker, answering nothing and ignoring SIGTERM. The JVM flag acts where
 * the error is thrown, before any catch, so it holds everywhere; but it is not a manageable flag and
 * cannot be turned on from inside a running JVM, and the README's start command
 * ({@code java -jar huddle-server.jar}) must stay as it is. So {@code Main} re-launches itself once
 * with the flag, passing on the JVM options and arguments it got.
 *
 * <p>The parent stays small and passive: on SIGTERM (or Ctrl-C) it passes SIGTERM on and waits for the
 * child's graceful stop; when the child exits on its own it exits with the child's code, after one log
 * line if that was an OOM; if the parent is killed outright, the child sees its stdin (a pipe from the
 * parent) close and stops, so it never outlives the parent. A JVM already started with the flag (say by
 * a container's {@code JAVA_TOOL_OPTIONS}) runs the server itself, with no second JVM.
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    /** Set on the child's command line: it is supervised, and stops when its stdin closes. */
    static final String CHILD = "huddle.supervised";
    /** Extra time the parent gives the child's graceful stop before killing it. */
    private static final long STOP_MARGIN_MS = 5_000;

    private Supervisor() {
    }

    /** Whether this JVM ends itself on an {@link OutOfMemoryError} already. */
    static boolean exitsOnOutOfMemory() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot != null && ("true".equals(hotspot.getVMOption("ExitOnOutOfMemoryError").getValue())
                    || "true".equals(hotspot.getVMOption("CrashOnOutOfMemoryError").getValue()));
        } catch (RuntimeException e) {
            return false; // not HotSpot: no way to tell, so supervise
        }
    }

    /** Whether this JVM is the supervised child. */
    static boolean isChild() {
        return Boolean.getBoolean(CHILD);
    }

    /** Runs the server in a child JVM and returns its exit code. */
    static int run(List<String> args, long shutdownTimeoutMs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO().redirectInput(ProcessBuilder.Redirect.PIPE);
        // The options these variables add are in getInputArguments already; the child must not get them twice.
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        Process child = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child, shutdownTimeoutMs), "huddle-supervisor-stop"));
        int code = child.waitFor();
        if (code == FailFast.OUT_OF_MEMORY) {
            LOG.error("event=fatal reason=\"out of memory\" exit={}: the server ran out of memory and stopped at once; "
                    + "restart it, and give it more heap (-Xmx) if this repeats", code);
        }
        return code;
    }

    /**
     * The child's JVM options: the parent's, less a debugger's or JMX port (the parent's: the child would fail
     * to bind it), plus the OOM exit and the child's marker; and the JVM's performance counters sampled once a
     * second rather than every 50 ms, unless the parent was told otherwise. That sampler (for jstat) wakes an
     * idle server 20 times a second, a fifth of its wake-ups at 1 000 idle sockets (docs/BENCHMARKS.md, idle
     * members); jcmd, jstat and the GC counters work as before.
     */
    static List<String> childOptions(List<String> parentOptions) {
        List<String> options = new ArrayList<>();
        for (String option : parentOptions) {
            if (!option.startsWith("-agentlib:jdwp") && !option.startsWith("-Xrunjdwp")
                    && !option.startsWith("-Dcom.sun.management.jmxremote")) {
                options.add(option);
            }
        }
        if (parentOptions.stream().noneMatch(o -> o.startsWith("-XX:PerfDataSamplingInterval="))) {
            options.add("-XX:PerfDataSamplingInterval=" + PERF_DATA_SAMPLING_MS);
        }
        options.add("-XX:+ExitOnOutOfMemoryError");
        options.add("-D" + CHILD + "=true");
        return options;
    }

    /** How often the child samples the JVM's performance counters, in ms (the JVM's default: 50). */
    static final int PERF_DATA_SAMPLING_MS = 1_000;

    private static void stop(Process child, long shutdownTimeoutMs) {
        if (!child.isAlive()) {
            return;
        }
        // SIGTERM through the handle: Process.destroy() would also close the child's stdin, which the child
        // reads as "the parent is gone".
        child.toHandle().destroy();
        try {
            if (!child.waitFor(shutdownTimeoutMs + STOP_MARGIN_MS, TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** In the child: stop when the parent is gone, which closes our stdin, however it died. */
    static void stopWhenParentDies() {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] sink = new byte[256];
                while (in.read(sink) >= 0) {
                    // the parent never writes; anything read is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the same as end of stream
            }
            LOG.warn("event=supervisor_gone: the supervising process is gone; stopping");
            System.exit(1);
        }, "huddle-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
