package dev.huddle.load;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the fan-out scenario reads of a local server process: its CPU time and thread count (from
 * {@code /proc}), the GC pauses its {@code -Xlog:gc:file=…} log recorded since a mark, and its heap
 * after a full collection (asked for with {@code jcmd <pid> GC.run}, read from that log). Any of these
 * is -1 when it cannot be read (no pid, no log, another OS).
 */
final class ServerProcess {
    /** A pause line of {@code -Xlog:gc}: "… Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.123ms". */
    private static final Pattern PAUSE = Pattern.compile("Pause.*?(?:(\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\) )?(\\d+(?:\\.\\d+)?)ms\\s*$");
    /**
     * Shenandoah's heap figure, no pause: "… Concurrent cleanup 501M->101M(663M) 0.123ms". Its collections
     * (an explicit one included) are concurrent, so no pause line carries the heap after them.
     */
    private static final Pattern CLEANUP = Pattern.compile("Concurrent cleanup (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");

    /** GC pauses in a window: how many, the longest and the sum, in ms; the heap after the last collection in MiB. */
    record Pauses(long count, double maxMs, double totalMs, double heapAfterMiB) {
    }

    private final long pid;
    private final Path gcLog;

    ServerProcess(long pid, Path gcLog) {
        this.pid = pid;
        this.gcLog = gcLog;
    }

    boolean known() {
        return pid > 0;
    }

    /** user + system CPU seconds so far. */
    double cpuSeconds() {
        return pid > 0 ? ProcStats.cpuSeconds(pid) : -1;
    }

    /** Seconds its live threads have spent on a CPU so far, by the scheduler's clock: for idle windows. */
    double onCpuSeconds() {
        return pid > 0 ? ProcStats.onCpuSeconds(pid) : -1;
    }

    /** System (kernel) CPU seconds so far. */
    double systemSeconds() {
        double[] us = pid > 0 ? ProcStats.userSystemSeconds(pid) : null;
        return us == null ? -1 : us[1];
    }

    /** Threads of the process now. */
    int threads() {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Where the GC log ends now: pass it to {@link #pausesSince} at the end of a window. */
    long gcMark() {
        try {
            return gcLog == null ? -1 : Files.size(gcLog);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The pauses the GC log recorded after {@code mark}. */
    Pauses pausesSince(long mark) {
        if (gcLog == null || mark < 0) {
            return new Pauses(-1, -1, -1, -1);
        }
        long count = 0;
        double max = 0;
        double total = 0;
        double heapAfter = -1;
        try (RandomAccessFile f = new RandomAccessFile(gcLog.toFile(), "r")) {
            f.seek(mark);
            byte[] rest = new byte[(int) Math.max(0, f.length() - mark)];
            f.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                Matcher c = CLEANUP.matcher(line);
                if (c.find()) {
                    heapAfter = mib(Long.parseLong(c.group(3)), c.group(4));
                    continue;
                }
                Matcher m = PAUSE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                double ms = Double.parseDouble(m.group(5));
                count++;
                max = Math.max(max, ms);
                total += ms;
                if (m.group(3) != null) {
                    heapAfter = mib(Long.parseLong(m.group(3)), m.group(4));
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Pauses(-1, -1, -1, -1);
        }
        return new Pauses(count, max, total, heapAfter);
    }

    /** Runs a full GC in the server ({@code jcmd <pid> GC.run}) and returns the heap after it, in MiB, from the GC log. */
    double heapAfterFullGcMiB() {
        if (pid <= 0 || gcLog == null) {
            return -1;
        }
        long mark = gcMark();
        try {
            Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return -1;
            }
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) { // the log line may land a moment after jcmd returns
            double heap = pausesSince(mark).heapAfterMiB();
            if (heap >= 0) {
                return heap;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    private static double mib(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024.0;
            case "G" -> value * 1024.0;
            default -> value;
        };
    }
}
