package dev.huddle.presence.redis;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real Redis Cluster of the test's own: three master {@code redis-server} processes (no replicas,
 * no persistence) on free ports in a temporary directory, their slots assigned (0–5460, 5461–10922,
 * 10923–16383) and introduced to each other with {@code CLUSTER ADDSLOTSRANGE} and {@code CLUSTER
 * MEET}, ready once every node reports {@code cluster_state:ok} and knows all three (waited for with
 * a bounded deadline). {@link #close()} stops the processes and deletes the directory; a JVM shutdown
 * hook does the same if a test run ends without closing it, and a failed start stops what it started.
 *
 * <p>Needs {@code redis-server} 7 on the PATH (or {@code HUDDLE_TEST_REDIS_SERVER}). Used by the
 * presence-redis cluster tests and, through the test-jar, by huddle-server's.
 */
public final class RedisClusterFixture implements AutoCloseable {
    private static final String BINARY = System.getenv().getOrDefault("HUDDLE_TEST_REDIS_SERVER", "redis-server");
    private static final int MASTERS = 3;
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopProcesses, "redis-cluster-fixture-stop");
    private RedisClusterClient client;
    private boolean closed;

    private RedisClusterFixture() {
        try {
            this.dir = Files.createTempDirectory("huddle-redis-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts three masters, forms the cluster and waits until it serves every slot. */
    public static RedisClusterFixture start() {
        RedisClusterFixture f = new RedisClusterFixture();
        Runtime.getRuntime().addShutdownHook(f.shutdownHook);
        try {
            f.startNodes();
            f.form();
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}, as a server node is configured. */
    public String url() {
        return RedisConnections.CLUSTER_SCHEME + "://"
                + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** A cluster client configured as the store configures its own, shared by the caller's tests (closed with the fixture). */
    public synchronized RedisClusterClient client() {
        if (client == null) {
            client = (RedisClusterClient) RedisConnections.newClient(url(), 10_000, Duration.ofSeconds(10));
        }
        return client;
    }

    /** A plain connection to one node (its own keys only), e.g. to count what a master holds. */
    public StatefulRedisConnection<String, String> connectToNode(int port, RedisClient nodeClient) {
        return nodeClient.connect(RedisURI.create("127.0.0.1", port));
    }

    private void startNodes() {
        for (int i = 0; i < MASTERS; i++) {
            int port = freePortPair();
            ports.add(port);
            try {
                processes.add(new ProcessBuilder(List.of(BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
                        "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--daemonize", "no",
                        "--dir", dir.toString(), "--logfile", dir.resolve("redis-" + port + ".log").toString()))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout-" + port + ".txt").toFile()).start());
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + BINARY + " (set HUDDLE_TEST_REDIS_SERVER): " + e.getMessage(), e);
            }
        }
    }

    /** Assigns each master a third of the slots, introduces them, and waits until the cluster is ok. */
    private void form() {
        RedisClient nodes = RedisClient.create();
        try {
            List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
            try {
                for (int port : ports) {
                    Awaitility.await("redis-server on port " + port).atMost(READY_WITHIN).pollInterval(Duration.ofMillis(20))
                            .ignoreExceptions().until(() -> {
                                conns.add(connectToNode(port, nodes));
                                return true;
                            });
                }
                int per = 16_384 / MASTERS;
                for (int i = 0; i < MASTERS; i++) {
                    int from = i * per;
                    int to = i == MASTERS - 1 ? 16_383 : from + per - 1;
                    conns.get(i).sync().clusterAddSlotsRange(Range.create(from, to));
                }
                for (int i = 1; i < MASTERS; i++) {
                    conns.get(0).sync().clusterMeet("127.0.0.1", ports.get(i));
                }
                Awaitility.await("cluster_state:ok on every node").atMost(READY_WITHIN).pollInterval(Duration.ofMillis(50))
                        .until(() -> conns.stream().allMatch(c -> {
                            String info = c.sync().clusterInfo();
                            return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + MASTERS)
                                    && info.contains("cluster_slots_assigned:16384");
                        }));
            } finally {
                conns.forEach(StatefulRedisConnection::close);
            }
        } finally {
            nodes.shutdown();
        }
    }

    /** A port whose cluster bus port (port + 10000) is free too. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            if (free(port) && free(port + 10_000)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair for a Redis Cluster node");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void stopProcesses() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        processes.clear();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (client != null) {
                client.shutdown();
            }
        } finally {
            stopProcesses();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running or has run
            }
            deleteDir();
        }
    }

    private void deleteDir() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; leaving it is harmless
        }
    }
}
