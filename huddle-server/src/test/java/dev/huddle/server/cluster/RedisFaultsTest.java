package dev.huddle.server.cluster;

import static dev.huddle.server.support.ClusterFixture.listed;
import static dev.huddle.server.support.ClusterFixture.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.ClusterFixture;
import dev.huddle.server.support.ClusterFixture.Node;
import dev.huddle.server.support.LogCapture;
import dev.huddle.server.support.PrivateRedis;
import dev.huddle.server.support.TcpProxy;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection (R1–R3) under two live nodes, against a redis-server the test starts on its own port
 * and reaches through a TCP proxy it controls: Redis stopped and started empty, frozen (SIGSTOP) and
 * resumed, the connection cut, and latency added beyond the command timeout. For each: subscribers are told {@code degraded}, requests answer
 * {@code unavailable} within their bound, the log stays short and carries no stack trace; and within
 * 2 s of recovery every subscriber's list is the engine's again (no ghost, no duplicate, seqs gapless
 * after the resync, as a user toggles a flag). Real time: what is measured is how fast the nodes notice and recover.
 */
class RedisFaultsTest {
    /** How long a request may wait for Redis (the 2 s command timeout) plus room for a slow machine. */
    private static final long REQUEST_BOUND_MS = 3_500;
    /** R2: after Redis is whole again, every list is exact within this. */
    private static final Duration RECOVERY = Duration.ofSeconds(2);
    /** Log lines the whole outage may cost (every logger of the server and of Lettuce, both nodes). */
    private static final int MAX_LOG_LINES = 40;
    /** Added latency each way: longer than the 2 s command timeout, so every command times out. */
    private static final Duration LATENCY = Duration.ofSeconds(3);
    /** Flag toggles after recovery whose changes must follow the resync snapshot gaplessly. */
    private static final int TOGGLES = 4;

    private final ExecutorService pool = Executors.newFixedThreadPool(20);
    @TempDir
    Path dir;
    PrivateRedis redis;
    TcpProxy proxy;
    ClusterFixture f;

    @BeforeEach
    void setUp() {
        redis = new PrivateRedis(dir);
        proxy = new TcpProxy(redis.port);
        f = new ClusterFixture(dir, TimeSource.system(), proxy.redisUrl());
    }

    @AfterEach
    void tearDown() {
        try {
            proxy.restore();
            f.close();
        } finally {
            pool.shutdownNow();
            proxy.close();
            redis.close();
        }
    }

    @Test
    @DisplayName("Redis stopped, then started empty: degraded and 503 meanwhile; within 2 s of its return the live sockets' sessions are back and every list is exact")
    void stopAndStartEmpty() {
        outage(redis::kill, redis::start);
    }

    @Test
    @DisplayName("Redis frozen (SIGSTOP) then resumed: requests fail within their bound instead of piling up; within 2 s every list is exact")
    void freezeAndResume() {
        outage(redis::freeze, redis::thaw);
    }

    @Test
    @DisplayName("The connection to Redis cut, then restored: degraded and 503 meanwhile; within 2 s every list is exact")
    void cutConnection() {
        outage(proxy::cut, proxy::restore);
    }

    @Test
    @DisplayName("3 s of latency added to the connection to Redis (beyond its 2 s command timeout), then removed: degraded and 503 within the bound meanwhile; within 2 s every list is exact")
    void addedLatency() {
        outage(() -> proxy.delay(LATENCY), proxy::restore);
    }

