package dev.huddle.load;

import java.time.LocalTime;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The progress lines a run prints (none with {@code --quiet}), each stamped with the wall-clock time. */
final class Progress {
    private final boolean quiet;

    Progress(boolean quiet) {
        this.quiet = quiet;
    }

    /** A progress line, stamped with the wall-clock time to line it up with CPU samples and server logs. */
    void line(String format, Object... args) {
        if (!quiet) {
            System.out.printf(Locale.ROOT, "%s " + format + "%n", prepend(LocalTime.now().withNano(0), args));
        }
    }

    /** Every 5 s of the measured phase: what was sent and seen, with the p99 of the last 5 s only. */
    void every5s(ScheduledExecutorService timers, Measurements m) {
        // p99 of the last 5 s only, from histograms kept as samples come (Latencies.recentP99).
        timers.scheduleAtFixedRate(() -> line("t=%ds toggles=%d delivered=%d p99 (last 5 s) %.1f ms | joins seen %d p99 %.1f ms"
                        + " | leaves seen %d p99 %.1f ms", m.elapsedMs() / 1000, m.toggles.get(),
                m.delivered.get(), Latencies.ms(m.toggleLatencies.recentP99()), m.joinLatencies.size(),
                Latencies.ms(m.joinLatencies.recentP99()), m.leaveLatencies.size(), Latencies.ms(m.leaveLatencies.recentP99())),
                5, 5, TimeUnit.SECONDS);
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
