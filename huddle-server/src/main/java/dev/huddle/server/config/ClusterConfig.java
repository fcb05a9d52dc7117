package dev.huddle.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Cluster mode: presence lives in Redis so that several server nodes share it (see docs/operations.md).
 *
 * @param redisUrl the Redis every node uses: one server, {@code redis://host:port[/db]} or {@code rediss://…}, or a
 *     Redis Cluster, {@code redis-cluster://host1:port1,host2:port2} or {@code rediss-cluster://…} (seed nodes)
 * @param prefix every key and channel this cluster writes starts with it; nodes of one cluster agree on it
 * @param partitions how many partitions (hash tags) the presence store spreads rooms over; nodes agree on it
 * @param probeInterval how often the node checks that its Redis subscription still delivers
 * @param maxWorkerSleep the longest the expiry worker sleeps: a deadline another node made wakes that node's worker, not
 *     this one's, so this bounds how late the deadlines a node made just before it died are noticed
 * @param watchInterval how often the node checks that Redis is reachable and still holds its data
 */
public record ClusterConfig(String redisUrl, String prefix, int partitions, Duration probeInterval,
        Duration maxWorkerSleep, Duration watchInterval) {
    public static final String DEFAULT_PREFIX = Setting.REDIS_PREFIX.defaultValue();
    public static final int DEFAULT_PARTITIONS = Setting.REDIS_PARTITIONS.defaultInt();
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_WORKER_SLEEP = Duration.ofSeconds(5);
    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofMillis(250);

    public ClusterConfig {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(probeInterval, "probeInterval");
        Objects.requireNonNull(maxWorkerSleep, "maxWorkerSleep");
        Objects.requireNonNull(watchInterval, "watchInterval");
        Setting.REDIS_PARTITIONS.check(partitions);
    }

    public ClusterConfig(String redisUrl, String prefix) {
        this(redisUrl, prefix, DEFAULT_PARTITIONS);
    }

    public ClusterConfig(String redisUrl, String prefix, int partitions) {
        this(redisUrl, prefix, partitions, DEFAULT_PROBE_INTERVAL, DEFAULT_MAX_WORKER_SLEEP, DEFAULT_WATCH_INTERVAL);
    }

    /** A copy probing the subscription every {@code interval} (tests shorten it). */
    public ClusterConfig withProbeInterval(Duration interval) {
        return new ClusterConfig(redisUrl, prefix, partitions, interval, maxWorkerSleep, watchInterval);
    }

    /** The presence store's own key prefix, under the cluster's. */
    public String presencePrefix() {
        return prefix + "presence:";
    }

    @Override
    public String toString() {
        return "ClusterConfig[redisUrl=" + redactPassword(redisUrl) + ", prefix=" + prefix + ", partitions=" + partitions + "]";
    }

    /** The URL with any password replaced, for logs. */
    public static String redactPassword(String url) {
        int at = url.indexOf('@');
        int scheme = url.indexOf("://");
        return at > 0 && scheme > 0 && at > scheme ? url.substring(0, scheme + 3) + "***" + url.substring(at) : url;
    }
}
