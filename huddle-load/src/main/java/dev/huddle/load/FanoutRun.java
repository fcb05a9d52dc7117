package dev.huddle.load;

import dev.huddle.client.HuddleClient;
import dev.huddle.client.HuddleInfo;
import dev.huddle.client.Identity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * One run of the fan-out scenario ({@link FanoutTool}): one room, every member's socket subscribed,
 * and events issued one at a time, each only after every observer saw the one before: every member
 * joins, {@code --toggles} speaking toggles, a quiet {@code --idle-s}, every member leaves. What it
 * costs the server is measured per phase over the change frames the server says it fanned out.
 */
final class FanoutRun {
    private final FanoutTool o;
    private final Progress progress;
    private final ServerApi api = new ServerApi();
    private final ServerProcess server;
    private final AtomicLong changeFrames = new AtomicLong();
    private final FanoutEvents events;
    private long errors;

    FanoutRun(FanoutTool options) {
        this.o = options;
        this.progress = new Progress(options.quiet);
        this.server = new ServerProcess(options.serverPid, options.serverGcLog);
        this.events = new FanoutEvents(options.observers);
    }

    FanoutReport run() throws Exception {
        try (HuddleClient http = HuddleClient.create(o.server)) {
            Identity owner = http.signInGuest("fanout owner");
            HuddleInfo room = http.createHuddle(owner, "fanout room");
            List<Identity> members = signIn(http, room.id());
            progress.line("%d members signed in", members.size());
            WebSocketCoreClient client = socketClient();
            List<FanoutSocket> sockets = new ArrayList<>();
            try {
                open(client, room.id(), members, sockets);
                List<FanoutReport.Phase> phases = new ArrayList<>();
                phases.add(phase("join", members.size(), i -> {
                    events.expect("join", members.get(i).userId());
                    sockets.get(i).join();
                }));
                phases.add(phase("toggle", o.toggles, t -> {
                    int m = t % members.size();
                    events.expect("update", members.get(m).userId());
                    sockets.get(m).speaking(t / members.size() % 2 == 0); // each member on, then (past N toggles) off
                }));
                settle();
                long gcMark = server.gcMark();
                double cpu0 = server.onCpuSeconds();
                progress.line("idle for %d s", o.idleS);
                Thread.sleep(o.idleS * 1000); // the measurement itself: nobody does anything
                double idleCpu = server.onCpuSeconds() - cpu0;
                ServerProcess.Pauses idleGc = server.pausesSince(gcMark);
                int threads = server.threads();
                double heap = server.heapAfterFullGcMiB();
                phases.add(phase("leave", members.size(), i -> {
                    events.expect("leave", members.get(i).userId());
                    sockets.get(i).leave();
                }));
                errors += events.unreadableFrames();
                return new FanoutReport(members.size(), o.observers, phases, o.idleS * 1000,
                        cpu0 < 0 ? -1 : 100 * idleCpu / o.idleS, idleGc, threads, heap, errors);
            } finally {
                sockets.forEach(FanoutSocket::close);
                Poll.until(10_000, () -> sockets.stream().allMatch(s -> s.closed));
                client.stop();
            }
        }
    }

    /** One event of a phase: sends it (after {@link FanoutEvents#expect}). */
    private interface Event {
        void send(int i) throws Exception;
    }

    private FanoutReport.Phase phase(String name, int count, Event event) throws Exception {
        long frames0 = api.metric(List.of(o.server), FanoutTool.FRAMES_METRIC);
        long received0 = changeFrames.get();
        long gcMark = server.gcMark();
        double cpu0 = server.cpuSeconds();
        double sys0 = server.systemSeconds();
        Latencies latencies = new Latencies();
        long start = System.nanoTime();
        int seenByAll = 0;
        for (int i = 0; i < count; i++) {
            event.send(i);
            long micros = events.await(o.eventTimeoutMs);
            if (micros < 0) {
                errors++;
                progress.line("%s %d: not seen by every observer within %d ms", name, i, o.eventTimeoutMs);
            } else {
                seenByAll++;
                latencies.add((System.nanoTime() - start) / 1_000_000, micros);
            }
        }
        long framesAfter = settle();
        double cpu = cpu0 < 0 ? -1 : server.cpuSeconds() - cpu0;
        double sys = sys0 < 0 ? -1 : server.systemSeconds() - sys0;
        long frames = frames0 < 0 || framesAfter < 0 ? -1 : framesAfter - frames0;
        Report.Latency l = latencies.summary();
        FanoutReport.Phase p = new FanoutReport.Phase(name, count, seenByAll, l.p50Ms(), l.p99Ms(), l.maxMs(), cpu, frames,
                changeFrames.get() - received0, frames > 0 && cpu >= 0 ? cpu * 1e6 / frames : -1,
                frames > 0 && sys >= 0 ? sys * 1e6 / frames : -1, server.pausesSince(gcMark));
        progress.line("%s: %d/%d seen by all, p50 %.2f ms p99 %.2f ms, %.2f us/frame", name, seenByAll, count, p.p50Ms(),
                p.p99Ms(), p.cpuMicrosPerFrame());
        return p;
    }

