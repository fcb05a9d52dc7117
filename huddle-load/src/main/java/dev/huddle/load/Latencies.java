package dev.huddle.load;

import java.util.Arrays;

/** Latency samples (microseconds) with the time each was taken (ms since start); thread-safe, append-only. */
final class Latencies {
    private long[] micros = new long[1 << 12];
    private long[] at = new long[1 << 12];
    private int size;

    synchronized void add(long atMs, long latencyMicros) {
        if (size == micros.length) {
            micros = Arrays.copyOf(micros, size * 2);
            at = Arrays.copyOf(at, size * 2);
        }
        micros[size] = latencyMicros;
        at[size] = atMs;
        size++;
    }

    synchronized int size() {
        return size;
    }

    /** The samples sorted, for percentiles. */
    synchronized long[] sorted() {
        long[] copy = Arrays.copyOf(micros, size);
        Arrays.sort(copy);
        return copy;
    }

    /** Per whole second since start: {second, count, p50, p99, max} in microseconds. */
    synchronized long[][] perSecond() {
        int seconds = 0;
        for (int i = 0; i < size; i++) {
            seconds = (int) Math.max(seconds, at[i] / 1000 + 1);
        }
        long[][] out = new long[seconds][];
        for (int s = 0; s < seconds; s++) {
            int n = 0;
            long[] bucket = new long[size];
            for (int i = 0; i < size; i++) {
                if (at[i] / 1000 == s) {
                    bucket[n++] = micros[i];
                }
            }
            long[] b = Arrays.copyOf(bucket, n);
            Arrays.sort(b);
            out[s] = new long[] {s, n, percentile(b, 50), percentile(b, 99), n == 0 ? 0 : b[n - 1]};
        }
        return out;
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
