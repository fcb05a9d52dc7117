package dev.huddle.server.support;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;

/**
 * A Java agent for the fail-fast test (X3): in a JVM that runs with {@code -XX:+ExitOnOutOfMemoryError}
 * (the server's supervised child, not its parent), it waits for a file named {@code go} to appear in the
 * directory given as the agent argument, then fills the heap from a thread of its own until an
 * {@link OutOfMemoryError}. Nothing in the server knows it is there.
 */
public final class OomAgent {
    private OomAgent() {
    }

    public static void premain(String directory) {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (!"true".equals(hotspot.getVMOption("ExitOnOutOfMemoryError").getValue())) {
            return;
        }
        Thread hog = new Thread(() -> {
            try {
                awaitFile(Path.of(directory), "go");
            } catch (IOException | InterruptedException e) {
                return;
            }
            List<long[]> held = new ArrayList<>();
            while (true) {
                held.add(new long[1 << 20]);
            }
        }, "oom-agent");
        hog.setDaemon(true);
        hog.start();
    }

    public static void premain(String directory, Instrumentation unused) {
        premain(directory);
    }

    private static void awaitFile(Path dir, String name) throws IOException, InterruptedException {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(dir.resolve(name))) {
                WatchKey key = watch.take();
                key.pollEvents();
                key.reset();
            }
        }
    }
}