    /**
     * Waits until the members' sockets have received every change frame the server fanned out (at most
     * {@code --settle-s}), and returns the server's count then.
     */
    private long settle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.settleS);
        long sent;
        do {
            sent = api.metric(List.of(o.server), FanoutTool.FRAMES_METRIC);
            if (sent < 0 || changeFrames.get() + baseline >= sent) {
                return sent;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        return sent;
    }

    /** The server's count of change frames minus the frames these sockets received, once all subscribed (other runs' frames). */
    private long baseline;

    private List<Identity> signIn(HuddleClient http, String huddleId) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(o.parallelism);
        try {
            List<Future<Identity>> pending = new ArrayList<>();
            for (int i = 0; i < o.members; i++) {
                String name = "member " + i;
                pending.add(pool.submit(() -> {
                    Identity who = http.signInGuest(name);
                    http.joinHuddle(who, huddleId, "participant");
                    return who;
                }));
            }
            List<Identity> out = new ArrayList<>();
            for (Future<Identity> f : pending) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** Opens every member's socket ({@code --connect-parallelism} upgrades at once) and waits until each has its snapshot. */
    private void open(WebSocketCoreClient client, String huddleId, List<Identity> members, List<FanoutSocket> sockets)
            throws Exception {
        Semaphore inFlight = new Semaphore(o.parallelism);
        int every = Math.max(1, members.size() / o.observers);
        int observers = 0;
        for (int i = 0; i < members.size(); i++) {
            boolean observer = i % every == 0 && observers < o.observers;
            observers += observer ? 1 : 0;
            FanoutSocket s = new FanoutSocket(huddleId, "fanout-" + i, events, observer, changeFrames);
            sockets.add(s);
            CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, o.wsUrl != null ? o.wsUrl : webSocketUri(o.server), s);
            String token = members.get(i).token();
            request.headers(h -> h.put("Authorization", "Bearer " + token));
            request.setConfiguration(SETTINGS);
            inFlight.acquire();
            client.connect(request).whenComplete((session, failure) -> inFlight.release());
        }
        Poll.until(o.settleS * 1000 + members.size() * 10L, () -> sockets.stream().allMatch(s -> s.subscribed));
        long subscribed = sockets.stream().filter(s -> s.subscribed).count();
        if (subscribed < sockets.size()) {
            throw new IllegalStateException((sockets.size() - subscribed) + " sockets got no snapshot");
        }
        baseline = api.metric(List.of(o.server), FanoutTool.FRAMES_METRIC) - changeFrames.get();
        progress.line("%d sockets subscribed, %d of them observers", sockets.size(), observers);
    }

    private static final Configuration.ConfigurationCustomizer SETTINGS = new Configuration.ConfigurationCustomizer();

    static {
        SETTINGS.setIdleTimeout(Duration.ZERO); // the server pings (T1); the sockets answer
        SETTINGS.setMaxTextMessageSize(64 << 20); // a snapshot of 5 000 members is about 1 MB
    }

    private static WebSocketCoreClient socketClient() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("fanout-ws");
        pool.setDaemon(true);
        org.eclipse.jetty.client.HttpClient upgrades = new org.eclipse.jetty.client.HttpClient();
        upgrades.setExecutor(pool);
        upgrades.setScheduler(new ScheduledExecutorScheduler("fanout-ws-timer", true));
        upgrades.setMaxRequestsQueuedPerDestination(1 << 16);
        WebSocketCoreClient client = new WebSocketCoreClient(upgrades, null);
        client.start();
        return client;
    }

    static URI webSocketUri(URI server) {
        URI ws = server.resolve("/ws");
        return URI.create(("https".equals(ws.getScheme()) ? "wss" : "ws") + ws.toString().substring(ws.getScheme().length()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
