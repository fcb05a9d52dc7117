package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.Presence;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * X1, X2: clients that attack the WebSocket side, against a real server over real sockets. Each test
 * names what is tried; in each, the server stays up for everyone else, what it holds for clients stays
 * under its budget, and the attackers get a documented refusal.
 */
class HostileClientsTest {
    private static final int BUDGET_MB = 2;
    private static final long BUDGET = BUDGET_MB * 1024L * 1024L;
    private static final String NAME = "n".repeat(200);

    @TempDir
    Path dir;

    @Test
    @DisplayName("X1: 40 anonymous sockets subscribe again and again to 6 public rooms of 300 members that keep changing, and never read: "
            + "/health and a member's join, heartbeat and list keep working during and after; queued bytes never pass the budget; "
            + "the hogs are closed with 4009 over_budget")
    void anonymousSnapshotFlood() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withOutboundBudgetMb(BUDGET_MB).withSendTimeoutMs(600_000),
                c -> c.withHttp(c.http().withoutGuestSignInLimits()))) {
            Guest owner = f.guest("Owner");
            Presence presence = f.t.server.presence();
            LiveHub hub = f.t.server.live();
            List<JsonNode> rooms = new ArrayList<>();
            for (int r = 0; r < 6; r++) { // snapshots of about 90 KB each
                JsonNode h = f.huddle(owner);
                for (int i = 0; i < 300; i++) {
                    presence.heartbeat(h.get("id").asText(), "member-" + i, "m-" + r + "-" + i, 10_000, Map.of("displayName", NAME));
                }
                rooms.add(h);
            }
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong mostQueued = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<RawWsClient> hogs = new ArrayList<>();
            try {
                // The rooms change all the time, so snapshots asked a moment apart are different arrays.
                Future<?> churn = pool.submit(() -> {
                    for (int n = 0; flooding.get(); n++) {
                        String room = rooms.get(n % rooms.size()).get("id").asText();
                        presence.heartbeat(room, "member-" + (n % 300), "m-" + (n % rooms.size()) + "-" + (n % 300), 10_000,
                                Map.of("displayName", NAME + n));
                        if (n % 50 == 0) {
                            Thread.sleep(1); // yield to the server's threads on a small machine
                        }
                    }
                    return null;
                });
                Future<?> watch = pool.submit(() -> {
                    while (flooding.get()) {
                        mostQueued.accumulateAndGet(hub.queuedBytes(), Math::max);
                        Thread.onSpinWait();
                    }
                });
                for (int i = 0; i < 40; i++) {
                    hogs.add(new RawWsClient(f.t.server.socketPort(), null, 4_096));
                }
                for (int round = 0; round < 30 && hub.overBudgetCloses() < 20; round++) {
                    for (RawWsClient hog : hogs) {
                        for (JsonNode room : rooms) {
                            try {
                                hog.sendText("{\"type\":\"subscribe\",\"requestId\":\"r" + round + "\",\"huddle\":\""
                                        + room.get("slug").asText() + "\"}");
                            } catch (IOException closed) {
                                break; // shed: the server stopped reading it
                            }
                        }
                    }
                    if (round % 5 == 4) {
                        assertServesEveryone(f, rooms.get(0).get("id").asText(), "during the flood, round " + round);
                    }
                }
                assertThat(hub.overBudgetCloses()).as("hogs closed for the budget").isGreaterThan(0);
                assertServesEveryone(f, rooms.get(1).get("id").asText(), "at the end of the flood");
                flooding.set(false);
                churn.get(10, TimeUnit.SECONDS);
                watch.get(10, TimeUnit.SECONDS);
                assertThat(mostQueued.get()).as("bytes queued to clients, at most").isLessThanOrEqualTo(BUDGET);

                // The hogs read at last: those the server shed lately find 4009 after what was in flight (the
                // earlier ones were cut, 5 s after their close frame); no hog gets another code.
                ExecutorService readers = Executors.newFixedThreadPool(hogs.size());
                List<Future<Integer>> codes = new ArrayList<>();
                for (RawWsClient hog : hogs) {
                    codes.add(readers.submit(() -> closeCodeOrNone(hog)));
                }
                readers.shutdown();
                List<Integer> seen = new ArrayList<>();
                for (Future<Integer> c : codes) {
                    seen.add(c.get(30, TimeUnit.SECONDS));
                }
                assertThat(seen).as("close codes the hogs read (0: none, still open or cut)")
                        .allMatch(c -> c == 0 || c == CloseCodes.OVER_BUDGET);
            } finally {
                flooding.set(false);
                hogs.forEach(RawWsClient::close);
                pool.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.anonymousSockets() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.queuedBytes() < 64 * 1024);
            assertServesEveryone(f, rooms.get(2).get("id").asText(), "after the flood");
            assertThat(f.t.api.get("/metrics", (String) null).body()).contains("huddle_ws_outbound_queued_bytes ")
                    .contains("huddle_ws_outbound_budget_bytes " + (double) BUDGET).contains("huddle_ws_over_budget_total ")
                    .contains("huddle_ws_snapshots_shared_total ").contains("huddle_ws_sockets_anonymous ");
        }
    }

    @Test
    @DisplayName("X1: 12 anonymous sockets stop reading a room whose 2 KB changes keep coming: the frames they all hold count once; "
            + "past the budget they are closed with 4009, and a reader of the same room gets every change in order")
    void frozenReaders() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withOutboundBudgetMb(1).withOutboundQueue(4_096).withSendTimeoutMs(600_000)
                .withRoomBatchMs(0))) {
            Guest ann = f.guest("Ann");
            JsonNode h = f.huddle(ann);
            String room = h.get("id").asText();
            LiveHub hub = f.t.server.live();
            Presence presence = f.t.server.presence();
            List<RawWsClient> frozen = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    RawWsClient c = new RawWsClient(f.t.server.socketPort(), null, 4_096);
                    c.sendText("{\"type\":\"subscribe\",\"huddle\":\"" + h.get("slug").asText() + "\"}");
                    frozen.add(c);
                }
                WsClient reader = f.connect(null);
                JsonNode snap = f.subscribe(reader, h.get("slug").asText());
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.subscribers(room) == 13);
                long seq0 = snap.path("seq").asLong();
                String big = "b".repeat(2_000);
                int changes = 0;
                long mostQueued = 0;
                while (hub.overBudgetCloses() < 12 && changes < 5_000) {
                    presence.heartbeat(room, "u-" + changes, "s-" + changes, 10_000, Map.of("displayName", big));
                    changes++;
                    mostQueued = Math.max(mostQueued, hub.queuedBytes());
                    if (changes % 20 == 0) {
                        int sent = changes;
                        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10))
                                .until(() -> reader.changes(room).size() == sent);
                    }
                }
                assertThat(hub.overBudgetCloses()).as("frozen readers closed for the budget").isEqualTo(12);
                assertThat(mostQueued).isLessThanOrEqualTo(1024 * 1024);
                int total = changes;
                await().atMost(Duration.ofSeconds(10)).until(() -> reader.changes(room).size() == total);
                LiveFixture.assertGapless(reader.changes(room), seq0);
                assertThat(reader.isClosed()).isFalse();
                assertThat(frozen.get(0).readCloseCode()).isEqualTo(CloseCodes.OVER_BUDGET);
            } finally {
                frozen.forEach(RawWsClient::close);
            }
        }
    }

    @Test
    @DisplayName("X1: 30 sockets that never read take a snapshot of one room at one seq: it is queued once, not 30 times; "
            + "a socket subscribing to a room again and again holds one snapshot of it queued: most of its subscribes go unanswered, the latest is answered")
    void snapshotsAreSharedAndReplaced() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withSendTimeoutMs(600_000))) {
            Guest ann = f.guest("Ann");
            JsonNode h = f.huddle(ann);
            String room = h.get("id").asText();
            String slug = h.get("slug").asText();
            LiveHub hub = f.t.server.live();
            Presence presence = f.t.server.presence();
            for (int i = 0; i < 1_000; i++) { // a snapshot of about 250 KB: more than the socket buffers take
                presence.heartbeat(room, "member-" + i, "m-" + i, 10_000, Map.of("displayName", NAME));
            }
            List<RawWsClient> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 30; i++) {
                    RawWsClient c = new RawWsClient(f.t.server.socketPort(), null, 4_096);
                    c.sendText("{\"type\":\"subscribe\",\"requestId\":\"a\",\"huddle\":\"" + slug + "\"}");
                    silent.add(c);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.snapshotsShared() == 29);
                assertThat(hub.queuedBytes()).as("one snapshot's bytes, and 30 small heads").isLessThan(400 * 1024);

                // One socket asks 80 times while the room changes between asks: each new snapshot replaces the one
                // queued. (The kernel's buffers take a few snapshots, up to some MB, before the queue holds any.)
                RawWsClient eager = silent.get(0);
                for (int i = 0; i < 80; i++) {
                    presence.heartbeat(room, "member-0", "m-0", 10_000, Map.of("displayName", NAME + i));
                    eager.sendText("{\"type\":\"subscribe\",\"requestId\":\"again-" + i + "\",\"huddle\":\"" + slug + "\"}");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.queuedBytes() < 1024 * 1024);
                List<String> answered = new ArrayList<>();
                while (answered.isEmpty() || !answered.get(answered.size() - 1).equals("again-79")) {
                    JsonNode m = Api.JSON.readTree(eager.readFrame().text());
                    if ("snapshot".equals(m.path("type").asText())) {
                        answered.add(m.path("requestId").asText());
                    }
                }
                assertThat(answered).as("snapshots the eager socket got").hasSizeLessThanOrEqualTo(30);
                assertThat(hub.subscribers(room)).isEqualTo(30);
            } finally {
                silent.forEach(RawWsClient::close);
            }
        }
    }

    @Test
    @DisplayName("X1: what the kernel holds for a socket that never reads is its fixed send buffer, not an autotuned one: "
            + "a 350 KB snapshot waits in the server's queue beyond 16 KB × 2, and goes to the kernel whole with 1 MB")
    void kernelHoldsTheSendBufferAtMost() throws Exception {
        assertThat(unreadBytesInTheKernel(16)).isLessThanOrEqualTo(2 * 16 * 1024 + 4 * 1024);
        assertThat(unreadBytesInTheKernel(1024)).isGreaterThan(300 * 1024);
    }

    /** A never-reading socket takes a 350 KB snapshot from a server whose send buffer is {@code kb}: the bytes its kernel holds. */
    private long unreadBytesInTheKernel(int kb) throws Exception {
        try (LiveFixture f = new LiveFixture(dir.resolve("sndbuf-" + kb), s -> s.withSendTimeoutMs(600_000),
                c -> c.withHttp(c.http().withSendBufferKb(kb)))) {
            Guest ann = f.guest("Ann");
            JsonNode h = f.huddle(ann);
            for (int i = 0; i < 1_000; i++) {
                f.t.server.presence().heartbeat(h.get("id").asText(), "member-" + i, "m-" + i, 10_000, Map.of("displayName", NAME));
            }
            try (RawWsClient c = new RawWsClient(f.t.server.socketPort(), null, 4_096)) {
                c.sendText("{\"type\":\"subscribe\",\"requestId\":\"a\",\"huddle\":\"" + h.get("slug").asText() + "\"}");
                LiveHub hub = f.t.server.live();
                // Either the send waits for the client (what the kernel took is all it takes) or it went out whole.
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.longestPendingSendMs() > 200 || hub.queuedBytes() == 0);
                return sendQueue(f.t.server.socketPort(), c.localPort());
            }
        }
    }

    /** The server's send queue toward a client port (/proc/net/tcp's tx_queue: written, not yet taken by the client). */
    private static long sendQueue(int serverPort, int clientPort) throws Exception {
        String local = String.format(":%04X", serverPort);
        String remote = String.format(":%04X", clientPort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : java.nio.file.Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                    return Long.parseLong(f[4].split(":")[0], 16);
                }
            }
        }
        throw new AssertionError("no connection from port " + serverPort + " to " + clientPort + " in /proc/net/tcp");
    }

    @Test
    @DisplayName("X2: anonymous sockets from several 127.x.y.z addresses: one address past its sockets gets 429 too_many_connections "
            + "(JSON) while another is unaffected; the anonymous total caps all addresses but not signed-in users; subscriptions "
            + "per address are capped with too_many_subscriptions; closing gives the slots back")
    void perAddressLimits() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withMaxConnectionsPerAddress(4).withMaxSubscriptionsPerAddress(6)
                .withMaxAnonymousConnections(10))) {
            Guest ann = f.guest("Ann");
            List<String> slugs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                slugs.add(f.huddle(ann).get("slug").asText());
            }
            LiveHub hub = f.t.server.live();
            int port = f.t.server.socketPort();
            List<RawWsClient> open = new ArrayList<>();
            try {
                InetAddress a = InetAddress.getByName("127.0.0.2");
                InetAddress b = InetAddress.getByName("127.0.3.4");
                InetAddress c = InetAddress.getByName("127.5.6.7");
                for (int i = 0; i < 4; i++) {
                    open.add(new RawWsClient(port, null, 65_536, a, ""));
                }
                RawWsClient.Refused refused = refusal(() -> new RawWsClient(port, null, 65_536, a, ""));
                assertThat(refused.status).isEqualTo(429);
                assertThat(Api.JSON.readTree(refused.body).path("error").path("code").asText()).isEqualTo("too_many_connections");
                assertThat(hub.socketsOf("127.0.0.2")).isEqualTo(4);

                // Another address is unaffected, until the server's anonymous total (10) is reached.
                for (int i = 0; i < 4; i++) {
                    open.add(new RawWsClient(port, null, 65_536, b, ""));
                }
                open.add(new RawWsClient(port, null, 65_536, c, ""));
                open.add(new RawWsClient(port, null, 65_536, c, ""));
                assertThat(hub.anonymousSockets()).isEqualTo(10);
                assertThat(refusal(() -> new RawWsClient(port, null, 65_536, c, "")).status).isEqualTo(429);
                open.add(new RawWsClient(port, ann.token(), 65_536, c, "")); // not anonymous: still welcome
                open.add(new RawWsClient(port, f.guest("Bob").token(), 65_536, c, ""));
                assertThat(refusal(() -> new RawWsClient(port, ann.token(), 65_536, c, "")).status)
                        .as("address c holds its 4 sockets").isEqualTo(429);

                // Subscriptions: address a's 4 sockets may hold 6 between them.
                RawWsClient a1 = open.get(0);
                RawWsClient a2 = open.get(1);
                for (int i = 0; i < 4; i++) {
                    assertThat(subscribe(a1, slugs.get(i), "a1-" + i)).isEqualTo("snapshot");
                }
                assertThat(subscribe(a1, slugs.get(0), "a1-again")).as("again: a replacement, not one more").isEqualTo("snapshot");
                assertThat(subscribe(a2, slugs.get(0), "a2-0")).isEqualTo("snapshot");
                assertThat(subscribe(a2, slugs.get(1), "a2-1")).isEqualTo("snapshot");
                assertThat(hub.subscriptionsOf("127.0.0.2")).isEqualTo(6);
                JsonNode error = reply(a2, "{\"type\":\"subscribe\",\"requestId\":\"a2-2\",\"huddle\":\"" + slugs.get(2) + "\"}");
                assertThat(error.path("code").asText()).isEqualTo("too_many_subscriptions");
                assertThat(subscribe(open.get(4), slugs.get(2), "b-0")).as("address b is unaffected").isEqualTo("snapshot");
                reply(a1, "{\"type\":\"unsubscribe\",\"requestId\":\"u\",\"huddle\":\"" + slugs.get(3) + "\"}");
                assertThat(subscribe(a2, slugs.get(2), "a2-2b")).as("after an unsubscribe").isEqualTo("snapshot");

                // Closing gives everything back.
                open.get(0).close();
                open.get(1).close();
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.socketsOf("127.0.0.2") == 2 && hub.subscriptionsOf("127.0.0.2") == 0);
                open.add(new RawWsClient(port, null, 65_536, InetAddress.getByName("127.0.0.3"), "")); // anonymous: 9 → 10
            } finally {
                open.forEach(RawWsClient::close);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.anonymousSockets() == 0 && hub.socketsOf("127.0.0.2") == 0);
            assertThat(hub.refusedUpgrades()).isEqualTo(3);
            assertThat(f.t.api.get("/metrics", (String) null).body()).contains("huddle_ws_upgrades_refused_total 3.0");
        }
    }

    @Test
    @DisplayName("X2: behind a trusted proxy, the forwarded address is the one counted: one client past its sockets is refused, "
            + "another behind the same proxy is not, and a client's own X-Forwarded-For from an untrusted peer is ignored")
    void forwardedAddressCounts() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withMaxConnectionsPerAddress(2),
                c -> c.withHttp(c.http().withTrustedProxies(List.of("127.0.0.1"))))) {
            int port = f.t.server.socketPort();
            LiveHub hub = f.t.server.live();
            List<RawWsClient> open = new ArrayList<>();
            try {
                String x = "X-Forwarded-For: 203.0.113.7\r\n";
                open.add(new RawWsClient(port, null, 65_536, null, x));
                open.add(new RawWsClient(port, null, 65_536, null, x));
                assertThat(refusal(() -> new RawWsClient(port, null, 65_536, null, x)).status).isEqualTo(429);
                open.add(new RawWsClient(port, null, 65_536, null, "X-Forwarded-For: 203.0.113.8\r\n"));
                assertThat(hub.socketsOf("203.0.113.7")).isEqualTo(2);
                assertThat(hub.socketsOf("203.0.113.8")).isEqualTo(1);

                // 127.0.0.9 is no trusted proxy: its header is the client's own, and it counts as itself.
                InetAddress untrusted = InetAddress.getByName("127.0.0.9");
                open.add(new RawWsClient(port, null, 65_536, untrusted, "X-Forwarded-For: 203.0.113.8\r\n"));
                open.add(new RawWsClient(port, null, 65_536, untrusted, "X-Forwarded-For: 203.0.113.9\r\n"));
                assertThat(refusal(() -> new RawWsClient(port, null, 65_536, untrusted, "X-Forwarded-For: 198.51.100.1\r\n"))
                        .status).isEqualTo(429);
                assertThat(hub.socketsOf("127.0.0.9")).isEqualTo(2);
                assertThat(hub.socketsOf("203.0.113.8")).isEqualTo(1);
            } finally {
                open.forEach(RawWsClient::close);
            }
        }
    }

    /** /health answers, and a new member signs in, joins the huddle, heartbeats and sees itself listed. */
    private static void assertServesEveryone(LiveFixture f, String huddleId, String when) {
        long started = System.nanoTime();
        Api.Response health = f.t.api.get("/health", (String) null);
        assertThat(health.status()).as("/health " + when).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("/health's time " + when).isLessThan(Duration.ofSeconds(2));
        Guest g = f.guest("Member " + System.nanoTime());
        Api.Response join = f.t.api.post("/api/huddles/" + huddleId + "/join", g.token(), Map.of("role", "participant"));
        assertThat(join.status()).as("join " + when + ": " + join.body()).isEqualTo(200);
        Api.Response hb = f.t.heartbeat(g, huddleId, "s-" + g.userId());
        assertThat(hb.status()).as("heartbeat " + when + ": " + hb.body()).isEqualTo(200);
        Api.Response list = f.t.api.get("/api/presence/list?limit=1000&huddle=" + huddleId, g.token());
        assertThat(list.status()).as("list " + when).isEqualTo(200);
        assertThat(list.body()).contains(g.userId());
    }

    /** The close code the hog reads within 8 s (behind whatever was queued for it), or 0: still open (pinged), or cut. */
    private static int closeCodeOrNone(RawWsClient hog) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        try {
            while (System.nanoTime() < until) {
                RawWsClient.Frame frame = hog.readFrame();
                if (frame.opcode() == 8) {
                    return frame.closeCode();
                }
            }
        } catch (IOException cut) {
            // cut: the server gave up waiting for it to read the close frame
        }
        return 0;
    }

    private interface Connect {
        RawWsClient open() throws IOException;
    }

    private static RawWsClient.Refused refusal(Connect c) {
        ConcurrentLinkedQueue<RawWsClient.Refused> out = new ConcurrentLinkedQueue<>();
        assertThatThrownBy(() -> c.open().close()).isInstanceOfSatisfying(RawWsClient.Refused.class, out::add);
        return out.peek();
    }

    /** Sends a subscribe and returns the reply's type. */
    private static String subscribe(RawWsClient c, String slug, String requestId) throws IOException {
        return reply(c, "{\"type\":\"subscribe\",\"requestId\":\"" + requestId + "\",\"huddle\":\"" + slug + "\"}").path("type").asText();
    }

    /** Sends {@code message} and reads up to the reply carrying its requestId. */
    private static JsonNode reply(RawWsClient c, String message) throws IOException {
        String requestId = Api.JSON.readTree(message).path("requestId").asText();
        c.sendText(message);
        while (true) {
            RawWsClient.Frame frame = c.readFrame();
            if (frame.opcode() == 1) {
                JsonNode m = Api.JSON.readTree(frame.text());
                if (requestId.equals(m.path("requestId").asText())) {
                    return m;
                }
            }
        }
    }

    @Test
    @Timeout(60)
    @DisplayName("X1: a client sends 5 000 pings of 125 bytes and never reads: the pongs it is owed are not queued without bound "
            + "(it finds far fewer than 5 000 when it reads at last), and its socket and the others' work on")
    void pingsWithoutReading() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s, c -> c.withHttp(c.http().withSendBufferKb(4)))) {
            Guest ann = f.guest("Ann");
            JsonNode h = f.huddle(ann);
            WsClient other = f.connect(ann);
            byte[] payload = new byte[125];
            int pongs = 0;
            try (RawWsClient flood = new RawWsClient(f.t.server.socketPort(), null, 4_096)) {
                for (int i = 0; i < 5_000; i++) {
                    flood.sendPing(payload);
                }
                // The server has read every ping when the socket's next message is answered.
                flood.sendText("{\"type\":\"subscribe\",\"requestId\":\"after\",\"huddle\":\"" + h.get("slug").asText() + "\"}");
                flood.readTimeout(Duration.ofSeconds(10));
                while (true) {
                    RawWsClient.Frame fr = flood.readFrame();
                    if (fr.opcode() == 0xA) {
                        pongs++;
                    } else if (fr.opcode() == 1 && fr.text().contains("\"after\"")) {
                        break;
                    }
                }
            }
            assertThat(pongs).as("pongs queued for a client that did not read").isBetween(1, 2_000);
            assertThat(f.subscribe(other, h.get("id").asText()).path("type").asText()).isEqualTo("snapshot");
        }
    }
}
