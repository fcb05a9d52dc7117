package dev.huddle.load;

import java.net.URI;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The unmeasured warm-up ({@code --warmup-s}) before the measured phase, so that both JVMs start it
 * compiled and with their set-up objects out of the young generation, as after a JMH warm-up.
 */
final class WarmUp {
    private final LoadOptions options;
    private final ServerApi api;
    private final Measurements measured;
    private final Progress progress;
    private final Toggles toggles;
    private final Convergence convergence;

    WarmUp(LoadOptions options, ServerApi api, Measurements measured, Progress progress, Toggles toggles, Convergence convergence) {
        this.options = options;
        this.api = api;
        this.measured = measured;
        this.progress = progress;
        this.toggles = toggles;
        this.convergence = convergence;
    }

    /**
     * The speakers toggle for {@code --warmup-s} with nothing measured or counted; then every client
     * converges (past the server's flag window) and the tool collects its garbage, so the measured
     * window does not pay for promoting the set-up's objects.
     */
    void toggling(List<SimulatedUser> all, Random random) throws InterruptedException {
        ScheduledExecutorService warm = Executors.newScheduledThreadPool(2);
        try {
            for (SimulatedUser u : all) {
                if (u.speaker) {
                    toggles.schedule(warm, u.conn, new Random(random.nextLong()), false);
                }
            }
            warm.awaitTermination(options.warmupS, TimeUnit.SECONDS);
        } finally {
            warm.shutdownNow();
            warm.awaitTermination(10, TimeUnit.SECONDS);
        }
        convergence.settle();
        if (!convergence.converged()) {
            measured.error("warmup_not_converged", 1); // a late warm-up update would be matched against a warm-up send
        }
        System.gc();
        progress.line("warmed up for %d s", options.warmupS);
    }

    /**
     * The warm-up of a join burst: the same users fill a huddle of their own ({@code warmRoom}) in the same
     * way, over {@code --warmup-s}, unmeasured; once every client shows all of them, they say goodbye, and
     * the tool waits until the server has closed their sockets.
     */
    void burst(String warmRoom, List<SimulatedUser> all, ScheduledExecutorService timers) throws InterruptedException {
        List<SimulatedUser> warm = all.stream().map(u -> u.elsewhere(warmRoom)).toList();
        long windowMs = options.warmupS * 1000;
        LoadRun.openEvenly(warm, windowMs, timers);
        int users = options.users;
        Poll.until(windowMs + options.settleS * 1000 + users * 20L, () -> warm.stream().allMatch(u -> u.onlineCount() >= users));
        if (!warm.stream().allMatch(u -> u.onlineCount() >= users)) {
            measured.error("warmup_not_converged", 1);
        }
        warm.forEach(SimulatedUser::leave);
        List<URI> servers = options.servers;
        Poll.until(options.settleS * 1000, () -> api.metric(servers, "huddle_ws_sockets") == 0);
        if (api.metric(servers, "huddle_ws_sockets") != 0) { // still open, or the metric unreadable
            measured.error("warmup_sockets_not_closed", 1);
        }
        System.gc();
        progress.line("warmed up with a burst of %d users over %d s", users, options.warmupS);
    }
}
