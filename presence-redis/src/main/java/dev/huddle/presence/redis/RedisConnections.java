package dev.huddle.presence.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Redis is — one server or a Redis Cluster — named by one URL, and connections to it that look
 * the same either way (the commands every store call uses are in {@link RedisClusterCommands}, which
 * Lettuce's standalone and cluster APIs share).
 *
 * <ul>
 *   <li>{@code redis://[:password@]host:6379[/db]} (or {@code rediss://} for TLS): one server, with
 *       Lettuce's {@link RedisClient}.</li>
 *   <li>{@code redis-cluster://[:password@]host1:port1[,host2:port2…]} (or {@code rediss-cluster://}):
 *       a Redis Cluster, with Lettuce's {@link RedisClusterClient}. The hosts are seeds: any one
 *       reachable node is enough, the client learns the topology from it and refreshes it (every 30 s,
 *       and at once on a MOVED/ASK redirect or a reconnect). No database: a cluster has only database 0,
 *       and a URL naming one is refused rather than silently served from 0.</li>
 * </ul>
 */
public final class RedisConnections {
    /** The URL scheme of a Redis Cluster (seed nodes separated by commas). */
    public static final String CLUSTER_SCHEME = "redis-cluster";
    /** The URL scheme of a Redis Cluster over TLS. */
    public static final String CLUSTER_TLS_SCHEME = "rediss-cluster";
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

    private RedisConnections() {
    }

    /** A connection and the commands over it, standalone or cluster alike. */
    public record Connection<K, V>(StatefulConnection<K, V> stateful, RedisClusterCommands<K, V> sync,
            RedisClusterAsyncCommands<K, V> async) implements AutoCloseable {
        @Override
        public void close() {
            stateful.close();
        }
    }

    /** Whether {@code url} names a Redis Cluster ({@code redis-cluster://…} or {@code rediss-cluster://…}). */
    public static boolean isCluster(String url) {
        return url.startsWith(CLUSTER_SCHEME + "://") || url.startsWith(CLUSTER_TLS_SCHEME + "://");
    }

    /**
     * The seed nodes of a cluster URL, as Lettuce URIs with {@code timeout} (the password and TLS of the
     * URL apply to every node).
     *
     * @throws IllegalArgumentException if {@code url} is not a cluster URL, names no host, or names a
     *     database ({@code /3} or {@code ?database=3}): a Redis Cluster has only database 0, and silently
     *     using 0 instead would put a deployment's data somewhere it did not ask for
     */
    public static List<RedisURI> clusterSeeds(String url, Duration timeout) {
        if (!isCluster(url)) {
            throw new IllegalArgumentException("not a " + CLUSTER_SCHEME + ":// URL");
        }
        // Lettuce reads "redis://h1:p1,h2:p2" as a list of nodes; the scheme is ours, to tell the kinds apart.
        String plain = url.replaceFirst("^rediss-cluster://", "rediss://").replaceFirst("^redis-cluster://", "redis://");
        URI parsed;
        try {
            parsed = URI.create(plain);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a " + CLUSTER_SCHEME + ":// URL: " + e.getMessage(), e);
        }
        String path = parsed.getRawPath();
        String query = parsed.getRawQuery();
        if ((path != null && !path.isEmpty() && !"/".equals(path)) || (query != null && query.contains("database="))) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0; remove the database ('"
                    + (path != null && path.length() > 1 ? path : "?" + query) + "') from the " + CLUSTER_SCHEME + ":// URL");
        }
        List<RedisURI> seeds;
        try {
            seeds = RedisClusterURIUtil.toRedisURIs(parsed);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a " + CLUSTER_SCHEME + ":// URL: " + e.getMessage(), e);
        }
        if (seeds.stream().anyMatch(u -> u.getDatabase() != 0)) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0; remove the database from the "
                    + CLUSTER_SCHEME + ":// URL");
        }
        if (seeds.isEmpty() || seeds.stream().anyMatch(u -> u.getHost() == null || u.getHost().isEmpty())) {
            throw new IllegalArgumentException("a " + CLUSTER_SCHEME + ":// URL names host:port pairs separated by commas");
        }
        seeds.forEach(u -> u.setTimeout(timeout));
        return seeds;
    }

    /**
     * The longest Lettuce waits between two reconnect attempts (R2): attempts start 20 ms apart and
     * double up to this, so a node is connected again within about this long after Redis returns,
     * however long it was away (Lettuce's own default backs off to 30 s).
     */
    public static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);

    /**
     * A client configured as the store wants it (R2, R3): a bounded request queue (commands beyond it
     * fail at once instead of piling up in memory while Redis does not answer), commands rejected at
     * once while disconnected rather than queued until a reconnect (one server; on a cluster they wait at
     * most the timeout), auto-reconnect with attempts at
     * most {@link #MAX_RECONNECT_DELAY} apart, command timeouts; on a cluster also periodic and adaptive
     * topology refresh. The client has resources of its own: end it with {@link #shutdown}.
     */
    public static AbstractRedisClient newClient(String url, int requestQueueSize, Duration timeout) {
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        try {
            if (isCluster(url)) {
                RedisClusterClient c = RedisClusterClient.create(resources, clusterSeeds(url, timeout));
                c.setOptions(ClusterClientOptions.builder()
                        .autoReconnect(true)
                        .requestQueueSize(requestQueueSize)
                        // Not REJECT_COMMANDS: a cluster connection opens its per-node connections lazily,
                        // and would refuse a command to a node it has not connected to yet. While a node is
                        // away, commands wait at most the timeout, in a queue bounded by requestQueueSize.
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.DEFAULT)
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(Duration.ofSeconds(30))
                                .enableAllAdaptiveRefreshTriggers()
                                .build())
                        .build());
                return c;
            }
            RedisURI redisUri = RedisURI.create(url);
            redisUri.setTimeout(timeout);
            RedisClient c = RedisClient.create(resources, redisUri);
            c.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .requestQueueSize(requestQueueSize)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
            return c;
        } catch (RuntimeException e) {
            resources.shutdown();
            throw e;
        }
    }

    /** Shuts down a client made by {@link #newClient}, and the resources (threads) it was given. */
    public static void shutdown(AbstractRedisClient client) {
        try {
            client.shutdown();
        } finally {
            client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** Opens a connection (to the cluster: one that routes each command by its key's slot). */
    public static <K, V> Connection<K, V> connect(AbstractRedisClient client, RedisCodec<K, V> codec) {
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<K, V> c = cluster.connect(codec);
            return new Connection<>(c, c.sync(), c.async());
        }
        if (client instanceof RedisClient single) {
            StatefulRedisConnection<K, V> c = single.connect(codec);
            return new Connection<>(c, c.sync(), c.async());
        }
        throw new IllegalArgumentException("unsupported client " + client.getClass().getName());
    }

    /**
     * Opens a pub/sub connection. On a cluster it subscribes through one node; a plain PUBLISH reaches
     * every node of a cluster, so it receives every message wherever it was published.
     */
    public static <K, V> StatefulRedisPubSubConnection<K, V> connectPubSub(AbstractRedisClient client, RedisCodec<K, V> codec) {
        if (client instanceof RedisClusterClient cluster) {
            return cluster.connectPubSub(codec);
        }
        if (client instanceof RedisClient single) {
            return single.connectPubSub(codec);
        }
        throw new IllegalArgumentException("unsupported client " + client.getClass().getName());
    }

    /**
     * Names a connection for {@code CLIENT LIST} by running {@code setName}; best effort: a name is an
     * operator's aid, not a need, so a server that refuses it leaves the connection unnamed.
     */
    static void trySetName(Runnable setName) {
        try {
            setName.run();
        } catch (RedisException e) {
            LOG.debug("could not name a connection; it works unnamed", e);
        }
    }
}
