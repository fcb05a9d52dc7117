package dev.huddle.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code anon-flood} scenario (X1, X2): a public room of M online members, and N anonymous sockets
 * that subscribe to it by slug again and again and never read, while the room keeps changing (members
 * toggle speaking) so that snapshots taken a moment apart differ. Meanwhile it measures what everyone
 * else sees: {@code /health} every 10 ms, and a normal user's join (membership, then the first
 * heartbeat) every 100 ms; and it samples the server's heap and bytes queued to clients. The server
 * must lift its per-address limits (every socket comes from this one address) and guest sign-in
 * limits (the members sign in from it too).
 */
@Command(name = "anon-flood", mixinStandardHelpOptions = true,
        description = "Flood a public room with anonymous never-reading sockets and measure /health and joins meanwhile.")
public final class AnonFlood implements Callable<Integer> {
    @Option(names = "--server", defaultValue = "http://localhost:8080/", description = "Server URL.")
    URI server;
    @Option(names = "--sockets", defaultValue = "2000", description = "Anonymous sockets that never read.")
    int sockets;
    @Option(names = "--members", defaultValue = "1000", description = "Online members of the public room.")
    int members;
    @Option(names = "--subscribes-per-socket", defaultValue = "30", description = "Subscribes each socket sends, spread over the flood.")
    int subscribes;
    @Option(names = "--duration-s", defaultValue = "30", description = "How long the flood lasts.")
    int durationS;
    @Option(names = "--warmup-s", defaultValue = "0", description = "Seconds of flood before the measured --duration-s, "
            + "reported apart: a fresh JVM compiles the paths a flood takes in its first seconds, which a server that "
            + "has served sockets before has done.")
    int warmupS;
    @Option(names = "--changes-per-second", defaultValue = "20", description = "Speaking toggles in the room a second.")
    int changesPerSecond;
    @Option(names = "--parallelism", defaultValue = "16", description = "Sign-ins and connects in flight at once.")
    int parallelism;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) {
        System.exit(new CommandLine(new AnonFlood()).execute(args));
    }

    private record Guest(String userId, String token) {
    }

    @Override
    public Integer call() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        // Session ids of this run: a second run against the same server must not reuse the first's.
        String run = Long.toString(System.nanoTime(), 36) + "-";
        Guest owner = guest("Owner");
        JsonNode huddle = post("/api/huddles", owner.token(), Map.of("title", "Anon flood"));
        String id = huddle.get("id").asText();
        String slug = huddle.get("slug").asText();
        String name = "Member with a name of some length, as people have";
        List<Future<Guest>> pending = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            int n = i;
            pending.add(pool.submit(() -> {
                Guest g = guest(name + " " + n);
                post("/api/huddles/" + id + "/join", g.token(), Map.of("role", "participant"));
                heartbeat(g, id, run + "m-" + n);
                return g;
            }));
        }
        List<Guest> online = new ArrayList<>();
        for (Future<Guest> f : pending) {
            online.add(f.get());
        }
        List<Guest> joiners = new ArrayList<>();
        for (int i = 0; i < (warmupS + durationS) * 10 + 10; i++) {
            joiners.add(guest("Joiner " + i));
        }
        System.out.printf("room %s: %d members online; opening %d anonymous sockets%n", slug, online.size(), sockets);

        List<Socket> open = new ArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        List<Future<Socket>> connecting = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            connecting.add(pool.submit(() -> upgrade(refused)));
        }
        for (Future<Socket> f : connecting) {
            Socket s = f.get();
            if (s != null) {
                open.add(s);
            }
        }
        System.out.printf("%d sockets open, %d refused; flooding for %d s%n", open.size(), refused.get(), durationS);

        AtomicBoolean flooding = new AtomicBoolean(true);
        Latencies health = new Latencies();
        Latencies joins = new Latencies();
        Latencies memberships = new Latencies();
        AtomicLong heapMax = new AtomicLong();
        AtomicLong queuedMax = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        long t0 = System.nanoTime();
        ExecutorService probes = Executors.newFixedThreadPool(5);
        probes.submit(() -> probe(flooding, 10, () -> {
            long s = System.nanoTime();
            if (get("/health").statusCode() != 200) {
                failures.incrementAndGet();
            }
            health.add(ms(t0), (System.nanoTime() - s) / 1_000);
        }));
        AtomicInteger next = new AtomicInteger();
        probes.submit(() -> probe(flooding, 100, () -> {
            int n = next.getAndIncrement();
            if (n >= joiners.size()) {
                return;
            }
            Guest g = joiners.get(n);
            long s = System.nanoTime();
            post("/api/huddles/" + id + "/join", g.token(), Map.of("role", "participant"));
            long joined = System.nanoTime();
            heartbeat(g, id, run + "j-" + n);
            memberships.add(ms(t0), (joined - s) / 1_000);
            joins.add(ms(t0), (System.nanoTime() - s) / 1_000);
        }));
        probes.submit(() -> probe(flooding, 200, () -> {
            String metrics = get("/metrics").body();
            heapMax.accumulateAndGet(sum(metrics, "jvm_memory_used_bytes{area=\"heap\""), Math::max);
            queuedMax.accumulateAndGet(sum(metrics, "huddle_ws_outbound_queued_bytes"), Math::max);
        }));
        Random random = new Random(1);
        probes.submit(() -> probe(flooding, Math.max(1, 1000 / Math.max(1, changesPerSecond)), () -> {
            int m = random.nextInt(online.size());
            post("/api/presence/flags", online.get(m).token(), Map.of("roomId", id, "sessionId", run + "m-" + m,
                    "isSpeaking", random.nextBoolean(), "isRecording", false));
        }));
        // Keep the members alive however long the run.
        probes.submit(() -> probe(flooding, 60_000, () -> {
            for (int i = 0; i < online.size(); i++) {
                heartbeat(online.get(i), id, run + "m-" + i);
            }
        }));

        byte[] subscribe = frame("{\"type\":\"subscribe\",\"huddle\":\"" + slug + "\"}");
        int rounds = subscribes * (warmupS + durationS) / durationS;
        long roundNanos = TimeUnit.SECONDS.toNanos(warmupS + durationS) / Math.max(1, rounds);
        AtomicInteger cut = new AtomicInteger();
        boolean[] dead = new boolean[open.size()];
        for (int round = 0; round < rounds; round++) {
            long roundStart = System.nanoTime();
            for (int i = 0; i < open.size(); i++) {
                if (!dead[i]) {
                    try {
                        OutputStream out = open.get(i).getOutputStream();
                        out.write(subscribe);
                        out.flush();
                    } catch (IOException e) {
                        dead[i] = true;
                        cut.incrementAndGet();
                    }
                }
            }
            long left = roundNanos - (System.nanoTime() - roundStart);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        }
        flooding.set(false);
        probes.shutdown();
        probes.awaitTermination(30, TimeUnit.SECONDS);
        long overBudget = sum(get("/metrics").body(), "huddle_ws_over_budget_total");

        long from = warmupS * 1000L;
        long[] h = health.sorted(from, Long.MAX_VALUE);
        long[] j = joins.sorted(from, Long.MAX_VALUE);
        System.out.printf("anon-flood: %d sockets (%d refused at the upgrade, %d cut by the server), %d subscribes each in %d s, "
                + "room of %d members; measured over %d s after %d s of warm-up%n", open.size(), refused.get(), cut.get(), rounds,
                warmupS + durationS, online.size(), durationS, warmupS);
        System.out.printf("  /health: %d probes, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed%n", h.length, pct(h, 50),
                pct(h, 99), pct(h, 100), failures.get());
        System.out.printf("  join (membership + first heartbeat): %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", j.length,
                pct(j, 50), pct(j, 99), pct(j, 100));
        long[] mj = memberships.sorted(from, Long.MAX_VALUE);
        System.out.printf("    of which the membership (POST join): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", pct(mj, 50), pct(mj, 99),
                pct(mj, 100));
        StringBuilder bySecond = new StringBuilder();
        for (long[] sec : joins.perSecond()) {
            bySecond.append(String.format(" %.0f", sec[4] / 1000.0));
        }
        System.out.println("  join, slowest per second of the flood (ms):" + bySecond);
        if (warmupS > 0) {
            long[] hc = health.sorted(0, from);
            long[] jc = joins.sorted(0, from);
            System.out.printf("  the first %d s, not counted above: /health p99 %.1f ms, max %.1f ms; join p99 %.1f ms, max %.1f ms%n",
                    warmupS, pct(hc, 99), pct(hc, 100), pct(jc, 99), pct(jc, 100));
        }
        System.out.printf("  server heap used, max sampled: %d MiB; bytes queued to clients, max sampled: %d KiB; "
                + "sockets closed with 4009: %d%n", heapMax.get() >> 20, queuedMax.get() >> 10, overBudget);
        open.forEach(AnonFlood::closeQuietly);
        pool.shutdownNow();
        return failures.get() == 0 ? 0 : 1;
    }

    private interface Probe {
        void run() throws Exception;
    }

    private static Void probe(AtomicBoolean on, long everyMs, Probe p) throws InterruptedException {
        while (on.get()) {
            long s = System.nanoTime();
            try {
                p.run();
            } catch (Exception e) {
                System.out.println("probe failed: " + e);
            }
            long left = TimeUnit.MILLISECONDS.toNanos(everyMs) - (System.nanoTime() - s);
            long end = System.nanoTime() + left;
            while (on.get() && left > 0) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                left = end - System.nanoTime();
            }
        }
        return null;
    }

    private static double pct(long[] sortedMicros, int p) {
        if (sortedMicros.length == 0) {
            return 0;
        }
        int i = p >= 100 ? sortedMicros.length - 1 : (int) Math.ceil(p / 100.0 * sortedMicros.length) - 1;
        return sortedMicros[Math.max(0, i)] / 1000.0;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The sum of a metric's samples whose line starts with {@code prefix}. */
    private static long sum(String metrics, String prefix) {
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** An anonymous socket with a tiny receive buffer that is never read; null when the upgrade was refused. */
    private Socket upgrade(AtomicInteger refused) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4_096);
        s.connect(new InetSocketAddress(server.getHost(), server.getPort()), 10_000);
        byte[] key = new byte[16];
        new Random().nextBytes(key);
        String req = "GET /ws HTTP/1.1\r\nHost: " + server.getHost() + ":" + server.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            refused.incrementAndGet();
            s.close();
            return null;
        }
        return s;
    }

    /** One masked text frame (clients must mask). */
    private static byte[] frame(String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[2 + (p.length >= 126 ? 2 : 0) + 4 + p.length];
        int at = 0;
        f[at++] = (byte) 0x81;
        if (p.length < 126) {
            f[at++] = (byte) (0x80 | p.length);
        } else {
            f[at++] = (byte) (0x80 | 126);
            f[at++] = (byte) (p.length >> 8);
            f[at++] = (byte) p.length;
        }
        byte[] mask = {7, 21, 42, 99};
        System.arraycopy(mask, 0, f, at, 4);
        at += 4;
        for (int i = 0; i < p.length; i++) {
            f[at + i] = (byte) (p[i] ^ mask[i % 4]);
        }
        return f;
    }

    private Guest guest(String displayName) throws IOException, InterruptedException {
        JsonNode r = post("/api/auth/guest", null, Map.of("displayName", displayName));
        return new Guest(r.get("userId").asText(), r.get("token").asText());
    }

    private void heartbeat(Guest g, String room, String sessionId) throws IOException, InterruptedException {
        post("/api/presence/heartbeat", g.token(), Map.of("roomId", room, "userId", g.userId(), "sessionId", sessionId,
                "interval", 120_000));
    }

    private JsonNode post(String path, String token, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body().isEmpty() ? "{}" : r.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }
}
