package dev.huddle.server.cluster;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.redis.RedisConnections;
import dev.huddle.presence.redis.RedisPresenceStore;
import dev.huddle.server.config.ClusterConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's part of cluster mode: the {@link RedisPresenceStore} every node shares, and a watcher that
 * keeps this node's view of Redis current (for {@code /health}, and to notice that Redis lost its data).
 *
 * <p>Loss of data (Redis restarted without persistence, or flushed) is noticed through an
 * <em>incarnation</em>: a random marker in every partition of the presence store, each in its
 * partition's slot, created by whichever node finds it missing ({@code SET NX}). On a Redis Cluster every
 * master holds some partitions, so a master that lost its data alone (restarted empty, no replica took
 * over) is noticed too. A node that reads markers other than the ones it knew bumps its
 * {@link #generation()} and tells its listener, which has live sockets re-create their sessions at
 * once and resyncs its subscribers with snapshots. A check that finds Redis out of reach tells
 * {@link #onUnreachable}'s listener, which marks subscribers' rooms {@code degraded}. Coming back after being unreachable counts
 * the same way: sessions whose sockets stayed open may have expired meanwhile, since their heartbeats
 * could not reach Redis. A node that finds the key missing when a session it
 * holds has vanished can ask at once ({@link #checkNow()}), without waiting for the next poll.
 *
 * <p>The watch's own cost stays small (an empty node's background Redis traffic, docs/capacity.md):
 * each tick reads only a few markers, in turn, so that every marker is read at least once per
 * {@link #FULL_CYCLE} (R2). Any read doubles as the reachability probe; a whole Redis flushed or
 * restarted is noticed at the next tick, since every marker is gone. Only a tick that finds a marker
 * changed, or follows an outage, reads them all, to learn the new ones in one go.
 */
public final class ClusterPresence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPresence.class);
    private static final Duration WATCH_TIMEOUT = Duration.ofSeconds(2);
    /** R2: the longest before the watch has read every partition's marker once (a master that lost its data alone). */
    static final Duration FULL_CYCLE = Duration.ofSeconds(2);
    /**
     * R3: the longest a presence call waits for Redis before it fails with {@code unavailable}, and how
     * many commands may wait for it at once (beyond that, calls fail at once).
     */
    public static final Duration STORE_TIMEOUT = Duration.ofSeconds(2);
    public static final int STORE_REQUEST_QUEUE = 1_000;

    private final ClusterConfig config;
    private final RedisPresenceStore store;
    private final AbstractRedisClient watchClient;
    private final RedisConnections.Connection<String, String> watchConnection;
    private final RedisClusterAsyncCommands<String, String> watch;
    private final List<String> incarnationKeys;
    private final int markersPerTick;
    private int nextMarker;
    private final ScheduledExecutorService watcher;
    private final AtomicLong generation = new AtomicLong();
    private volatile Runnable onDataLost = () -> { };
    private volatile Runnable onUnreachable = () -> { };
    private volatile boolean reachable = true;
    private List<String> incarnation;

    private ClusterPresence(ClusterConfig config, RedisPresenceStore store, AbstractRedisClient watchClient) {
        this.config = config;
        this.store = store;
        this.watchClient = watchClient;
        this.incarnationKeys = store.partitionKeys("incarnation");
        this.markersPerTick = markersPerTick(incarnationKeys.size(), config.watchInterval());
        this.watchConnection = RedisConnections.connect(watchClient, StringCodec.UTF8);
        this.watch = watchConnection.async();
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects to Redis (throws if it is unreachable), starts the store and the watcher. */
    public static ClusterPresence open(ClusterConfig config, DataMerger merger, int changeLogCapacity) {
        RedisPresenceStore store = RedisPresenceStore.builder(config.redisUrl()).prefix(config.presencePrefix())
                .partitions(config.partitions())
                .merger(merger).changeLogCapacity(changeLogCapacity).probeInterval(config.probeInterval())
                .timeout(STORE_TIMEOUT).requestQueueSize(STORE_REQUEST_QUEUE).build();
        AbstractRedisClient client = null;
        try {
            client = RedisConnections.newClient(config.redisUrl(), 100, WATCH_TIMEOUT);
            ClusterPresence c = new ClusterPresence(config, store, client);
            c.checkNow();
            long every = config.watchInterval().toMillis();
            c.watcher.scheduleWithFixedDelay(() -> c.check(false), every, every, TimeUnit.MILLISECONDS);
            return c;
        } catch (RuntimeException e) {
            store.close();
            if (client != null) {
                RedisConnections.shutdown(client);
            }
            throw e;
        }
    }

    /** The shared store, for the engine. */
    public RedisPresenceStore store() {
        return store;
    }

    public ClusterConfig config() {
        return config;
    }

    /** Called (on the watcher's thread, or the caller of {@link #checkNow}) when Redis is found to have lost its data. */
    public void onDataLost(Runnable listener) {
        this.onDataLost = listener;
    }

    /** Called (on the watcher's thread) when a check finds Redis out of reach after it was reachable (R1). */
    public void onUnreachable(Runnable listener) {
        this.onUnreachable = listener;
    }

    /** How many times this node has seen Redis lose its data, or come back after being unreachable. */
    public long generation() {
        return generation.get();
    }

    /**
     * Reads the incarnation markers now (creating missing ones) and returns the generation after that;
     * when Redis is unreachable, returns the current one.
     */
    public long checkNow() {
        return check(true);
    }

    /**
     * How many markers each tick reads so that all {@code partitions} are read within {@link #FULL_CYCLE}
     * (16 partitions at 250 ms: 2 per tick).
     */
    static int markersPerTick(int partitions, Duration every) {
        long ticks = Math.max(1, FULL_CYCLE.toMillis() / Math.max(1, every.toMillis()));
        return (int) Math.max(1, Math.min(partitions, (partitions + ticks - 1) / ticks));
    }

    /** A tick reads the next few markers ({@code all}: every one), and all of them when one has changed. */
    private long check(boolean all) {
        boolean lost = false;
        boolean wentAway = false;
        synchronized (this) {
            try {
                if (!all && reachable && incarnation != null && nextMarkersUnchanged()) {
                    return generation.get();
                }
                List<String> id = readIncarnation(incarnationKeys);
                if (incarnation != null && !incarnation.equals(id)) {
                    LOG.warn("Redis lost its data (restarted without persistence, or flushed): resyncing this node's"
                            + " subscribers; live sockets re-create their sessions");
                    lost = true;
                } else if (!reachable) {
                    // Sessions may have expired meanwhile though their sockets stayed open (heartbeats
                    // could not reach Redis): treat the outage like a loss, so live sockets re-create them.
                    LOG.warn("Redis is reachable again: resyncing this node's subscribers; live sockets re-create"
                            + " sessions that ended during the outage");
                    lost = true;
                }
                if (lost) {
                    generation.incrementAndGet();
                }
                reachable = true;
                incarnation = id;
            } catch (RuntimeException e) {
                if (reachable) {
                    LOG.warn("Redis is unreachable: {}", e.toString());
                    wentAway = true;
                }
                reachable = false;
            }
        }
        if (wentAway) {
            try {
                onUnreachable.run();
            } catch (RuntimeException e) {
                LOG.warn("telling subscribers that Redis is unreachable failed: {}", e.toString());
            }
        }
        if (lost) {
            try {
                onDataLost.run();
            } catch (RuntimeException e) {
                LOG.error("recovery after Redis lost its data failed", e);
            }
        }
        return generation.get();
    }

    /** Serves this node's view of Redis on {@code /metrics}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("huddle.redis.reachable", this, c -> c.reachable ? 1 : 0)
                .description("1 while this node reaches Redis (cluster mode)").register(registry);
        Gauge.builder("huddle.redis.subscription.healthy", this, c -> c.store.health().subscriptionHealthy() ? 1 : 0)
                .description("1 while this node's Redis change subscription passes its probe").register(registry);
        FunctionCounter.builder("huddle.redis.interruptions", generation, AtomicLong::get)
                .description("Times Redis came back after being unreachable or having lost its data").register(registry);
        for (String kind : store.failures().keySet()) {
            FunctionCounter.builder("huddle.redis.failures", store, s -> s.failures().get(kind)).tag("kind", kind)
                    .description("Presence calls that failed with 'unavailable' because Redis was out of reach (R1)")
                    .register(registry);
        }
        FunctionCounter.builder("huddle.redis.dropped.messages", store, RedisPresenceStore::droppedMessages)
                .description("Pub/sub messages dropped by a full feed inbox (repaired from the logs)").register(registry);
    }

    /** Whether Redis answered this node's last check. */
    public boolean reachable() {
        return reachable;
    }

    /** Why this node cannot serve presence right now, or empty when it can (for {@code /health}). */
    public Optional<String> problem() {
        if (!reachable) {
            return Optional.of("redis_unreachable");
        }
        if (!store.health().subscriptionHealthy()) {
            return Optional.of("redis_subscription_not_delivering");
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        try {
            watcher.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchConnection.close();
        RedisConnections.shutdown(watchClient);
        // The store is closed by the engine that owns it.
    }

    /** Reads the next {@link #markersPerTick} markers in turn: whether each is the one this node knew. */
    private boolean nextMarkersUnchanged() {
        List<String> keys = new ArrayList<>(markersPerTick);
        List<String> known = new ArrayList<>(markersPerTick);
        for (int i = 0; i < markersPerTick; i++) {
            keys.add(incarnationKeys.get(nextMarker));
            known.add(incarnation.get(nextMarker));
            nextMarker = (nextMarker + 1) % incarnationKeys.size();
        }
        return readIncarnation(keys).equals(known);
    }

    /**
     * The markers of {@code keys}: one {@code SET NX GET} of a fresh id on each, pipelined — it answers
     * the marker that was there, or nothing when it set the fresh one.
     */
    private List<String> readIncarnation(List<String> keys) {
        String candidate = newId();
        List<RedisFuture<String>> reads = new ArrayList<>(keys.size());
        for (String key : keys) {
            reads.add(watch.setGet(key, candidate, SetArgs.Builder.nx()));
        }
        List<String> markers = new ArrayList<>(keys.size());
        for (RedisFuture<String> f : reads) {
            try {
                String was = f.get(WATCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                markers.add(was != null ? was : candidate);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("Redis did not answer within " + WATCH_TIMEOUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return markers;
    }

    private static String newId() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
