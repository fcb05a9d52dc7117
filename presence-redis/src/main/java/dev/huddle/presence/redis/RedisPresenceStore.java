package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.Hold;
import dev.huddle.presence.RoomSnapshot;
import io.lettuce.core.AbstractRedisClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link PresenceStore} on Redis, shared by every server node that points at the same Redis and key
 * prefix. Layout, scripts and failure behaviour are described in {@code docs/redis-store.md}. This class
 * wires the parts together and holds the operations that are one script each; the parts are:
 * <ul>
 *   <li>{@link KeyLayout}: partitions, hash tags, keys, channels, tokens;</li>
 *   <li>{@link Commands} and {@link Scripts}: the command connection and the Lua scripts run on it;</li>
 *   <li>{@link RoomWrites}: every room-changing script, with the merge protocol (the merge rule is Java code);</li>
 *   <li>{@link Heartbeats} and {@link SessionClaims}: a new session's begin → claim → activate, and the
 *       session-id claims that keep P2 across rooms and slots;</li>
 *   <li>{@link Expiry}: due sessions ended by compare-and-delete, on every node at once;</li>
 *   <li>{@link Leases}: the node lease, under which a node's held sessions need no renewal of their own;</li>
 *   <li>{@link RoomReads}: lists, snapshots, changes since a seq;</li>
 *   <li>{@link ChangeFeed} and {@link Subscription}: listeners get every change once, in seq order per room;</li>
 *   <li>{@link StoreHealth}: the probe of the subscription, and what a health check asks.</li>
 * </ul>
 *
 * <h2>Atomicity</h2>
 * Every operation that changes state is one Lua script (run with EVALSHA): its checks, its writes, the
 * sequence number it takes, the change log entry it appends and the message it publishes happen in one
 * step that no other node can interleave with. A script that refuses (a P2 conflict, an unknown token)
 * writes nothing. The one rule that spans rooms — a session id belongs to one (room, user) (P2) — is a
 * claim in the session id's own slot, taken as a separate step ({@link Heartbeats}). The same code runs
 * on one server and on a Redis Cluster ({@link RedisConnections}).
 *
 * <h2>Limits</h2>
 * {@code maxmemory-policy noeviction}. A merge rule that throws leaves the entry's data as it was
 * (logged), as in the in-memory store. Redis out of reach — no connection, a command timed out, the
 * bounded request queue full, Redis loading or busy — surfaces as the engine's
 * {@link dev.huddle.presence.StoreUnavailableException}, counted per kind ({@link #failures}) and logged
 * at a bounded rate ({@link StoreFailures}); a call that times out after Redis ran its script has
 * applied it. Any other Redis error (a bug) surfaces as Lettuce's {@code RedisException}.
 */
public final class RedisPresenceStore implements PresenceStore {
    public static final int DEFAULT_PARTITIONS = 16;
    /** The most partitions a store may have (each has a hash tag of its own in an even slot range). */
    public static final int MAX_PARTITIONS = 1_024;
    public static final int DEFAULT_CHANGE_LOG_CAPACITY = 1_024;
    /**
     * How long a session id's claim outlives the deadline it was last set or extended for, by default.
     * Several times the longest deadline a heartbeat can give (2.5 × 300 s): a claim is only needed
     * while its session is live, and a live session is ended within moments of its deadline by expiry;
     * the grace covers expiry running late (every node down) and extensions that did not arrive.
     */
    public static final Duration DEFAULT_CLAIM_GRACE = Duration.ofHours(1);

    private final AbstractRedisClient client;
    private final boolean ownsClient;
    private final KeyLayout keys;
    private final NodeIds node;
    private final Commands redis;
    private final ChangeFeed feed;
    private final RoomWrites writes;
    private final SessionClaims claims;
    private final Heartbeats heartbeats;
    private final Expiry expiry;
    private final Leases leases;
    private final RoomReads reads;
    private final Subscription subscription;
    private final StoreHealth health;
    private final StoreFailures failures = new StoreFailures();
    private boolean closed;

    RedisPresenceStore(RedisStoreBuilder b) {
        this.keys = new KeyLayout(b.prefix, b.partitions);
        this.node = new NodeIds();
        this.ownsClient = b.client == null;
        this.client = ownsClient ? RedisConnections.newClient(b.uri, b.requestQueueSize, b.timeout) : b.client;
        Commands c = null;
        ChangeFeed f = null;
        Subscription sub = null;
        try {
            c = new Commands(client, b.timeout, node.clientName(""));
            Scripts.loadAll(c.sync());
            this.redis = c;
            this.reads = new RoomReads(c, keys, node);
            f = new ChangeFeed(reads::readLog, b.inboxCapacity, "presence-redis-feed");
            this.feed = f;
            this.writes = new RoomWrites(c, keys, node, f, b.merger, b.changeLogCapacity);
            this.claims = new SessionClaims(c, keys, writes, b.claimGrace.toMillis());
            this.heartbeats = new Heartbeats(keys, node, writes, claims);
            this.leases = new Leases(c, keys, claims, node.id(), b.claimGrace.toMillis());
            this.expiry = new Expiry(c, keys, writes, claims, leases);
            sub = new Subscription(client, c, keys, node, f);
            this.subscription = sub;
            this.health = new StoreHealth(c, sub, b.probeInterval, b.timeout);
        } catch (RuntimeException e) {
            if (f != null) {
                f.close();
            }
            if (sub != null) {
                sub.close();
            }
            if (c != null) {
                c.close();
            }
            if (ownsClient) {
                RedisConnections.shutdown(client);
            }
            throw e;
        }
    }

    /**
     * Starts building a store on the Redis at {@code uri}: one server ({@code redis://127.0.0.1:6379}) or
     * a Redis Cluster ({@code redis-cluster://host1:port1,host2:port2}); see {@link RedisConnections}.
     */
    public static RedisStoreBuilder builder(String uri) {
        return new RedisStoreBuilder(Objects.requireNonNull(uri, "uri"), null);
    }

    /**
     * Starts building a store on a client the caller owns (and shuts down): a {@code RedisClient} or a
     * {@code RedisClusterClient}; tests share one.
     */
    public static RedisStoreBuilder builder(AbstractRedisClient client) {
        return new RedisStoreBuilder(null, Objects.requireNonNull(client, "client"));
    }

    // ---- writes --------------------------------------------------------------------------------

    /** P1–P4, P12; a new session takes three steps, see {@link Heartbeats}. */
    @Override
    public HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long now, long deadline,
            Map<String, String> sessionData, Supplier<String> newToken) {
        return failures.call(() -> heartbeats.heartbeat(roomId, userId, sessionId, now, deadline, sessionData, newToken));
    }

    /** The node lease: held sessions leave the deadline set, see {@link Leases}. */
    @Override
    public boolean[] hold(List<Hold> holds, long now, long leaseMs) {
        heartbeats.seen(now);
        return failures.call(() -> leases.hold(holds, now, leaseMs));
    }

    @Override
    public long unhold(Hold hold, long deadline, long now) {
        heartbeats.seen(now);
        return failures.call(() -> leases.unhold(hold, deadline));
    }

    @Override
    public Predicate<String> renewLease(long now, long leaseMs) {
        heartbeats.seen(now);
        return failures.call(() -> leases.renew(now, leaseMs));
    }

    @Override
    public long holdRefreshMs() {
        return leases.refreshMs();
    }

    @Override
    public boolean updateSession(String roomId, String userId, String sessionId, Map<String, String> patch) {
        return failures.call(() -> RoomWrites.ok(writes.write(Scripts.UPDATE_SESSION, roomId, (args, merged) -> {
            args.add(b(userId));
            args.add(b(sessionId));
            Wire.addPairs(args, patch);
        })));
    }

    @Override
    public boolean disconnect(String sessionToken, long now, long endAt) {
        return failures.call(() -> disconnectNow(sessionToken, now, endAt));
    }

    private boolean disconnectNow(String sessionToken, long now, long endAt) {
        heartbeats.seen(now);
        int p = keys.tokenPartition(sessionToken);
        if (p < 0) {
            return false;
        }
        byte[] where = redis.sync().hget(keys.sessionTokens(p), sessionToken);
        if (where == null) {
            return false;
        }
        List<String> parts = Wire.netstrings(where, 0);
        String roomId = parts.get(0);
        String sessionId = parts.get(1);
        return okAndRelease(writes.write(Scripts.DISCONNECT, roomId, (args, merged) -> {
            args.add(b(sessionId));
            args.add(b(sessionToken));
            args.add(b(now));
            args.add(b(endAt));
        }));
    }

    @Override
    public int expire(long now, int maxSessions) {
        return failures.call(() -> {
            heartbeats.seen(now);
            return expiry.expire(now, maxSessions);
        });
    }

    /** Sessions this node's expiry ended: each session is ended by exactly one node, so nodes' counts add up. */
    @Override
    public long expiredSessions() {
        return expiry.expired();
    }

    @Override
    public long earliestDeadline() {
        return failures.call(expiry::earliestDeadline);
    }

    @Override
    public boolean updateRoomUser(String roomId, String userId, Map<String, String> data) {
        return failures.call(() -> RoomWrites.ok(writes.write(Scripts.UPDATE_ROOM_USER, roomId, (args, merged) -> {
            args.add(b(userId));
            Wire.addPairs(args, data);
        })));
    }

    @Override
    public boolean removeRoomUser(String roomId, String userId) {
        return failures.call(() -> okAndRelease(writes.write(Scripts.REMOVE_ROOM_USER, roomId, (args, merged) -> args.add(b(userId)))));
    }

    @Override
    public boolean removeRoom(String roomId) {
        return failures.call(() -> okAndRelease(writes.write(Scripts.REMOVE_ROOM, roomId, (args, merged) -> {
        })));
    }

    /** For the scripts that may end sessions: whether it succeeded, after releasing their id claims. */
    private boolean okAndRelease(List<Object> reply) {
        if (!RoomWrites.ok(reply)) {
            return false;
        }
        claims.releaseEnded(reply);
        return true;
    }

    // ---- reads ---------------------------------------------------------------------------------

    @Override
    public List<Entry> list(String roomToken, int limit) {
        return failures.call(() -> reads.list(roomToken, limit));
    }

    @Override
    public List<Entry> listRoom(String roomId, boolean onlineOnly, int limit) {
        return failures.call(() -> reads.listRoom(roomId, onlineOnly, limit));
    }

    @Override
    public List<Entry> listUser(String userId, boolean onlineOnly, int limit) {
        return failures.call(() -> reads.listUser(userId, onlineOnly, limit));
    }

    @Override
    public RoomSnapshot snapshot(String roomId) {
        return failures.call(() -> reads.snapshot(roomId));
    }

    @Override
    public Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq) {
        return failures.call(() -> reads.changesSince(roomId, epoch, afterSeq));
    }

    @Override
    public Optional<String> liveSessionToken(String roomId, String userId, String sessionId) {
        return failures.call(() -> reads.liveSessionToken(roomId, userId, sessionId));
    }

    // ---- listeners, health, lifecycle -----------------------------------------------------------

    /** See {@link ChangeFeed}: a call's own changes before it returns, other nodes' by pub/sub, once each, in seq order. */
    @Override
    public void addListener(ChangeListener listener) {
        feed.addListener(listener);
    }

    /** How many pub/sub messages this node dropped because its feed's inbox was full (a metric). */
    public long droppedMessages() {
        return feed.dropped();
    }

    /**
     * How many calls failed so far because Redis was out of reach, by kind: {@code timeout},
     * {@code disconnected}, {@code overloaded} (the bounded request queue was full), {@code busy}
     * (a metric).
     */
    public Map<String, Long> failures() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (StoreFailures.Kind k : StoreFailures.Kind.values()) {
            out.put(k.label(), failures.count(k));
        }
        return out;
    }

    /** Whether Redis answers and the change subscription delivers (for a health check). */
    public StoreHealth health() {
        return health;
    }

    /** The key prefix this store writes under. */
    public String prefix() {
        return keys.prefix();
    }

    /**
     * One key named {@code name} per partition, each in its partition's slot: for a caller that must
     * watch every part of the store's data — on a Redis Cluster each master holds some partitions, and
     * a master can lose its data alone.
     */
    public List<String> partitionKeys(String name) {
        return keys.partitionKeys(name);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        health.stop();
        feed.close();
        subscription.close();
        redis.close();
        if (ownsClient) {
            RedisConnections.shutdown(client);
        }
    }

    // ---- for tests -----------------------------------------------------------------------------

    /** This node's random id, part of its epochs and of its connections' client names (CLIENT LIST). */
    String nodeId() {
        return node.id();
    }

    KeyLayout keys() {
        return keys;
    }

    Heartbeats heartbeats() {
        return heartbeats;
    }

    Subscription subscription() {
        return subscription;
    }
}
