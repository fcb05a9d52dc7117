package dev.huddle.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.TimeSource;
import dev.huddle.presence.testkit.Dependency;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ClusterConfig;
import dev.huddle.server.config.LiveSettings;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.presence.redis.RedisConnections;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.codec.StringCodec;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Several real {@link HuddleServer} nodes in one JVM, in cluster mode: one Redis key prefix (unique to
 * the test, deleted afterwards), one PostgreSQL database (created for the test), one guest-token
 * secret and one clock — what the nodes of a real cluster share. Each node listens on its own port.
 */
public final class ClusterFixture implements AutoCloseable {
    public static final String REDIS_URL = System.getenv().getOrDefault("HUDDLE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    public final Path dir;
    public final TimeSource clock;
    public final String redisUrl;
    public final String prefix = "test:" + UUID.randomUUID().toString().replace("-", "") + ":";
    public final PostgresDatabase db;
    private final byte[] secret = new byte[32];
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<WsClient> clients = new CopyOnWriteArrayList<>();
    private int started;

    /** One node: the server and an HTTP client for it. */
    public record Node(int index, HuddleServer server, Api api) {
        public int port() {
            return server.port();
        }
    }

    public ClusterFixture(Path dir, TimeSource clock, String redisUrl) {
        this.dir = dir;
        this.clock = clock;
        this.redisUrl = redisUrl;
        Dependency.REDIS.require();
        new SecureRandom().nextBytes(secret);
        this.db = PostgresDatabase.create();
    }

    public ClusterFixture(Path dir, TimeSource clock) {
        this(dir, clock, REDIS_URL);
    }

    /** Starts one more node; pings every 100 ms and probes its subscription every {@code probe}. */
    public Node start(Duration probe) {
        return start(probe, c -> c);
    }

    /** Starts one more node as {@link #start(Duration)} does, with its configuration changed by {@code more}. */
    public Node start(Duration probe, UnaryOperator<ServerConfig> more) {
        return start(probe, more, clock);
    }

    /** Starts one more node as {@link #start(Duration, UnaryOperator)} does, reading {@code nodeClock} instead of the shared clock. */
    public Node start(Duration probe, UnaryOperator<ServerConfig> more, TimeSource nodeClock) {
        int i = started++;
        ServerConfig c = ServerConfig.forDataDir(dir.resolve("node" + i), 0)
                .withDatabase(db.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD)
                .withCluster(new ClusterConfig(redisUrl, prefix).withProbeInterval(probe))
                .withGuestSecret(secret)
                .withLive(new LiveSettings(100, 16_384, 16, 64, 1_000, 0, 4_096, 30_000, 1_024, 50, 0, 1_000_000, 10_000_000, 5_000));
        HuddleServer s = new HuddleServer(more.apply(c), nodeClock).start();
        Node n = new Node(i, s, new Api(s.port()));
        nodes.add(n);
        return n;
    }

    public Node start() {
        return start(Duration.ofSeconds(5));
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** A guest signed in on {@code node} (its token works on every node: the secret is shared). */
    public TestServer.Guest guest(Node node, String name) {
        Api.Response r = node.api().post("/api/auth/guest", null, Map.of("displayName", name));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new TestServer.Guest(r.json().get("userId").asText(), r.json().get("token").asText());
    }

    /** A huddle created on {@code node} by {@code owner}, with {@code others} joined as participants; its room id. */
    public String huddle(Node node, TestServer.Guest owner, List<TestServer.Guest> others) {
        Api.Response r = node.api().post("/api/huddles", owner.token(), Map.of("title", "Cluster test"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = r.json().get("id").asText();
        for (TestServer.Guest g : others) {
            Api.Response j = node.api().post("/api/huddles/" + id + "/join", g.token(), Map.of("role", "participant"));
            assertThat(j.status()).as(j.body()).isEqualTo(200);
        }
        return id;
    }

    /**
     * The scene the Redis outage and restart tests share: two nodes, a room with an owner watching
     * from each node, Ann joined on node a, Bob and Carol joined on node b.
     */
    public record Scene(Node a, Node b, TestServer.Guest owner, TestServer.Guest ann, TestServer.Guest bob,
            TestServer.Guest carol, String room, WsClient watchA, WsClient watchB, WsClient annWs, WsClient bobWs,
            WsClient carolWs) {
    }

    /**
     * Builds the {@link Scene} on two new nodes whose Redis probe runs every {@code probe};
     * {@code annJoinExtra} are extra fields of Ann's join message (e.g. her flags).
     */
    public Scene threeMembersOnTwoNodes(Duration probe, Object... annJoinExtra) {
        Node a = start(probe);
        Node b = start(probe);
        TestServer.Guest owner = guest(a, "Owner");
        TestServer.Guest ann = guest(a, "Ann");
        TestServer.Guest bob = guest(b, "Bob");
        TestServer.Guest carol = guest(b, "Carol");
        String room = huddle(a, owner, List.of(ann, bob, carol));
        WsClient watchA = connect(a, owner);
        WsClient watchB = connect(b, owner);
        subscribe(watchA, room);
        subscribe(watchB, room);
        WsClient annWs = connect(a, ann);
        join(annWs, room, "ann-tab", annJoinExtra);
        WsClient bobWs = connect(b, bob);
        join(bobWs, room, "bob-tab");
        WsClient carolWs = connect(b, carol);
        join(carolWs, room, "carol-tab");
        return new Scene(a, b, owner, ann, bob, carol, room, watchA, watchB, annWs, bobWs, carolWs);
    }

    public WsClient connect(Node node, TestServer.Guest g) {
        WsClient c = WsClient.connect(node.port(), g.token());
        clients.add(c);
        return c;
    }

    /** Joins and waits for {@code joined}; returns it. */
    public static JsonNode join(WsClient c, String room, String sessionId, Object... extra) {
        String rid = "join-" + sessionId + "-" + System.nanoTime();
        List<Object> kv = new ArrayList<>(List.of("type", "join", "requestId", rid, "huddleId", room,
                "sessionId", sessionId, "interval", 10_000));
        kv.addAll(Arrays.asList(extra));
        c.send(kv.toArray());
        JsonNode r = c.reply(rid);
        assertThat(r.path("type").asText()).as(r.toString()).isEqualTo("joined");
        return r;
    }

    /** Subscribes and waits for the snapshot. */
    public static JsonNode subscribe(WsClient c, String room) {
        String rid = "sub-" + System.nanoTime();
        c.send("type", "subscribe", "requestId", rid, "huddle", room);
        JsonNode r = c.reply(rid);
        assertThat(r.path("type").asText()).as(r.toString()).isEqualTo("snapshot");
        return r;
    }

    /**
     * The room as a subscriber sees it: the last snapshot with every later change applied, as
     * userId → "online"/"offline" (+ speaking). Checks seqs are gapless after each snapshot.
     */
    public static Map<String, String> view(WsClient c, String room) {
        Map<String, String> v = new TreeMap<>();
        long seq = -1;
        for (JsonNode m : c.received()) {
            if (!room.equals(m.path("room").asText())) {
                continue;
            }
            if ("snapshot".equals(m.path("type").asText())) {
                v.clear();
                m.path("entries").forEach(e -> v.put(e.path("userId").asText(), state(e)));
                seq = m.path("seq").asLong();
            } else if ("change".equals(m.path("type").asText())) {
                assertThat(m.path("seq").asLong()).as("gapless after the last snapshot: %s", c.received()).isEqualTo(seq + 1);
                seq++;
                JsonNode e = m.path("entry");
                if ("remove".equals(m.path("kind").asText())) {
                    v.remove(e.path("userId").asText());
                } else {
                    v.put(e.path("userId").asText(), state(e));
                }
            }
        }
        return v;
    }

    /** The room as a node lists it over HTTP, in the same form as {@link #view}. */
    public static Map<String, String> listed(Node node, TestServer.Guest g, String room) {
        Api.Response r = node.api().get("/api/presence/list?huddle=" + room, g.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, String> v = new TreeMap<>();
        r.json().forEach(e -> v.put(e.path("userId").asText(), state(e)));
        return v;
    }

    private static String state(JsonNode e) {
        return (e.path("online").asBoolean() ? "online" : "offline")
                + ("true".equals(e.path("data").path("isSpeaking").asText()) ? "+speaking" : "");
    }

    /** Each change seen by a client in a room as "seq kind user". */
    public static List<String> story(WsClient c, String room) {
        return c.changes(room).stream().map(m -> m.path("seq").asLong() + " " + m.path("kind").asText() + " "
                + m.path("entry").path("userId").asText()).toList();
    }

    /** Stops a node abruptly (see {@link HuddleServer#halt}). */
    public void kill(Node node) {
        node.server().halt();
        nodes.remove(node);
    }

    @Override
    public void close() {
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        });
        nodes.forEach(n -> n.server().stop());
        try {
            deleteKeys(redisUrl, prefix);
        } catch (RuntimeException ignored) {
            // a private Redis may be gone already
        }
        db.close();
    }

    /** Deletes every key under {@code prefix} (SCAN + UNLINK, on every master of a cluster); returns how many. */
    public static long deleteKeys(String redisUrl, String prefix) {
        AbstractRedisClient client = RedisConnections.newClient(redisUrl, 1_000, Duration.ofSeconds(5));
        try (RedisConnections.Connection<String, String> conn = RedisConnections.connect(client, StringCodec.UTF8)) {
            long n = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = conn.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1_000));
                if (!page.getKeys().isEmpty()) {
                    n += conn.sync().unlink(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return n;
        } finally {
            RedisConnections.shutdown(client);
        }
    }
}
