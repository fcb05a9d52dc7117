package dev.huddle.load.proto;

import dev.huddle.load.ProcStats;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * The load side of a transport prototype, shaped as {@code FanoutTool}: opens N sockets to
 * {@code ws://127.0.0.1:PORT/ws}, then issues events one at a time (a text frame on the first socket),
 * each only after every socket received the frame of the one before. After WARMUP events (for the
 * server's JIT), it charges the server process's CPU ({@code /proc}, user + system) over the next
 * EVENTS × N frames delivered, and prints one line:
 * {@code transport=… n=… events=… us_per_frame=… sys_us_per_frame=… p50_ms=… p99_ms=…}.
 *
 * <pre>java -cp benchmarks.jar dev.huddle.load.proto.TransportDriver LABEL PORT SERVER_PID N [EVENTS=400] [WARMUP=200]</pre>
 */
public final class TransportDriver {
    private final AtomicLong received = new AtomicLong();
    private volatile long target;
    private final Thread waiter = Thread.currentThread();

    private TransportDriver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TransportDriver LABEL PORT SERVER_PID N [EVENTS=400] [WARMUP=200]");
            System.exit(2);
        }
        String label = args[0];
        URI uri = URI.create("ws://127.0.0.1:" + args[1] + "/ws");
        long pid = Long.parseLong(args[2]);
        int n = Integer.parseInt(args[3]);
        int events = args.length > 4 ? Integer.parseInt(args[4]) : 400;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 200;
        new TransportDriver().run(label, uri, pid, n, events, warmup);
        System.exit(0);
    }

    private void run(String label, URI uri, long pid, int n, int events, int warmup) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setDaemon(true);
        org.eclipse.jetty.client.HttpClient upgrades = new org.eclipse.jetty.client.HttpClient();
        upgrades.setExecutor(pool);
        upgrades.setMaxRequestsQueuedPerDestination(1 << 16);
        WebSocketCoreClient client = new WebSocketCoreClient(upgrades, null);
        client.start();
        Configuration.ConfigurationCustomizer settings = new Configuration.ConfigurationCustomizer();
        settings.setIdleTimeout(Duration.ZERO);
        List<Receiver> sockets = new ArrayList<>();
        Semaphore inFlight = new Semaphore(16);
        for (int i = 0; i < n; i++) {
            Receiver r = new Receiver();
            sockets.add(r);
            CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, uri, r);
            request.setConfiguration(settings);
            inFlight.acquire();
            client.connect(request).whenComplete((s, failure) -> {
                inFlight.release();
                if (failure != null) {
                    failure.printStackTrace();
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + n / 50);
        while (sockets.stream().anyMatch(s -> s.session == null)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sockets did not open");
            }
            Thread.sleep(20);
        }
        CoreSession trigger = sockets.get(0).session;
        long[] micros = new long[events];
        double[] before = null;
        java.util.Map<String, Double> threadsBefore = null;
        for (int e = 0; e < warmup + events; e++) {
            if (e == warmup) {
                before = ProcStats.userSystemSeconds(pid);
                threadsBefore = ServerThreads.cpuSeconds(pid);
            }
            long start = System.nanoTime();
            target = (long) (e + 1) * n;
            trigger.sendFrame(new Frame(OpCode.TEXT, "event"), Callback.NOOP, false);
            long until = start + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < target) {
                LockSupport.parkNanos(this, 10_000_000);
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("event " + e + ": " + (target - received.get()) + " frames missing");
                }
            }
            if (e >= warmup) {
                micros[e - warmup] = (System.nanoTime() - start) / 1000;
            }
        }
        double[] after = ProcStats.userSystemSeconds(pid);
        double frames = (double) events * n;
        Arrays.sort(micros);
        System.out.printf("transport=%s n=%d events=%d us_per_frame=%.2f sys_us_per_frame=%.2f p50_ms=%.2f p99_ms=%.2f%n", label, n,
                events, ((after[0] + after[1]) - (before[0] + before[1])) * 1e6 / frames, (after[1] - before[1]) * 1e6 / frames,
                micros[events / 2] / 1000.0, micros[(int) (events * 0.99)] / 1000.0);
        System.out.println("  threads, us per frame: " + ServerThreads.top(threadsBefore, ServerThreads.cpuSeconds(pid), frames, 5));
        for (Receiver r : sockets) {
            r.session.close(CloseStatus.NORMAL, "done", Callback.NOOP);
        }
    }

    /** One socket: counts the frames it receives, and wakes the driver when the event's last one came. */
    private final class Receiver implements FrameHandler {
        volatile CoreSession session;

        @Override
        public void onOpen(CoreSession s, Callback callback) {
            session = s;
            callback.succeeded();
            s.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            if (frame.getOpCode() == OpCode.TEXT && received.incrementAndGet() == target) {
                LockSupport.unpark(waiter);
            }
            callback.succeeded();
            session.demand();
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus status, Callback callback) {
            callback.succeeded();
        }
    }
}
