package dev.huddle.load;

import dev.huddle.client.HuddleClient;
import dev.huddle.client.HuddleInfo;
import dev.huddle.client.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One run of the load tool, phase by phase (see {@link LoadTool}): set-up, connect (or a join burst),
 * an optional warm-up, the measured run, the crash, the consistency check, and the report.
 */
final class LoadRun {
    private final LoadOptions o;
    private final ServerApi api = new ServerApi();
    private final Measurements measured = new Measurements();
    private final Progress progress;
    /** The clients whose session is live now: not churned away, not killed. */
    private final List<SimulatedUser> live = new CopyOnWriteArrayList<>();
    private final Convergence convergence;
    private final Toggles toggles;
    private final Crash crash;
    private final List<HuddleClient> clients = new ArrayList<>();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    private double cpuBefore;
    private long serverResyncsBefore;

    LoadRun(LoadOptions options) {
        this.o = options;
        this.progress = new Progress(options.quiet);
        this.convergence = new Convergence(live, options.settleS * 1000);
        this.toggles = new Toggles(options.toggleMeanMs, measured);
        this.crash = new Crash(options, measured, progress);
    }

    Report run() throws Exception {
        try {
            openClients();
            Identity owner = clients.get(0).signInGuest("load owner");
            List<HuddleInfo> huddles = new ArrayList<>();
            for (int r = 0; r < o.rooms; r++) {
                huddles.add(clients.get(0).createHuddle(owner, "load room " + r));
            }
            List<SimulatedUser> all = users(huddles);
            int connected = connect(owner, all);
            if (o.idleUntilFile != null) {
                progress.line("idle: every socket open, nobody toggling, until %s exists", o.idleUntilFile);
                waitFor(o.idleUntilFile);
            }
            if (o.warmupS > 0 && !o.burst()) { // a burst warmed up before it (in connect)
                warmUp().toggling(all, new Random(~o.seed));
            }
            if (!o.burst()) {
                startMeasuring();
            }
            all.forEach(SimulatedUser::startCounting);
            long durationMs = measuredRun(all);
            return finish(owner, huddles, connected, durationMs);
        } finally {
            timers.shutdownNow();
            clients.forEach(HuddleClient::close);
        }
    }

    /**
     * Socket events run on the clients' I/O threads (the listeners here never block; sign-ins and huddle
     * calls run on the main and timer threads). Interleaved, so that client c talks to server c % servers.
     */
    private void openClients() {
        for (int i = 0; i < o.clientsPerServer; i++) {
            for (int s = 0; s < o.servers.size(); s++) {
                clients.add(HuddleClient.create(o.servers.get(s), o.wsUrl(s)));
            }
        }
    }

    /**
     * The users, spread round-robin over the rooms; the first speakers-per-room of each room speak. The
     * k-th user of room r goes to client (r + k) mod clients, so every room (and its speakers) spans
     * every server: with {@code u mod clients} a room count divisible by the servers put each room on
     * one node, and nothing crossed the cluster.
     */
    private List<SimulatedUser> users(List<HuddleInfo> huddles) {
        List<SimulatedUser> all = new ArrayList<>();
        for (int u = 0; u < o.users; u++) {
            int client = (u % o.rooms + u / o.rooms) % clients.size();
            all.add(new SimulatedUser(huddles.get(u % o.rooms).id(), clients.get(client), client % o.servers.size(),
                    u < o.rooms * o.speakersPerRoom, o.intervalMs, measured, crash));
        }
        return all;
    }

    /** Connect: each user signs in, becomes a member, and opens its socket, at once or spread over the join burst. */
    private int connect(Identity owner, List<SimulatedUser> all) throws Exception {
        boolean burst = o.burst();
        String warmRoom = burst && o.warmupS > 0 ? clients.get(0).createHuddle(owner, "load warm-up").id() : null;
        signIn(all, warmRoom, !burst && o.openWhenFile == null);
        if (warmRoom != null) {
            warmUp().burst(warmRoom, all, timers);
        }
        live.addAll(all);
        if (o.openWhenFile != null) {
            progress.line("%d users signed in, no socket open, until %s exists", o.users, o.openWhenFile);
            waitFor(o.openWhenFile);
            if (!burst) {
                openEvenly(all, 0, timers);
            }
        }
        if (burst) {
            // Join burst: everyone is a member already; the sockets open evenly over the window.
            progress.line("%d users signed in; opening their sockets over %d ms", o.users, o.joinWindowMs());
            startMeasuring();
            openEvenly(all, o.joinWindowMs(), timers);
        }
        // Connected means: every client shows its whole room online.
        Map<String, Integer> roomSizes = new HashMap<>();
        all.forEach(u -> roomSizes.merge(u.room, 1, Integer::sum));
        Predicate<SimulatedUser> showsAll = u -> u.onlineCount() >= roomSizes.get(u.room);
        Poll.until(o.joinWindowMs() + o.settleS * 1000 + o.users * 20L, () -> all.stream().allMatch(showsAll));
        int connected = (int) all.stream().filter(showsAll).count();
        progress.line("connected %d/%d sessions in %d rooms", connected, o.users, o.rooms);
        return connected;
    }