    private void outage(Runnable begin, Runnable end) {
        ClusterFixture.Scene s = f.threeMembersOnTwoNodes(Duration.ofMillis(500), "flags", Map.of("isSpeaking", true));
        String room = s.room();
        List<WsClient> watchers = List.of(s.watchA(), s.watchB());
        Map<String, String> everyone = new TreeMap<>(Map.of(s.ann().userId(), "online+speaking", s.bob().userId(), "online",
                s.carol().userId(), "online"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (WsClient w : watchers) {
                assertThat(view(w, room)).isEqualTo(everyone);
            }
        });
        WsClient late = f.connect(s.a(), s.owner());

        List<String> lines;
        List<String> causes;
        List<String> levels;
        try (LogCapture server = LogCapture.alone("dev.huddle"); LogCapture lettuce = LogCapture.alone("io.lettuce")) {
            begin.run();
            // R1: every subscriber of the room on both nodes is told its list is degraded.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (WsClient w : watchers) {
                    assertThat(status(w, room)).contains("degraded");
                }
            });
            // R1, R3: HTTP answers 503 unavailable with Retry-After, within the bound, on both nodes.
            for (Node n : List.of(s.a(), s.b())) {
                long t0 = System.nanoTime();
                Api.Response r = n.api().get("/api/presence/list?huddle=" + room, s.owner().token());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.errorCode()).isEqualTo("unavailable");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(ms).as("the request's wait is bounded").isLessThan(REQUEST_BOUND_MS);
            }
            // The socket answers 'unavailable' to the request it cannot serve, within the bound, and stays open.
            long t0 = System.nanoTime();
            late.send("type", "subscribe", "requestId", "during", "huddle", room);
            JsonNode refused = late.reply("during");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(REQUEST_BOUND_MS);
            assertThat(refused.path("code").asText()).as(refused.toString()).isEqualTo("unavailable");
            // 20 requests at once while it lasts: each answered 503 (no pile-up), none hangs past the bound.
            List<CompletableFuture<Long>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.add(CompletableFuture.supplyAsync(() -> {
                    long b0 = System.nanoTime();
                    int status = s.b().api().get("/api/presence/list?huddle=" + room, s.owner().token()).status();
                    return status == 503 ? (System.nanoTime() - b0) / 1_000_000 : -status;
                }, pool));
            }
            assertThat(burst.stream().map(CompletableFuture::join).toList()).allMatch(ms -> ms >= 0 && ms < REQUEST_BOUND_MS);
            await().pollDelay(Duration.ofSeconds(2)).until(() -> true); // the outage lasts: workers and probes keep failing
            for (WsClient w : List.of(s.watchA(), s.watchB(), s.annWs(), s.bobWs(), s.carolWs(), late)) {
                assertThat(w.isClosed()).as("sockets stay open").isFalse();
            }

            end.run();
            long back = System.nanoTime();
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                for (WsClient w : watchers) {
                    assertThat(status(w, room)).endsWith("live");
                    sinceResync(w, room); // brought up to date: a snapshot read after 'live', not the list held before
                    assertThat(view(w, room)).isEqualTo(everyone);
                }
            });
            long wholeMs = (System.nanoTime() - back) / 1_000_000;
            // The engine agrees with every subscriber, on both nodes.
            for (Node n : List.of(s.a(), s.b())) {
                assertThat(listed(n, s.owner(), room)).isEqualTo(everyone);
            }
            assertThat(wholeMs).isLessThan(RECOVERY.toMillis());
            lines = new ArrayList<>(server.messages());
            lines.addAll(lettuce.messages());
            causes = new ArrayList<>(server.causes());
            causes.addAll(lettuce.causes());
            levels = new ArrayList<>(server.levels());
            levels.addAll(lettuce.levels());
        }
        assertThat(lines).as("bounded logging").hasSizeLessThanOrEqualTo(MAX_LOG_LINES);
        assertThat(causes).as("no stack traces: %s", lines).allMatch(Objects::isNull);
        assertThat(levels).as("no ERROR: %s", lines).doesNotContain("ERROR");
        // After the resync the room is live and its seqs gapless: Bob toggles his flag a few times, and each
        // subscriber's last snapshot (read after it was told 'live') is followed by seq+1, seq+2, … with his toggles last.
        Map<String, String> expected = new TreeMap<>(everyone);
        for (int i = 1; i <= TOGGLES; i++) {
            boolean speaking = i % 2 == 1;
            s.bobWs().send("type", "flags", "huddleId", room, "sessionId", "bob-tab", "isSpeaking", speaking);
            expected.put(s.bob().userId(), speaking ? "online+speaking" : "online");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (WsClient w : watchers) {
                    assertThat(view(w, room)).isEqualTo(expected);
                }
            });
        }
        for (WsClient w : watchers) {
            List<JsonNode> since = sinceResync(w, room);
            long seq = since.get(0).path("seq").asLong();
            List<Long> seqs = since.stream().map(m -> m.path("seq").asLong()).toList();
            assertThat(seqs).as("gapless after the resync: %s", since)
                    .isEqualTo(LongStream.range(seq, seq + since.size()).boxed().toList());
            List<String> toggles = since.subList(since.size() - TOGGLES, since.size()).stream()
                    .map(m -> m.path("kind").asText() + " " + m.path("entry").path("userId").asText() + " "
                            + m.path("entry").path("data").path("isSpeaking").asText())
                    .toList();
            assertThat(toggles).as("his toggles, in order: %s", since).containsExactly(
                    "update " + s.bob().userId() + " true", "update " + s.bob().userId() + " false",
                    "update " + s.bob().userId() + " true", "update " + s.bob().userId() + " false");
        }
    }

    /**
     * The snapshot a subscriber got last for {@code room} — which must come after it was told the room is
     * {@code live} again, i.e. the resync — followed by every change it got after it.
     */
    private static List<JsonNode> sinceResync(WsClient w, String room) {
        List<JsonNode> all = w.received().stream().filter(m -> room.equals(m.path("room").asText())).toList();
        int live = -1;
        int snapshot = -1;
        for (int i = 0; i < all.size(); i++) {
            String type = all.get(i).path("type").asText();
            if ("status".equals(type) && "live".equals(all.get(i).path("state").asText())) {
                live = i;
            } else if ("snapshot".equals(type)) {
                snapshot = i;
            }
        }
        assertThat(live).as("told live: %s", all).isNotNegative();
        assertThat(snapshot).as("resynced with a snapshot after 'live': %s", all).isGreaterThan(live);
        return all.subList(snapshot, all.size()).stream()
                .filter(m -> m.path("type").asText().equals("snapshot") || m.path("type").asText().equals("change"))
                .toList();
    }

    /** The room states a subscriber was told, in order. */
    private static List<String> status(WsClient w, String room) {
        return w.ofType("status").stream().filter(m -> room.equals(m.path("room").asText()))
                .map(m -> m.path("state").asText()).toList();
    }
}
