package dev.huddle.presence.redis;

import dev.huddle.presence.DataMerger;
import io.lettuce.core.AbstractRedisClient;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds a {@link RedisPresenceStore} ({@link RedisPresenceStore#builder(String)}): its settings, each
 * checked when it is set. {@code prefix}, {@code partitions}, {@code changeLogCapacity} and the merger
 * must be the same on every node that shares the store; the rest are this node's own.
 */
public final class RedisStoreBuilder {
    // Read by RedisPresenceStore's constructor.
    final String uri;
    final AbstractRedisClient client;
    String prefix = "huddle:presence:";
    int partitions = RedisPresenceStore.DEFAULT_PARTITIONS;
    int changeLogCapacity = RedisPresenceStore.DEFAULT_CHANGE_LOG_CAPACITY;
    DataMerger merger = DataMerger.DEFAULT;
    int requestQueueSize = 10_000;
    int inboxCapacity = 100_000;
    Duration timeout = Duration.ofSeconds(5);
    Duration probeInterval = Duration.ofSeconds(10);
    Duration claimGrace = RedisPresenceStore.DEFAULT_CLAIM_GRACE;

    /** Exactly one of {@code uri} (the store creates and owns its client) and {@code client} (the caller owns it). */
    RedisStoreBuilder(String uri, AbstractRedisClient client) {
        this.uri = uri;
        this.client = client;
    }

    /** Every key and channel starts with this; must not contain '{' or '}'. Default {@code huddle:presence:}. */
    public RedisStoreBuilder prefix(String prefix) {
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("prefix must not contain braces: " + prefix);
        }
        this.prefix = prefix;
        return this;
    }

    /**
     * How many partitions (hash tags) rooms are spread over; every node must agree; never change it on
     * live data. At most {@link RedisPresenceStore#MAX_PARTITIONS}: more partitions than masters buys
     * nothing, and each costs a pipelined command per expiry read and user listing.
     */
    public RedisStoreBuilder partitions(int partitions) {
        if (partitions < 1 || partitions > RedisPresenceStore.MAX_PARTITIONS) {
            throw new IllegalArgumentException("partitions must be 1…" + RedisPresenceStore.MAX_PARTITIONS);
        }
        this.partitions = partitions;
        return this;
    }

    /** How many changes each room's log keeps for resume (S2) and gap filling. */
    public RedisStoreBuilder changeLogCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("changeLogCapacity must be ≥ 1");
        }
        this.changeLogCapacity = capacity;
        return this;
    }

    /** The merge rule (P12); every node must use the same one. */
    public RedisStoreBuilder merger(DataMerger merger) {
        this.merger = Objects.requireNonNull(merger);
        return this;
    }

    /** Lettuce's request queue bound, when this store creates its own client. */
    public RedisStoreBuilder requestQueueSize(int size) {
        this.requestQueueSize = size;
        return this;
    }

    /** How many pub/sub messages may wait for the feed thread before new ones are dropped (and later refilled from the log). */
    public RedisStoreBuilder inboxCapacity(int capacity) {
        this.inboxCapacity = capacity;
        return this;
    }

    /** Command timeout. */
    public RedisStoreBuilder timeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** How often to probe the change subscription (and replace it if deaf); zero turns probing off. Default 10 s. */
    public RedisStoreBuilder probeInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("probeInterval must not be negative");
        }
        this.probeInterval = interval;
        return this;
    }

    /**
     * How long a session id's claim (P2) outlives the deadline it was last extended for; after that
     * Redis deletes it, so a claim whose release was lost does not stay forever. Must exceed how late
     * expiry may end a session past its deadline (default {@link RedisPresenceStore#DEFAULT_CLAIM_GRACE},
     * 1 h; tests shorten it).
     */
    public RedisStoreBuilder claimGrace(Duration grace) {
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("claimGrace must be positive");
        }
        this.claimGrace = grace;
        return this;
    }

    /** Connects, loads the scripts and subscribes; throws if Redis is unreachable. */
    public RedisPresenceStore build() {
        return new RedisPresenceStore(this);
    }
}
