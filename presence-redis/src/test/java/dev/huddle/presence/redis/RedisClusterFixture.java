package dev.huddle.presence.redis;

import dev.huddle.presence.testkit.Dependency;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * 10923–16383) and introduced to each other with {@code CLUSTER ADDSLOTSRANGE}, {@code CLUSTER
 * SET-CONFIG-EPOCH} and {@code CLUSTER MEET}, ready once every node reports {@code cluster_state:ok} and knows all three (waited for with
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
        Dependency.REDIS.require();
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
                throw new IllegalStateException(Dependency.REDIS.unreachable("the binary " + BINARY + " (" + e.getMessage() + ")",
                        "Install redis-server 7 or set HUDDLE_TEST_REDIS_SERVER to one"), e);
            }
        }
    }

    /**
     * Assigns each master a third of the slots, introduces them, and waits until the cluster is ok.
     * Plain RESP over a socket: nothing to start up, so forming takes what Redis takes (about 2 s).
     */
    private void form() {
        for (int port : ports) {
            Awaitility.await("redis-server on port " + port).atMost(READY_WITHIN).pollInterval(Duration.ofMillis(20))
                    .until(() -> "PONG".equals(tryCommand(port, "PING")));
        }
        int per = 16_384 / MASTERS;
        for (int i = 0; i < MASTERS; i++) {
            int from = i * per;
            int to = i == MASTERS - 1 ? 16_383 : from + per - 1;
            command(ports.get(i), "CLUSTER", "ADDSLOTSRANGE", String.valueOf(from), String.valueOf(to));
            command(ports.get(i), "CLUSTER", "SET-CONFIG-EPOCH", String.valueOf(i + 1));
        }
        for (int i = 1; i < MASTERS; i++) {
            command(ports.get(0), "CLUSTER", "MEET", "127.0.0.1", String.valueOf(ports.get(i)));
        }
        Awaitility.await("cluster_state:ok on every node").atMost(READY_WITHIN).pollInterval(Duration.ofMillis(50))
                .until(() -> ports.stream().allMatch(port -> {
                    String info = tryCommand(port, "CLUSTER", "INFO");
                    return info != null && info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + MASTERS)
                            && info.contains("cluster_slots_assigned:16384");
                }));
    }

    /** Sends one command to the node on {@code port}; its reply as text. A Redis error reply throws. */
    private static String command(int port, String... args) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                req.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            String line = readLine(in);
            switch (line.charAt(0)) {
                case '+', ':' -> {
                    return line.substring(1);
                }
                case '$' -> {
                    byte[] body = new byte[Integer.parseInt(line.substring(1))];
                    in.readFully(body);
                    return new String(body, StandardCharsets.UTF_8);
                }
                default -> throw new IllegalStateException("redis-server on port " + port + " refused "
                        + String.join(" ", args) + ": " + line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #command}, or null while the node cannot be reached. */
    private static String tryCommand(int port, String... args) {
        try {
            return command(port, args);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            sb.append((char) c);
        }
        in.read(); // '\n'
        return sb.toString();
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
                RedisConnections.shutdown(client);
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