    /** Signs every user in ({@code --connect-parallelism} at once), a member of {@code warmRoom} too if given; opens the sockets if {@code open}. */
    private void signIn(List<SimulatedUser> all, String warmRoom, boolean open) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(o.parallelism);
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                SimulatedUser u = all.get(i);
                String name = "user " + i;
                pending.add(pool.submit(() -> {
                    u.signIn(name);
                    if (warmRoom != null) {
                        u.node.joinHuddle(u.who, warmRoom, "participant");
                    }
                    if (open) {
                        u.open();
                    }
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void waitFor(Path file) throws InterruptedException {
        while (!Files.exists(file)) {
            Thread.sleep(50);
        }
    }

    private WarmUp warmUp() {
        return new WarmUp(o, api, measured, progress, toggles, convergence);
    }

    /** Opens the sockets of {@code users} evenly over {@code windowMs}, in their order. */
    static void openEvenly(List<SimulatedUser> users, long windowMs, ScheduledExecutorService timers) {
        for (int u = 0; u < users.size(); u++) {
            timers.schedule(users.get(u)::open, u * windowMs / users.size(), TimeUnit.MILLISECONDS);
        }
    }

    /** The measured phase starts: server CPU, the server's resync counter, latencies' time zero, progress lines. */
    private void startMeasuring() {
        cpuBefore = cpu(o.serverPids);
        serverResyncsBefore = api.metric(o.servers, "huddle_ws_resyncs_total");
        measured.start();
        progress.every5s(timers, measured);
    }

    /** Run: the speakers toggle, and users churn, for {@code --duration-s}; returns how long it measured, in ms. */
    private long measuredRun(List<SimulatedUser> all) throws InterruptedException {
        Random random = new Random(o.seed);
        progress.line("toggling for %d s", o.durationS);
        for (int r = 0; r < o.rooms; r++) {
            for (int s = 0; s < o.speakersPerRoom && r + s * o.rooms < o.users; s++) {
                toggles.schedule(timers, all.get(r + s * o.rooms).conn, new Random(random.nextLong()), true);
            }
        }
        if (o.churnPerSecond > 0) {
            new Churn(live, o.churnAwayMs, measured, timers, random).start(o.churnPerSecond);
        }
        timers.awaitTermination(o.durationS, TimeUnit.SECONDS); // the run's length
        timers.shutdownNow();
        timers.awaitTermination(10, TimeUnit.SECONDS); // a churn step under way completes; returns not yet due are dropped
        return measured.elapsedMs();
    }

    /** After the run: settles, crashes, checks, reads the server's figures, says goodbye, and assembles the report. */
    private Report finish(Identity owner, List<HuddleInfo> huddles, int connected, long durationMs) throws Exception {
        convergence.settle();
        measured.stop();
        List<Report.Connection> finals = new ArrayList<>();
        for (SimulatedUser u : live) {
            u.stopCounting();
            finals.add(new Report.Connection(u.room, u.firstSeq, u.applied.get(), u.conn.state().seq()));
        }
        long resyncs = live.stream().mapToLong(u -> u.conn.resyncs()).sum();
        long reconnects = live.stream().mapToLong(u -> Math.max(0, u.conn.connects() - 1)).sum(); // a socket never opened is no reconnect

        Report.Crash crashed = o.crashClients > 0 ? crash.run(live) : null;
        convergence.await();
        Report.Consistency consistency = new ConsistencyCheck(api, o.servers.get(0), measured, progress).run(owner, huddles, live);

        double cpu = cpuBefore < 0 ? -1 : cpu(o.serverPids) - cpuBefore;
        double rss = o.serverPids.isEmpty() ? -1 : o.serverPids.stream().mapToDouble(ProcStats::peakRssMiB).sum();
        long serverResyncsAfter = api.metric(o.servers, "huddle_ws_resyncs_total");
        long serverResyncs = serverResyncsBefore < 0 || serverResyncsAfter < 0 ? -1 : serverResyncsAfter - serverResyncsBefore;
        long serverTooSlow = api.metric(o.servers, "huddle_ws_too_slow_total");
        live.forEach(u -> u.conn.leave(0)); // measuring and counting stopped above: the goodbyes are not measured
        Measurements m = measured;
        Report.Latency toggled = m.toggleLatencies.summary();
        return new Report(o.users, o.rooms, durationMs, o.warmupS * 1000, connected, m.toggles.get(), m.delivered.get(),
                m.matched.get(), toggled.samples(), toggled.p50Ms(), toggled.p90Ms(), toggled.p99Ms(), toggled.maxMs(),
                m.errors(), m.errorCodes(), resyncs, reconnects, m.churnLeaves.get(), cpu, rss,
                toggled.histogram(), toggled.perSecond(), finals,
                o.joinWindowMs(), m.churnJoins.get(), m.joinsObserved.get(), m.leavesObserved.get(),
                m.joinLatencies.summary(), m.leaveLatencies.summary(), serverResyncs, serverTooSlow, consistency, crashed,
                m.acrossNodes.summary());
    }

    /** The servers' CPU seconds so far, summed; -1 when unknown. */
    private static double cpu(List<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            double c = ProcStats.cpuSeconds(pid);
            if (c < 0) {
                return -1;
            }
            sum += c;
        }
        return pids.isEmpty() ? -1 : sum;
    }
}
