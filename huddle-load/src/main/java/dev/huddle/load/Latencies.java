package dev.huddle.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Latency samples (microseconds) with the time each was taken (ms since start); thread-safe, append-only. */
final class Latencies {
    private long[] micros = new long[1 << 12];
    private long[] at = new long[1 << 12];
    private int size;
    private final Histogram recent = new Histogram(3);

    synchronized void add(long atMs, long latencyMicros) {
        if (size == micros.length) {
            micros = Arrays.copyOf(micros, size * 2);
            at = Arrays.copyOf(at, size * 2);
        }
        micros[size] = latencyMicros;
        at[size] = Math.max(0, atMs);
        size++;
        recent.recordValue(Math.max(0, latencyMicros));
    }

    synchronized int size() {
        return size;
    }

    /**
     * The p99 (µs) of the samples added since the last call, for the progress line. Kept in a histogram
     * as they come: sorting the last 5 s of samples (a million in a join burst) took a core for a tenth
     * of a second at each progress line, in the middle of the run it measured.
     */
    synchronized long recentP99() {
        long p99 = recent.getTotalCount() == 0 ? 0 : recent.getValueAtPercentile(99);
        recent.reset();
        return p99;
    }

    /** The samples sorted, for percentiles; only the copy is made under the lock. */
    long[] sorted() {
        long[] copy;
        synchronized (this) {
            copy = Arrays.copyOf(micros, size);
        }
        Arrays.sort(copy);
        return copy;
    }

    /** The samples taken from {@code fromMs} (inclusive) to {@code toMs} (exclusive) since start, sorted. */
    long[] sorted(long fromMs, long toMs) {
        long[] copy;
        int n = 0;
        synchronized (this) {
            copy = new long[size];
            for (int i = 0; i < size; i++) {
                if (at[i] >= fromMs && at[i] < toMs) {
                    copy[n++] = micros[i];
                }
            }
        }
        copy = Arrays.copyOf(copy, n);
        Arrays.sort(copy);
        return copy;
    }

    /** Per whole second since start: {second, count, p50, p99, max} in microseconds. */
    synchronized long[][] perSecond() {
        int seconds = 0;
        for (int i = 0; i < size; i++) {
            seconds = (int) Math.max(seconds, at[i] / 1000 + 1);
        }
        // Group the samples by second in one pass (a counting sort), then sort each second's own.
        int[] start = new int[seconds + 1];
        for (int i = 0; i < size; i++) {
            start[(int) (at[i] / 1000) + 1]++;
        }
        for (int s = 0; s < seconds; s++) {
            start[s + 1] += start[s];
        }
        long[] grouped = new long[size];
        int[] fill = Arrays.copyOf(start, seconds);
        for (int i = 0; i < size; i++) {
            grouped[fill[(int) (at[i] / 1000)]++] = micros[i];
        }
        long[][] out = new long[seconds][];
        for (int s = 0; s < seconds; s++) {
            long[] b = Arrays.copyOfRange(grouped, start[s], start[s + 1]);
            Arrays.sort(b);
            out[s] = new long[] {s, b.length, percentile(b, 50), percentile(b, 99), b.length == 0 ? 0 : b[b.length - 1]};
        }
        return out;
    }

    /** The whole series as the report shows it. */
    Report.Latency summary() {
        long[] s = sorted();
        return new Report.Latency(s.length, ms(percentile(s, 50)), ms(percentile(s, 90)), ms(percentile(s, 99)),
                s.length == 0 ? 0 : ms(s[s.length - 1]), histogram(s), List.of(perSecond()));
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Histogram: {upper bound µs, count} with power-of-two buckets from 250 µs. */
    static List<long[]> histogram(long[] sorted) {
        List<long[]> out = new ArrayList<>();
        long bound = 250;
        int i = 0;
        while (i < sorted.length) {
            int n = 0;
            while (i < sorted.length && sorted[i] <= bound) {
                n++;
                i++;
            }
            out.add(new long[] {bound, n});
            bound *= 2;
        }
        return out;
    }

    static double ms(long micros) {
        return micros / 1000.0;
    }
}
