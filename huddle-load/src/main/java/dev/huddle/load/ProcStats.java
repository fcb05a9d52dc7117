package dev.huddle.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and peak RSS of a local process, read from /proc (Linux). */
public final class ProcStats {
    /** Clock ticks per second for /proc/<pid>/stat; 100 on Linux unless the kernel says otherwise. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** utime + stime of the process in seconds, or -1 if unreadable. */
    static double cpuSeconds(long pid) {
        double[] us = userSystemSeconds(pid);
        return us == null ? -1 : us[0] + us[1];
    }

    /** {utime, stime} of the process in seconds, or null if unreadable. */
    public static double[] userSystemSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name may contain spaces: fields count from after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new double[] {Long.parseLong(f[11]) / TICKS_PER_SECOND, Long.parseLong(f[12]) / TICKS_PER_SECOND};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Time the process's live threads have spent on a CPU, in seconds, from the scheduler's nanosecond clock
     * ({@code /proc/<pid>/task/<tid>/schedstat}), or -1 if unreadable. For an idle window: the tick counts of
     * {@link #cpuSeconds} charge a whole tick to the thread running when it fires, and a thread that woke an idle
     * core often is, so rare timers' wake-ups read as milliseconds of CPU a second. Threads that end between two
     * readings are missed, so it is not for busy phases, whose pools grow and shrink.
     */
    static double onCpuSeconds(long pid) {
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            long ns = 0;
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    ns += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended meanwhile
                }
            }
            return ns / 1e9;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Peak resident set size (VmHWM) in MiB, or -1 if unreadable. */
    static double peakRssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
