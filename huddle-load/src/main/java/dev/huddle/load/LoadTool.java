package dev.huddle.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.huddle.client.HuddleClient;
import dev.huddle.client.HuddleInfo;
import dev.huddle.client.Identity;
import dev.huddle.client.Participant;
import dev.huddle.client.RoomConnection;
import dev.huddle.client.RoomListener;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator: N simulated users across R rooms (or one big room), each a real WebSocket
 * session through the Java client; a few speakers per room toggle speaking at random (exponential
 * gaps); optional join/leave churn. It prints progress, then a report: sessions, changes sent and
 * delivered, propagation latency percentiles, errors, and the server's CPU and peak RSS when it
 * runs locally. See docs/BENCHMARKS.md for the scenarios and figures.
 */
@Command(name = "huddle-load", mixinStandardHelpOptions = true,
        description = "Drive a Huddle Presence server with simulated users and report propagation latency.")
public final class LoadTool implements Callable<Integer> {
    @Option(names = "--server", split = ",", defaultValue = "http://localhost:8080/",
            description = "Server URL(s); with several (comma-separated, nodes of one cluster) users are spread round-robin.")
    List<URI> servers;
    @Option(names = "--users", defaultValue = "100", description = "Simulated users, one session each.")
    int users;
    @Option(names = "--rooms", defaultValue = "1", description = "Rooms; users are spread round-robin.")
    int rooms;
    @Option(names = "--interval-ms", defaultValue = "10000", description = "Session interval (P1).")
    long intervalMs;
    @Option(names = "--speakers-per-room", defaultValue = "3", description = "Users per room who toggle speaking.")
    int speakersPerRoom;
    @Option(names = "--toggle-mean-ms", defaultValue = "1500", description = "Mean gap between one speaker's toggles.")
    long toggleMeanMs;
    @Option(names = "--churn-per-second", defaultValue = "0", description = "Non-speakers leaving and rejoining per second.")
    double churnPerSecond;
    @Option(names = "--duration-s", defaultValue = "30", description = "How long to toggle (and churn).")
    long durationS;
    @Option(names = "--settle-s", defaultValue = "10", description = "Longest wait for every client to converge afterwards.")
    long settleS;
    @Option(names = "--connect-parallelism", defaultValue = "8", description = "Sign-ins and connects in flight at once.")
    int parallelism;
    @Option(names = "--server-pid", split = ",",
            description = "PID(s) of local server processes, for CPU seconds (summed) and peak RSS (summed over nodes).")
    List<Long> serverPids = List.of();
    @Option(names = "--report-json", description = "Write the report as JSON here.")
    Path reportJson;
    @Option(names = "--report-html", description = "Write the report as a self-contained HTML page here.")
    Path reportHtml;
    @Option(names = "--seed", defaultValue = "1", description = "Seed for toggle timing and churn choices.")
    long seed;
    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    /** A user's toggle: the value sent and when (nanoTime). */
    private record Sent(boolean value, long atNanos) {
    }

