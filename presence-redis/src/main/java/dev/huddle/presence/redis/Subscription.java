package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's pub/sub subscription: one connection subscribed to every partition's change channel,
 * which hands each message to the {@link ChangeFeed}, and to this node's own probe channel, on which
 * {@link #probe} checks that the connection still delivers. Lettuce resubscribes the connection after a
 * reconnect; {@link #resubscribe} replaces it when a probe finds it deaf though connected. Every
 * (re)subscription asks the feed to catch up from the logs, so nothing published meanwhile is missed.
 *
 * <p>On a Redis Cluster a plain PUBLISH reaches every node, so one connection to any node receives every
 * partition's changes (see {@code docs/redis-store.md}, "Listeners").
 */
final class Subscription implements AutoCloseable {
    private final AbstractRedisClient client;
    private final boolean cluster;
    private final Commands redis;
    private final KeyLayout keys;
    private final String clientName;
    private final ChangeFeed feed;
    private final String probeChannel;
    private final AtomicLong probeCounter = new AtomicLong();
    private volatile long probeSeen;
    /** Signalled when a probe comes back; held only to check or bump probeSeen, never while blocking. */
    private final Object probeLock = new Object();
    private volatile StatefulRedisPubSubConnection<String, byte[]> connection;
    private boolean closed;

    /** Opens the subscription; it is subscribed when this returns. */
    Subscription(AbstractRedisClient client, Commands redis, KeyLayout keys, NodeIds node, ChangeFeed feed) {
        this.client = client;
        this.cluster = client instanceof RedisClusterClient;
        this.redis = redis;
        this.keys = keys;
        this.clientName = node.clientName(":pubsub");
        this.feed = feed;
        this.probeChannel = keys.probeChannel(node.id());
        this.connection = open();
    }

    /**
     * Publishes a probe on this node's probe channel (through the command connection) and waits up to
     * {@code wait} for the subscription to deliver it. False means the subscription is not delivering
     * (or the wait was interrupted).
     *
     * @throws RedisException if the probe could not be published (Redis unreachable, or the command timed out)
     */
    boolean probe(Duration wait) {
        long n = probeCounter.incrementAndGet();
        // One server counts its receivers; a cluster node counts only its own, while the message
        // reaches the subscriber through whichever node it is connected to: there, just wait.
        if (redis.sync().publish(probeChannel, b(n)) == 0 && !cluster) {
            return false;
        }
        long until = System.nanoTime() + wait.toNanos();
        try {
            synchronized (probeLock) {
                long left;
                while (probeSeen < n) {
                    if ((left = until - System.nanoTime()) <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(probeLock, left);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Replaces the subscription connection with a new one, then checks every room this node knows
     * against its log, so that nothing published while the old one was deaf is missed.
     */
    synchronized void resubscribe() {
        if (closed) {
            return;
        }
        StatefulRedisPubSubConnection<String, byte[]> old = connection;
        connection = open();
        old.closeAsync();
        feed.requestCatchUp();
    }

    /** The subscription connection, for tests. */
    StatefulRedisPubSubConnection<String, byte[]> connection() {
        return connection;
    }

    @Override
    public synchronized void close() {
        closed = true;
        connection.close();
    }

    /**
     * Opens a subscription connection to every partition's channel and this node's probe channel; it is
     * subscribed when this returns. Lettuce resubscribes it after a reconnect, and each (re)subscription
     * triggers a catch-up from the logs.
     */
    private StatefulRedisPubSubConnection<String, byte[]> open() {
        StatefulRedisPubSubConnection<String, byte[]> ps = RedisConnections.connectPubSub(client, Wire.CODEC);
        try {
            RedisConnections.trySetName(() -> ps.sync().clientSetname(clientName));
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    if (channel.equals(probeChannel)) {
                        long seen = Long.parseLong(s(message));
                        synchronized (probeLock) {
                            probeSeen = Math.max(probeSeen, seen);
                            probeLock.notifyAll();
                        }
                    } else {
                        feed.remote(message);
                    }
                }

                @Override
                public void subscribed(String channel, long count) {
                    // Also called when Lettuce resubscribes after a reconnect: from now on nothing is
                    // missed, so check every known room against its log for what was missed meanwhile.
                    feed.requestCatchUp();
                }
            });
            String[] channels = new String[keys.partitions() + 1];
            for (int p = 0; p < keys.partitions(); p++) {
                channels[p] = keys.channel(p);
            }
            channels[keys.partitions()] = probeChannel;
            ps.sync().subscribe(channels);
            return ps;
        } catch (RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
