package dev.huddle.load.proto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of each thread of a local process ({@code /proc/PID/task}), summed by thread name with its
 * digits dropped (pool members together), so a run can say which threads its per-frame cost went to:
 * the sending thread, GC, or the JIT's compilers.
 */
final class ServerThreads {
    private ServerThreads() {
    }

    /** Seconds of user + system time per thread name (digits dropped). */
    static Map<String, Double> cpuSeconds(long pid) {
        Map<String, Double> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The {@code limit} thread names that used the most CPU between the two readings, as µs per frame. */
    static String top(Map<String, Double> before, Map<String, Double> after, double frames, int limit) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(limit)
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() * 1e6 / frames))
                .collect(Collectors.joining(", "));
    }
}