    private final Map<String, Sent> lastSent = new ConcurrentHashMap<>();
    private final Latencies latencies = new Latencies();
    private final AtomicLong toggles = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, Long> errorCodes = new ConcurrentHashMap<>();
    private final AtomicLong churnLeaves = new AtomicLong();
    private volatile long startNanos;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Report report = run();
        System.out.println(summary(report));
        if (reportJson != null) {
            Files.writeString(reportJson, json(report));
        }
        if (reportHtml != null) {
            Files.writeString(reportHtml, HtmlReport.render(report));
        }
        return report.errors() == 0 ? 0 : 1;
    }

    /** Runs the scenario and returns its report (also used by tests). */
    public Report run() throws Exception {
        if (users < 1 || rooms < 1 || rooms > users || speakersPerRoom < 0 || toggleMeanMs < 1 || durationS < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need users >= rooms >= 1, speakers-per-room >= 0, toggle-mean-ms >= 1, duration-s >= 0");
        }
        Random random = new Random(seed);
        List<HuddleClient> clients = new ArrayList<>();
        for (URI s : servers) {
            clients.add(HuddleClient.create(s));
        }
        try {
            HuddleClient client = clients.get(0);
            Identity owner = client.signInGuest("load owner");
            List<HuddleInfo> huddles = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                huddles.add(client.createHuddle(owner, "load room " + r));
            }
            List<RoomConnection> conns = new ArrayList<>();
            List<Tracker> trackers = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(parallelism);
            List<Future<RoomConnection>> pending = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                HuddleInfo h = huddles.get(u % rooms);
                Tracker t = new Tracker(h.id());
                trackers.add(t);
                int n = u;
                HuddleClient node = clients.get(u % clients.size());
                t.node = node;
                pending.add(pool.submit(() -> {
                    Identity id = node.signInGuest("user " + n);
                    node.joinHuddle(id, h.id(), "participant");
                    t.conn = node.connect(id, h.id(), RoomConnection.Options.defaults().withInterval(intervalMs), t);
                    return t.conn;
                }));
            }
            for (Future<RoomConnection> f : pending) {
                conns.add(f.get());
            }
            pool.shutdown();
            // Connected means: every client shows its whole room.
            int perRoom = users / rooms;
            awaitUntil(settleS * 1000 + users * 20L, () -> conns.stream().allMatch(c -> c.view().participants().size() >= perRoom));
            int connected = (int) conns.stream().filter(c -> c.view().participants().size() >= perRoom).count();
            progress("connected %d/%d sessions in %d rooms", connected, users, rooms);
            trackers.forEach(Tracker::startCounting);

            double cpuBefore = cpu(serverPids);
            startNanos = System.nanoTime();
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
            for (int r = 0; r < rooms; r++) {
                for (int s = 0; s < speakersPerRoom && r + s * rooms < users; s++) {
                    RoomConnection c = conns.get(r + s * rooms);
                    scheduleToggle(timers, c, new Random(random.nextLong()), false);
                }
            }
            if (churnPerSecond > 0) {
                long everyMs = Math.max(1, (long) (1000 / churnPerSecond));
                timers.scheduleAtFixedRate(() -> churn(conns, trackers, random), everyMs, everyMs, TimeUnit.MILLISECONDS);
            }
            timers.scheduleAtFixedRate(() -> progress("t=%ds toggles=%d delivered=%d p99 so far=%.1f ms",
                    (System.nanoTime() - startNanos) / 1_000_000_000L, toggles.get(), delivered.get(),
                    Latencies.percentile(latencies.sorted(), 99) / 1000.0), 5, 5, TimeUnit.SECONDS);
            timers.awaitTermination(durationS, TimeUnit.SECONDS); // the run's length
            timers.shutdownNow();
            long durationMs = (System.nanoTime() - startNanos) / 1_000_000;

            // Settle: every client of a room ends on the same sequence number.
            // A coalesced flag update may still sit in the server's 100 ms window: converge, wait past it, converge again.
            awaitUntil(settleS * 1000, () -> converged(trackers));
            awaitUntil(300, () -> false);
            awaitUntil(settleS * 1000, () -> converged(trackers));
            double cpu = cpuBefore < 0 ? -1 : cpu(serverPids) - cpuBefore;
            double rss = serverPids.isEmpty() ? -1 : serverPids.stream().mapToDouble(ProcStats::peakRssMiB).sum();
            long resyncs = conns.stream().mapToLong(RoomConnection::resyncs).sum();
            long reconnects = conns.stream().mapToLong(c -> c.connects() - 1).sum();
            trackers.forEach(Tracker::stopCounting);
            List<Report.Connection> finals = new ArrayList<>();
            for (int i = 0; i < conns.size(); i++) {
                Tracker t = trackers.get(i);
                finals.add(new Report.Connection(t.room, t.firstSeq, t.applied.get(), conns.get(i).state().seq()));
            }
            conns.forEach(c -> c.leave(0)); // counting stopped above: the goodbyes are not measured
            long[] sorted = latencies.sorted();
            return new Report(users, rooms, durationMs, connected, toggles.get(), delivered.get(), matched.get(),
                    sorted.length, ms(Latencies.percentile(sorted, 50)), ms(Latencies.percentile(sorted, 90)),
                    ms(Latencies.percentile(sorted, 99)), sorted.length == 0 ? 0 : ms(sorted[sorted.length - 1]),
                    errors.get(), Map.copyOf(errorCodes), resyncs, reconnects, churnLeaves.get(), cpu, rss, histogram(sorted),
                    List.of(latencies.perSecond()), finals);
        } finally {
            clients.forEach(HuddleClient::close);
        }
    }

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

    private void scheduleToggle(ScheduledExecutorService timers, RoomConnection c, Random rnd, boolean current) {
        long delay = Math.max(1, (long) (-Math.log(1 - rnd.nextDouble()) * toggleMeanMs));
        timers.schedule(() -> {
            boolean next = !current;
            lastSent.put(c.userId(), new Sent(next, System.nanoTime()));
            c.setFlags(next, null);
            toggles.incrementAndGet();
            scheduleToggle(timers, c, rnd, next);
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void churn(List<RoomConnection> conns, List<Tracker> trackers, Random random) {
        // Leave and come back as a new session of the same user: a real leave, then a real join.
        int i = random.nextInt(conns.size());
        if (i < rooms * speakersPerRoom) {
            return;
        }
        RoomConnection old = conns.get(i);
        old.leave(0);
        churnLeaves.incrementAndGet();
        Tracker t = new Tracker(trackers.get(i).room);
        t.node = trackers.get(i).node;
        t.counting = true; // a churned-in session counts deliveries from its snapshot on (firstSeq stays -1)
        t.conn = t.node.connect(old.userIdentity(), t.room, RoomConnection.Options.defaults().withInterval(intervalMs), t);
        conns.set(i, t.conn);
        trackers.set(i, t);
    }

    /** Every client is joined, and all clients of a room hold the same sequence number. */
    private static boolean converged(List<Tracker> trackers) {
        Map<String, Long> seqs = new ConcurrentHashMap<>();
        for (Tracker t : trackers) {
            RoomConnection c = t.conn;
            if (c.status() != RoomConnection.Status.JOINED) {
                return false;
            }
            Long prev = seqs.putIfAbsent(t.room, c.state().seq());
            if (prev != null && prev != c.state().seq()) {
                return false;
            }
        }
        return true;
    }

    /** Receives one connection's changes: counts them and measures speaking toggles' latency. */
    private final class Tracker implements RoomListener {
        final String room;
        final AtomicLong applied = new AtomicLong();
        volatile HuddleClient node;
        volatile RoomConnection conn;
        volatile boolean counting;
        volatile long firstSeq = -1;

        Tracker(String room) {
            this.room = room;
        }

        /** From now on, count: under the connection's lock, so no change falls between the seq read and the flag. */
        void startCounting() {
            synchronized (conn) {
                firstSeq = conn.state().seq();
                counting = true;
            }
        }

        void stopCounting() {
            synchronized (conn) {
                counting = false;
            }
        }

        @Override
        public boolean wantsViews() {
            return false; // counting changes needs no sorted view; sorting 100 entries per change per client was the tool's hot spot
        }

        @Override
        public void onChange(String kind, Participant entry) {
            if (!counting) {
                return;
            }
            applied.incrementAndGet();
            delivered.incrementAndGet();
            Sent sent = lastSent.get(entry.userId());
            if ("update".equals(kind) && sent != null && sent.value() == entry.speaking()) {
                long now = System.nanoTime();
                latencies.add((now - startNanos) / 1_000_000, (now - sent.atNanos()) / 1_000);
                matched.incrementAndGet();
            }
        }

        @Override
        public void onError(String code, String message) {
            errors.incrementAndGet();
            errorCodes.merge(code, 1L, Long::sum);
        }
    }

    private static void awaitUntil(long timeoutMs, java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        Object lock = new Object();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            synchronized (lock) {
                lock.wait(50); // poll the clients' state; nothing notifies this lock
            }
        }
    }

    private void progress(String format, Object... args) {
        if (!quiet) {
            System.out.printf(format + "%n", args);
        }
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** Latency histogram: {upper bound µs, count} with power-of-two-ish buckets from 250 µs. */
    private static List<long[]> histogram(long[] sorted) {
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

    static String summary(Report r) {
        return String.format(java.util.Locale.ROOT,
                "sessions %d/%d in %d rooms | toggles sent %d | changes delivered %d (speaking updates matched %d) | "
                        + "latency p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms | errors %d %s resyncs %d reconnects %d | "
                        + "server cpu %.1f s peak rss %.0f MiB",
                r.sessionsConnected(), r.users(), r.rooms(), r.togglesSent(), r.changesDelivered(), r.updatesMatched(),
                r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.errors(), r.errorCodes(), r.resyncs(), r.reconnects(),
                r.serverCpuSeconds(), r.serverPeakRssMiB());
    }

    static String json(Report r) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r);
    }
}
