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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator: N simulated users across R rooms (or one big room), each a real WebSocket
 * session through the Java client. One run goes through these phases, each optional but the first:
 * <ol>
 *   <li><b>connect</b>: sign in, become a member, open the socket (subscribe, join); as fast as
 *       {@code --connect-parallelism} allows, or, with {@code --join-window-s}, a <b>join burst</b>:
 *       everyone signed in first, then the sockets opened evenly over the window;</li>
 *   <li><b>run</b> for {@code --duration-s}: a few speakers per room toggle speaking at random
 *       (exponential gaps), and with {@code --churn-per-second} random users leave and come back;</li>
 *   <li><b>crash</b>: {@code --crash-clients} clients are killed without a goodbye, and the tool
 *       waits until every other client of their room shows them offline;</li>
 *   <li><b>check</b>: every client's list is compared with the server's own list.</li>
 * </ol>
 * Latencies (toggle → update, join → seen online, leave → seen offline, kill → seen offline) are
 * measured on one clock, at every receiving client. It prints progress, then a report (also as JSON
 * and HTML). See docs/BENCHMARKS.md for the scenarios and figures.
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
    @Option(names = "--interval-ms", defaultValue = "10000", description = "Session interval (P1): a session lives 2.5 × this after its last frame.")
    long intervalMs;
    @Option(names = "--speakers-per-room", defaultValue = "3", description = "Users per room who toggle speaking.")
    int speakersPerRoom;
    @Option(names = "--toggle-mean-ms", defaultValue = "1500", description = "Mean gap between one speaker's toggles.")
    long toggleMeanMs;
    @Option(names = "--join-window-s", defaultValue = "0",
            description = "Join burst: sign every user in first, then open their sockets evenly spread over this many seconds, "
                    + "measuring join propagation from the first one. 0: connect as fast as --connect-parallelism allows, unmeasured.")
    double joinWindowS;
    @Option(names = "--churn-per-second", defaultValue = "0",
            description = "Churn: this many times a second, a random online non-speaker says goodbye (leave, no grace) "
                    + "and comes back as a new session after --churn-away-ms on average.")
    double churnPerSecond;
    @Option(names = "--churn-away-ms", defaultValue = "2000",
            description = "Mean time (exponential) a churned user stays away before joining again; users still away when the run ends stay away.")
    long churnAwayMs;
    @Option(names = "--crash-clients", defaultValue = "0",
            description = "Crash: after the run, cut this many clients' sockets without a goodbye (they never reconnect), spread over the rooms "
                    + "with at least one client left in each, and measure until every remaining client of the room shows each one offline.")
    int crashClients;
    @Option(names = "--duration-s", defaultValue = "30", description = "How long to toggle (and churn).")
    long durationS;
    @Option(names = "--warmup-s", defaultValue = "0",
            description = "Before the measured run: toggle for this long, unmeasured and uncounted, wait for every client to "
                    + "converge, and collect the tool's own garbage. With --join-window-s, a warm-up burst instead: every user "
                    + "also joins a warm-up huddle, opens a socket to it spread over this many seconds, waits for the full list, "
                    + "and says goodbye; the measured burst then fills its own, empty huddle. Both JVMs then start the measured "
                    + "window compiled and with their set-up objects out of the young generation, as after a JMH warm-up.")
    long warmupS;
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
    @Option(names = "--clients", defaultValue = "1", description = "Java clients per server, each with its own I/O selector "
            + "and thread pool; the users are spread over them. One client shares its parsed frames and room states among "
            + "all its sockets.")
    int clientsPerServer = 1;

    /** A user's toggle: the value sent and when (nanoTime). */
    private record Sent(boolean value, long atNanos) {
    }

    private final ServerApi api = new ServerApi();
    private final Map<String, Sent> lastSent = new ConcurrentHashMap<>();
    /**
     * When each user's client last sent a join, and a leave (nanoTime). Kept apart: a churned user may
     * be back (a join sent) before every observer has seen its leave, which must still match the leave.
     */
    private final Map<String, Long> lastJoinSent = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLeaveSent = new ConcurrentHashMap<>();
    private final Map<String, Kill> kills = new ConcurrentHashMap<>();
    /** The clients whose session is live now: not churned away, not killed. */
    private final List<Tracker> live = new CopyOnWriteArrayList<>();
    private final Latencies latencies = new Latencies();
    private final Latencies joinLatencies = new Latencies();
    private final Latencies leaveLatencies = new Latencies();
    private final AtomicLong toggles = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong joinsObserved = new AtomicLong();
    private final AtomicLong leavesObserved = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, Long> errorCodes = new ConcurrentHashMap<>();
    private final AtomicLong churnLeaves = new AtomicLong();
    private final AtomicLong churnJoins = new AtomicLong();
    private volatile long startNanos;
    /** Joins and leaves are matched to their sends only while this holds (the connect phase of a burst, and the run). */
    private volatile boolean measuring;
    private double cpuBefore;
    private long serverResyncsBefore;

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
        if (users < 1 || rooms < 1 || rooms > users || speakersPerRoom < 0 || toggleMeanMs < 1 || durationS < 0
                || joinWindowS < 0 || churnPerSecond < 0 || churnAwayMs < 0 || crashClients < 0 || crashClients > users - rooms
                || warmupS < 0 || clientsPerServer < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need users >= rooms >= 1, speakers-per-room >= 0, toggle-mean-ms >= 1, duration-s, join-window-s, "
                            + "churn-per-second, churn-away-ms, warmup-s >= 0, 0 <= crash-clients <= users - rooms, clients >= 1");
        }
        Random random = new Random(seed);
        // Socket events run on the clients' I/O threads (the listeners here never block; sign-ins and huddle
        // calls run on the main and timer threads). Interleaved, so that user u lands on server u % servers.
        List<HuddleClient> clients = new ArrayList<>();
        for (int i = 0; i < clientsPerServer; i++) {
            for (URI s : servers) {
                clients.add(HuddleClient.create(s));
            }
        }
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        try {
            Identity owner = clients.get(0).signInGuest("load owner");
            List<HuddleInfo> huddles = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                huddles.add(clients.get(0).createHuddle(owner, "load room " + r));
            }
            List<Tracker> all = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                all.add(new Tracker(huddles.get(u % rooms).id(), clients.get(u % clients.size()), u < rooms * speakersPerRoom));
            }

            // Connect: each user signs in, becomes a member, and (unless this is a join burst) opens its socket.
            long windowMs = Math.round(joinWindowS * 1000);
            boolean burst = windowMs > 0;
            String warmRoom = burst && warmupS > 0 ? clients.get(0).createHuddle(owner, "load warm-up").id() : null;
            ExecutorService pool = Executors.newFixedThreadPool(parallelism);
            List<Future<?>> pending = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                Tracker t = all.get(u);
                String name = "user " + u;
                pending.add(pool.submit(() -> {
                    t.signIn(name);
                    if (warmRoom != null) {
                        t.node.joinHuddle(t.who, warmRoom, "participant");
                    }
                    if (!burst) {
                        t.open();
                    }
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                f.get();
            }
            pool.shutdown();
            if (warmRoom != null) {
                warmUpBurst(warmRoom, all, timers);
            }
            live.addAll(all);
            if (burst) {
                // Join burst: everyone is a member already; the sockets open evenly over the window.
                progress("%d users signed in; opening their sockets over %d ms", users, windowMs);
                startMeasuring(timers);
                openEvenly(all, windowMs, timers);
            }
            // Connected means: every client shows its whole room online.
            Map<String, Integer> roomSizes = new HashMap<>();
            all.forEach(t -> roomSizes.merge(t.room, 1, Integer::sum));
            BooleanSupplier allConnected = () -> all.stream().allMatch(t -> t.onlineCount() >= roomSizes.get(t.room));
            awaitUntil(windowMs + settleS * 1000 + users * 20L, allConnected);
            int connected = (int) all.stream().filter(t -> t.onlineCount() >= roomSizes.get(t.room)).count();
            progress("connected %d/%d sessions in %d rooms", connected, users, rooms);
            if (warmupS > 0 && !burst) { // a burst warmed up before it (above)
                warmUp(all, new Random(~seed));
            }
            if (!burst) {
                startMeasuring(timers);
            }
            all.forEach(Tracker::startCounting);

            // Run: toggles and churn for the duration.
            for (int r = 0; r < rooms; r++) {
                for (int s = 0; s < speakersPerRoom && r + s * rooms < users; s++) {
                    scheduleToggle(timers, all.get(r + s * rooms).conn, new Random(random.nextLong()), true);
                }
            }
            if (churnPerSecond > 0) {
                long everyMicros = Math.max(1, (long) (1_000_000 / churnPerSecond));
                timers.scheduleAtFixedRate(() -> churn(timers, random), everyMicros, everyMicros, TimeUnit.MICROSECONDS);
            }
            timers.awaitTermination(durationS, TimeUnit.SECONDS); // the run's length
            timers.shutdownNow();
            timers.awaitTermination(10, TimeUnit.SECONDS); // a churn step under way completes; returns not yet due are dropped
            long durationMs = (System.nanoTime() - startNanos) / 1_000_000;

            settle();
            measuring = false;
            List<Report.Connection> finals = new ArrayList<>();
            for (Tracker t : live) {
                t.stopCounting();
                finals.add(new Report.Connection(t.room, t.firstSeq, t.applied.get(), t.conn.state().seq()));
            }
            long resyncs = live.stream().mapToLong(t -> t.conn.resyncs()).sum();
            long reconnects = live.stream().mapToLong(t -> Math.max(0, t.conn.connects() - 1)).sum(); // a socket never opened is no reconnect

            Report.Crash crash = crashClients > 0 ? crash() : null;
            awaitUntil(settleS * 1000, this::converged);
            Report.Consistency consistency = checkConsistency(owner, huddles);

            double cpu = cpuBefore < 0 ? -1 : cpu(serverPids) - cpuBefore;
            double rss = serverPids.isEmpty() ? -1 : serverPids.stream().mapToDouble(ProcStats::peakRssMiB).sum();
            long serverResyncsAfter = api.metric(servers, "huddle_ws_resyncs_total");
            long serverResyncs = serverResyncsBefore < 0 || serverResyncsAfter < 0 ? -1 : serverResyncsAfter - serverResyncsBefore;
            long serverTooSlow = api.metric(servers, "huddle_ws_too_slow_total");
            live.forEach(t -> t.conn.leave(0)); // measuring and counting stopped above: the goodbyes are not measured
            Report.Latency toggled = latencies.summary();
            return new Report(users, rooms, durationMs, warmupS * 1000, connected, toggles.get(), delivered.get(), matched.get(),
                    toggled.samples(), toggled.p50Ms(), toggled.p90Ms(), toggled.p99Ms(), toggled.maxMs(),
                    errors.get(), Map.copyOf(errorCodes), resyncs, reconnects, churnLeaves.get(), cpu, rss,
                    toggled.histogram(), toggled.perSecond(), finals,
                    windowMs, churnJoins.get(), joinsObserved.get(), leavesObserved.get(),
                    joinLatencies.summary(), leaveLatencies.summary(), serverResyncs, serverTooSlow, consistency, crash);
        } finally {
            timers.shutdownNow();
            clients.forEach(HuddleClient::close);
        }
    }

    /** The measured phase starts: server CPU, the server's resync counter, latencies' time zero, progress lines. */
    private void startMeasuring(ScheduledExecutorService timers) {
        cpuBefore = cpu(serverPids);
        serverResyncsBefore = api.metric(servers, "huddle_ws_resyncs_total");
        startNanos = System.nanoTime();
        measuring = true;
        // p99 of the last 5 s only, from histograms kept as samples come (Latencies.recentP99).
        timers.scheduleAtFixedRate(() -> progress("t=%ds toggles=%d delivered=%d p99 (last 5 s) %.1f ms | joins seen %d p99 %.1f ms"
                        + " | leaves seen %d p99 %.1f ms", (System.nanoTime() - startNanos) / 1_000_000_000L, toggles.get(),
                delivered.get(), Latencies.ms(latencies.recentP99()), joinLatencies.size(), Latencies.ms(joinLatencies.recentP99()),
                leaveLatencies.size(), Latencies.ms(leaveLatencies.recentP99())), 5, 5, TimeUnit.SECONDS);
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

    /** A speaker's next toggle, after an exponential gap: the opposite of what it last sent (false at first). */
    private void scheduleToggle(ScheduledExecutorService timers, RoomConnection c, Random rnd, boolean counted) {
        long delay = Math.max(1, (long) (-Math.log(1 - rnd.nextDouble()) * toggleMeanMs));
        timers.schedule(() -> {
            Sent last = lastSent.get(c.userId());
            boolean next = last == null || !last.value();
            lastSent.put(c.userId(), new Sent(next, System.nanoTime()));
            c.setFlags(next, null);
            if (counted) {
                toggles.incrementAndGet();
            }
            scheduleToggle(timers, c, rnd, counted);
        }, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * The warm-up: the speakers toggle for {@code --warmup-s} with nothing measured or counted; then every
     * client converges (past the server's flag window) and the tool collects its garbage, so the measured
     * window does not pay for promoting the set-up's objects.
     */
    private void warmUp(List<Tracker> all, Random random) throws InterruptedException {
        ScheduledExecutorService warm = Executors.newScheduledThreadPool(2);
        try {
            for (Tracker t : all) {
                if (t.speaker) {
                    scheduleToggle(warm, t.conn, new Random(random.nextLong()), false);
                }
            }
            warm.awaitTermination(warmupS, TimeUnit.SECONDS);
        } finally {
            warm.shutdownNow();
            warm.awaitTermination(10, TimeUnit.SECONDS);
        }
        settle();
        if (!converged()) {
            error("warmup_not_converged", 1); // a late warm-up update would be matched against a warm-up send
        }
        System.gc();
        progress("warmed up for %d s", warmupS);
    }

    /** Opens the sockets of {@code trackers} evenly over {@code windowMs}, in their order. */
    private static void openEvenly(List<Tracker> trackers, long windowMs, ScheduledExecutorService timers) {
        for (int u = 0; u < trackers.size(); u++) {
            timers.schedule(trackers.get(u)::open, u * windowMs / trackers.size(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The warm-up of a join burst: the same users fill a huddle of their own in the same way, over
     * {@code --warmup-s}, unmeasured; once every client shows all of them, they say goodbye, and the
     * tool waits until the server has closed their sockets.
     */
    private void warmUpBurst(String warmRoom, List<Tracker> all, ScheduledExecutorService timers) throws InterruptedException {
        List<Tracker> warm = all.stream().map(t -> t.elsewhere(warmRoom)).toList();
        long windowMs = warmupS * 1000;
        openEvenly(warm, windowMs, timers);
        awaitUntil(windowMs + settleS * 1000 + users * 20L, () -> warm.stream().allMatch(t -> t.onlineCount() >= users));
        if (!warm.stream().allMatch(t -> t.onlineCount() >= users)) {
            error("warmup_not_converged", 1);
        }
        warm.forEach(t -> {
            RoomConnection c = t.conn;
            if (c != null) {
                c.leave(0);
            }
        });
        awaitUntil(settleS * 1000, () -> api.metric(servers, "huddle_ws_sockets") == 0);
        if (api.metric(servers, "huddle_ws_sockets") != 0) { // still open, or the metric unreadable
            error("warmup_sockets_not_closed", 1);
        }
        System.gc();
        progress("warmed up with a burst of %d users over %d s", users, warmupS);
    }

    /**
     * One churn step: a random online non-speaker says goodbye (a real leave, no grace) and comes back
     * after an exponential time away as a new session of the same user, as a user closing the page
     * and opening it again would: a real leave, then a real join.
     */
    private void churn(ScheduledExecutorService timers, Random random) {
        List<Tracker> candidates = new ArrayList<>();
        for (Tracker t : live) {
            if (!t.speaker && t.status() == RoomConnection.Status.JOINED) {
                candidates.add(t);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        Tracker gone = candidates.get(random.nextInt(candidates.size()));
        live.remove(gone);
        sent(gone.userId(), false);
        gone.conn.leave(0);
        churnLeaves.incrementAndGet();
        long awayMs = (long) (-Math.log(1 - random.nextDouble()) * churnAwayMs);
        timers.schedule(() -> {
            Tracker back = gone.again();
            back.counting = true; // a churned-in session counts deliveries from its snapshot on (firstSeq stays -1)
            live.add(back);
            back.open();
            churnJoins.incrementAndGet();
        }, awayMs, TimeUnit.MILLISECONDS);
    }

    /** Records that a user's client sends a join or a leave now, to measure its propagation. */
    private void sent(String userId, boolean join) {
        if (measuring) {
            (join ? lastJoinSent : lastLeaveSent).put(userId, System.nanoTime());
        }
    }

    /**
     * Every client of a room ends on the same sequence number. A coalesced flag update may still sit in the
     * server's 100 ms window: converge, wait past it, converge again.
     */
    private void settle() throws InterruptedException {
        awaitUntil(settleS * 1000, this::converged);
        awaitUntil(300, () -> false);
        awaitUntil(settleS * 1000, this::converged);
    }

    /** Every live client is joined, and all clients of a room hold the same sequence number. */
    private boolean converged() {
        Map<String, Long> seqs = new HashMap<>();
        for (Tracker t : live) {
            RoomConnection c = t.conn;
            if (c == null || c.status() != RoomConnection.Status.JOINED) {
                return false;
            }
            Long prev = seqs.putIfAbsent(t.room, c.state().seq());
            if (prev != null && prev != c.state().seq()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Crash: kills clients without a goodbye (the socket is cut, the client never reconnects), then
     * waits until every remaining client of each victim's room has seen the victim go offline.
     */
    private Report.Crash crash() throws InterruptedException {
        Map<String, List<Tracker>> byRoom = byRoom(live);
        List<Tracker> victims = new ArrayList<>();
        // Round-robin over the rooms, from the end of each, always keeping the room's first client as an observer.
        for (int round = 0; victims.size() < crashClients; round++) {
            boolean took = false;
            for (List<Tracker> inRoom : byRoom.values()) {
                int i = inRoom.size() - 1 - round;
                if (i >= 1 && victims.size() < crashClients) {
                    victims.add(inRoom.get(i));
                    took = true;
                }
            }
            if (!took) {
                break;
            }
        }
        Map<String, Integer> killedPerRoom = new HashMap<>();
        victims.forEach(v -> killedPerRoom.merge(v.room, 1, Integer::sum));
        for (Tracker v : victims) {
            kills.put(v.userId(), new Kill(v.room, byRoom.get(v.room).size() - killedPerRoom.get(v.room)));
        }
        live.removeAll(victims);
        long crashStart = System.nanoTime();
        for (Tracker v : victims) {
            kills.get(v.userId()).killedNanos = System.nanoTime();
            v.conn.close(); // abort: no leave, no close frame, no reconnect (T2: the session lives to its deadline)
        }
        double boundMs = 2.5 * intervalMs + 500;
        progress("killed %d clients without a goodbye; waiting until every observer shows them offline (bound %.0f ms after the kill)",
                victims.size(), boundMs);
        awaitUntil((long) boundMs + settleS * 1000, () -> kills.values().stream().allMatch(Kill::seenByAll));
        Latencies killToOffline = new Latencies();
        Latencies deadlineToOffline = new Latencies();
        int seen = 0;
        long overBound = 0;
        long overDeadline = 0;
        for (Kill k : kills.values()) {
            synchronized (k) {
                if (!k.seenByAll()) {
                    error("offline_not_seen", 1);
                    continue;
                }
                seen++;
                long micros = (k.lastSeenNanos - k.killedNanos) / 1000;
                long afterDeadlineMicros = (k.lastSeenWallMs - k.deadlineMs) * 1000;
                long atMs = (k.lastSeenNanos - crashStart) / 1_000_000;
                killToOffline.add(atMs, micros);
                deadlineToOffline.add(atMs, afterDeadlineMicros);
                boolean late = micros > boundMs * 1000;
                overBound += late ? 1 : 0;
                overDeadline += afterDeadlineMicros > 500_000 ? 1 : 0;
                if (late || afterDeadlineMicros > 500_000) {
                    error("offline_late", 1);
                }
            }
        }
        return new Report.Crash(victims.size(), seen, live.size(), boundMs, killToOffline.summary(), overBound,
                deadlineToOffline.summary(), overDeadline);
    }

    /** A killed client: how many observers must see it leave, and when the last of them did. */
    private static final class Kill {
        final String room;
        final int observers;
        volatile long killedNanos;
        private int seen;
        long lastSeenNanos;
        long lastSeenWallMs;
        long deadlineMs;

        Kill(String room, int observers) {
            this.room = room;
            this.observers = observers;
        }

        synchronized void seen(long nanos, long wallMs, long lastDisconnected) {
            seen++;
            lastSeenNanos = Math.max(lastSeenNanos, nanos);
            lastSeenWallMs = Math.max(lastSeenWallMs, wallMs);
            deadlineMs = lastDisconnected;
        }

        synchronized boolean seenByAll() {
            return seen >= observers;
        }
    }

    /**
     * Compares every live client's list of online users with its room's reference: the server's own
     * list when it holds every online user, else the users the tool holds online in the room (see
     * {@link Report.Consistency}). Every mismatch counts as an error.
     */
    private Report.Consistency checkConsistency(Identity owner, List<HuddleInfo> huddles) throws IOException, InterruptedException {
        Map<String, List<Tracker>> byRoom = byRoom(live);
        int compared = 0;
        int checked = 0;
        int exact = 0;
        long ghosts = 0;
        long missing = 0;
        long duplicates = 0;
        long serverGhosts = 0;
        long serverMissing = 0;
        for (HuddleInfo h : huddles) {
            List<Tracker> here = byRoom.getOrDefault(h.id(), List.of());
            Set<String> expected = new HashSet<>();
            here.forEach(t -> expected.add(t.userId()));
            ServerApi.OnlineList server = api.online(servers.get(0), owner.token(), h.id());
            Set<String> listed = new HashSet<>(server.userIds());
            duplicates += server.userIds().size() - listed.size();
            Set<String> reference = expected;
            if (server.complete()) {
                compared++;
                serverGhosts += minus(listed, expected);
                serverMissing += minus(expected, listed);
                reference = listed;
            }
            for (Tracker t : here) {
                List<String> shown = t.conn.view().participants().stream().map(Participant::userId).toList();
                Set<String> shownSet = new HashSet<>(shown);
                long d = shown.size() - shownSet.size();
                long g = minus(shownSet, reference);
                long m = minus(reference, shownSet);
                checked++;
                exact += d + g + m == 0 ? 1 : 0;
                duplicates += d;
                ghosts += g;
                missing += m;
            }
        }
        error("ghost", ghosts);
        error("missing", missing);
        error("duplicate", duplicates);
        error("server_ghost", serverGhosts);
        error("server_missing", serverMissing);
        progress("consistency: %d/%d clients show exactly their room's list (%d of %d rooms compared with the server's list)",
                exact, checked, compared, huddles.size());
        return new Report.Consistency(huddles.size(), compared, checked, exact, ghosts, missing, duplicates, serverGhosts, serverMissing);
    }

    private static long minus(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).count();
    }

    private static Map<String, List<Tracker>> byRoom(List<Tracker> trackers) {
        Map<String, List<Tracker>> out = new LinkedHashMap<>();
        for (Tracker t : trackers) {
            out.computeIfAbsent(t.room, k -> new ArrayList<>()).add(t);
        }
        return out;
    }

    private void error(String code, long n) {
        if (n > 0) {
            errors.addAndGet(n);
            errorCodes.merge(code, n, Long::sum);
        }
    }

    /** One user's client: counts the changes it receives and measures what it sees against what was sent. */
    private final class Tracker implements RoomListener {
        final String room;
        final HuddleClient node;
        final boolean speaker;
        final AtomicLong applied = new AtomicLong();
        volatile Identity who;
        volatile RoomConnection conn;
        volatile boolean counting;
        volatile long firstSeq = -1;

        Tracker(String room, HuddleClient node, boolean speaker) {
            this.room = room;
            this.node = node;
            this.speaker = speaker;
        }

        void signIn(String name) {
            who = node.signInGuest(name);
            node.joinHuddle(who, room, "participant");
        }

        void open() {
            conn = node.connect(who, room, RoomConnection.Options.defaults().withInterval(intervalMs), this);
        }

        /** The same user's next session (after a churn leave). */
        Tracker again() {
            return elsewhere(room);
        }

        /** A session of the same user in {@code huddle}. */
        Tracker elsewhere(String huddle) {
            Tracker t = new Tracker(huddle, node, speaker);
            t.who = who;
            return t;
        }

        String userId() {
            return who.userId();
        }

        RoomConnection.Status status() {
            RoomConnection c = conn;
            return c == null ? RoomConnection.Status.CONNECTING : c.status();
        }

        /** Online users in this client's state (no sorted view: cheap enough to poll for thousands of clients). */
        int onlineCount() {
            RoomConnection c = conn;
            if (c == null) {
                return 0;
            }
            return c.state().onlineCount();
        }

        /** From now on, count: under the connection's lock, so no change falls between the seq read and the flag. */
        void startCounting() {
            RoomConnection c = conn;
            if (c == null) {
                return;
            }
            synchronized (c) {
                firstSeq = c.state().seq();
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
        public void onStatus(RoomConnection.Status status) {
            if (status == RoomConnection.Status.CONNECTED) {
                sent(userId(), true); // the socket is open: the client sends subscribe and join right now
            }
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
        public void onJoin(Participant other) {
            seen(other, true, joinLatencies, joinsObserved);
        }

        @Override
        public void onLeave(Participant other) {
            seen(other, false, leaveLatencies, leavesObserved);
            Kill k = kills.get(other.userId());
            if (k != null && k.room.equals(room)) {
                k.seen(System.nanoTime(), System.currentTimeMillis(), other.lastDisconnected());
            }
        }

        /**
         * Someone else came online or went offline here: matched to that user's last join or leave sent.
         * Only once this client shows a list (its first snapshot is in): RoomConnection also reports the
         * changes it buffers before that snapshot, judged against an empty room, so there an update of
         * someone long online looks like a join.
         */
        private void seen(Participant other, boolean join, Latencies into, AtomicLong observed) {
            RoomConnection c = conn;
            if (!measuring || c == null || !c.state().synced()) {
                return;
            }
            long now = System.nanoTime();
            observed.incrementAndGet();
            Long at = (join ? lastJoinSent : lastLeaveSent).get(other.userId());
            if (at != null) {
                into.add((now - startNanos) / 1_000_000, (now - at) / 1_000);
            }
        }

        @Override
        public void onError(String code, String message) {
            error(code, 1);
        }
    }

    private static void awaitUntil(long timeoutMs, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        Object lock = new Object();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            synchronized (lock) {
                lock.wait(200); // poll the clients' state (a scan of every client: not too often); nothing notifies this lock
            }
        }
    }

    /** A progress line, stamped with the wall-clock time to line it up with CPU samples and server logs. */
    private void progress(String format, Object... args) {
        if (!quiet) {
            System.out.printf(Locale.ROOT, "%s " + format + "%n", prepend(java.time.LocalTime.now().withNano(0), args));
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    static String summary(Report r) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "sessions %d/%d in %d rooms | toggles sent %d | changes delivered %d (speaking updates matched %d) | "
                        + "latency p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms | errors %d %s resyncs %d reconnects %d | "
                        + "server cpu %.1f s peak rss %.0f MiB",
                r.sessionsConnected(), r.users(), r.rooms(), r.togglesSent(), r.changesDelivered(), r.updatesMatched(),
                r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.errors(), r.errorCodes(), r.resyncs(), r.reconnects(),
                r.serverCpuSeconds(), r.serverPeakRssMiB()));
        latency(s, "joins", r.joins());
        latency(s, "leaves", r.leaves());
        if (r.churnLeaves() > 0) {
            s.append(String.format(Locale.ROOT, " | churn: %d leaves, %d returns", r.churnLeaves(), r.churnJoins()));
        }
        s.append(String.format(Locale.ROOT, " | server resyncs %d too slow %d", r.serverResyncs(), r.serverTooSlow()));
        Report.Consistency c = r.consistency();
        s.append(String.format(Locale.ROOT,
                " | lists: %d/%d clients exact (%d/%d rooms vs server), ghosts %d missing %d duplicates %d, server ghosts %d missing %d",
                c.clientsExact(), c.clientsChecked(), c.roomsComparedWithServer(), c.rooms(), c.ghosts(), c.missing(),
                c.duplicates(), c.serverGhosts(), c.serverMissing()));
        Report.Crash k = r.crash();
        if (k != null) {
            s.append(String.format(Locale.ROOT,
                    " | crash: %d killed, %d seen offline by all %d observers; kill->offline p50 %.0f p99 %.0f max %.0f ms "
                            + "(bound %.0f ms, %d over); after deadline p50 %.0f p99 %.0f max %.0f ms (%d over 500 ms)",
                    k.killed(), k.seenOfflineByAll(), k.observers(), k.killToOffline().p50Ms(), k.killToOffline().p99Ms(),
                    k.killToOffline().maxMs(), k.boundMs(), k.overBound(), k.deadlineToOffline().p50Ms(),
                    k.deadlineToOffline().p99Ms(), k.deadlineToOffline().maxMs(), k.overDeadline()));
        }
        return s.toString();
    }

    private static void latency(StringBuilder s, String what, Report.Latency l) {
        if (l.samples() > 0) {
            s.append(String.format(Locale.ROOT, " | %s: %d samples p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms",
                    what, l.samples(), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.maxMs()));
        }
    }

    static String json(Report r) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r);
    }
}
