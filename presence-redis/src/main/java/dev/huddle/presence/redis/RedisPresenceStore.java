package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.SessionConflictException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PresenceStore} on Redis, shared by every server node that points at the same Redis and key
 * prefix. Layout, scripts and failure behaviour are described in {@code docs/redis-store.md}.
 *
 * <h2>Atomicity</h2>
 * Every operation that changes state is one Lua script (run with EVALSHA): its checks, its writes, the
 * sequence number it takes, the change log entry it appends and the message it publishes happen in one
 * step that no other node can interleave with. A script that refuses (a P2 conflict, an unknown token)
 * writes nothing.
 *
 * <h2>The merge rule runs in Java: a compare-and-set on a member version</h2>
 * An entry's data is {@code DataMerger.merge(userData, live sessions' data)}, and the merger is Java
 * code. So a script that is about to change a member's merge inputs (its user data, its set of live
 * sessions or their data) needs the merged result of the inputs <i>after</i> its change. Each member
 * carries a version, drawn from a per-room counter that only grows (so a version is never reused, even
 * after the member is removed and created again). The protocol:
 * <ol>
 *   <li>Java runs the script without merged data. If the call changes no merge input (the common live
 *       heartbeat, a patch that patches nothing) it completes in this one round trip. Otherwise the
 *       script, before writing anything, returns the member's version and the merge inputs as they
 *       will be after the change.</li>
 *   <li>Java merges them and runs the script again with the merged data and that version. The script
 *       recomputes everything; if the member's version is still the one merged for, its post-change
 *       inputs are exactly the ones Java merged, so it writes the change and the merged data and emits
 *       (join, leave, or update only if the merged data differs from what the entry showed). If some
 *       other call changed the member in between, it returns fresh inputs and Java tries again.</li>
 * </ol>
 * The emission decision is made inside the script, against the state it is changing, so a join, leave
 * or update is emitted exactly once however many nodes race; the retry only ever repeats a step that
 * wrote nothing.
 *
 * <h2>Listeners</h2>
 * See {@link ChangeFeed}: a call's own changes are delivered before it returns; other nodes' changes
 * arrive by pub/sub; per room, each change is delivered once, in seq order, gaps filled from the log.
 *
 * <h2>Expiry</h2>
 * {@link #expire} reads due sessions from every partition's deadline set (read-only) and ends each with a
 * compare-and-delete script that ends it only if its deadline is still the one read and is due. Every
 * node may run it at once; a session ends exactly once.
 *
 * <h2>Redis Cluster</h2>
 * Every key of a room, and its partition's deadline set, token indexes and user index, carry the
 * partition's hash tag, so every room script touches one slot. Tokens name their partition, so they
 * route themselves. The one rule that spans rooms — a session id belongs to one (room, user) (P2) —
 * is a claim in the session id's own slot, taken as a separate step between a pending (invisible)
 * session and its activation; {@link #heartbeat} and {@code docs/redis-store.md} give the ordering and
 * why no race or crash yields two live sessions with one id, or a claim that blocks an id for good.
 * The same code runs on one server and on a cluster ({@link RedisConnections}).
 *
 * <h2>Limits</h2>
 * {@code maxmemory-policy noeviction}. A merge rule that throws leaves the entry's data as it was
 * (logged), as in the in-memory store. Redis errors surface as Lettuce's {@code RedisException}; a call
 * that times out after Redis ran its script has applied it.
 */
public final class RedisPresenceStore implements PresenceStore {
    public static final int DEFAULT_PARTITIONS = 16;
    /** The most partitions a store may have (each has a hash tag of its own in an even slot range). */
    public static final int MAX_PARTITIONS = 1_024;
    public static final int DEFAULT_CHANGE_LOG_CAPACITY = 1_024;
    private static final Logger LOG = LoggerFactory.getLogger(RedisPresenceStore.class);
    /** Retries of one script's merge protocol (each retry means another call changed the member meanwhile). */
    private static final int MAX_ATTEMPTS = 1_000;
    /**
     * Starts over of a new session's begin → claim → activate, and checks of a held claim within one
     * claim step. These loops nest (a claim step runs inside a start-over), so they are capped well below
     * {@link #MAX_ATTEMPTS}: at most 32 × 32 claim checks per heartbeat, not a million. They need no
     * backoff: every retry is caused by another call's committed step (a claimant that removed our
     * pending session, a claim that changed between its check and our compare-and-set), so the system as
     * a whole always progresses; the only way to keep one call retrying is a stream of competing
     * heartbeats for the same session id in other rooms or users — a P2 violation by the clients, which
     * the cap turns into a {@link ContentionException} instead of a spin. Sleeping would hold the
     * caller's thread (a request or socket thread) for nothing in every other case.
     */
    private static final int SESSION_ATTEMPTS = 32;
    /**
     * How long after the latest time this node has seen a pending session (a new session between its
     * steps) is kept before expiry reclaims it. Only memory depends on it: a pending session is
     * invisible, and one reclaimed under a slow caller's feet only makes that caller start over.
     */
    static final long PENDING_GRACE_MS = 60_000;
    /**
     * How long a session id's claim outlives the deadline it was last set or extended for, by default.
     * Several times the longest deadline a heartbeat can give (2.5 × 300 s): a claim is only needed
     * while its session is live, and a live session is ended within moments of its deadline by expiry;
     * the grace covers expiry running late (every node down) and extensions that did not arrive.
     */
    public static final Duration DEFAULT_CLAIM_GRACE = Duration.ofHours(1);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final Comparator<Wire.Row> ORDER = Comparator
            .comparing((Wire.Row r) -> !r.entry().online())
            .thenComparingLong(r -> r.entry().online() ? r.onlineSince() : -r.entry().lastDisconnected())
            .thenComparing(r -> r.entry().userId())
            .thenComparing(r -> r.entry().roomId());

    private final AbstractRedisClient client;
    private final boolean ownsClient;
    private final boolean cluster;
    private final RedisConnections.Connection<String, byte[]> connection;
    private final RedisClusterCommands<String, byte[]> redis;
    private final RedisClusterAsyncCommands<String, byte[]> async;
    private volatile StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private final String probeChannel;
    private final AtomicLong probeCounter = new AtomicLong();
    private volatile long probeSeen;
    /** Signalled when a probe comes back; held only to check or bump probeSeen, never while blocking. */
    private final Object probeLock = new Object();
    private volatile boolean subscriptionHealthy = true;
    private ScheduledExecutorService probes;
    private boolean closed;
    private final ChangeFeed feed;
    private final String prefix;
    private final int partitions;
    /** Each partition's hash tag, spread evenly over the cluster's slots ({@link #partitionTags}). */
    private final String[] tags;
    private final byte[] capacity;
    private final DataMerger merger;
    private final Duration timeout;
    private final long claimGraceMs;
    private final String nodeId;
    private final AtomicLong epochs = new AtomicLong();
    /** The latest time any call has given this node (pending sessions are kept past it, see PENDING_GRACE_MS). */
    private final AtomicLong latestNow = new AtomicLong(Long.MIN_VALUE);

    private RedisPresenceStore(Builder b) {
        this.prefix = b.prefix;
        this.partitions = b.partitions;
        this.tags = partitionTags(b.partitions);
        this.capacity = b(b.changeLogCapacity);
        this.merger = b.merger;
        this.timeout = b.timeout;
        this.claimGraceMs = b.claimGrace.toMillis();
        byte[] id = new byte[9];
        new SecureRandom().nextBytes(id);
        this.nodeId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        this.ownsClient = b.client == null;
        this.client = b.client != null ? b.client : RedisConnections.newClient(b.uri, b.requestQueueSize, b.timeout);
        this.cluster = client instanceof RedisClusterClient;
        RedisConnections.Connection<String, byte[]> conn = null;
        StatefulRedisPubSubConnection<String, byte[]> ps = null;
        ChangeFeed f = null;
        try {
            conn = RedisConnections.connect(client, CODEC);
            this.connection = conn;
            this.redis = conn.sync();
            this.async = conn.async();
            nameConnection(() -> redis.clientSetname("presence-redis:" + nodeId));
            Scripts.loadAll(redis);
            f = new ChangeFeed(this::readLog, b.inboxCapacity, "presence-redis-feed");
            this.feed = f;
            this.probeChannel = prefix + "probe:" + nodeId;
            ps = openPubSub();
            this.pubSub = ps;
            if (!b.probeInterval.isZero()) {
                probes = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "presence-redis-probe");
                    t.setDaemon(true);
                    return t;
                });
                long every = b.probeInterval.toMillis();
                probes.scheduleWithFixedDelay(this::probeAndRepair, every, every, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            if (f != null) {
                f.close();
            }
            if (ps != null) {
                ps.close();
            }
            if (conn != null) {
                conn.close();
            }
            if (ownsClient) {
                client.shutdown();
            }
            throw e;
        }
    }

    /**
     * Starts building a store on the Redis at {@code uri}: one server ({@code redis://127.0.0.1:6379}) or
     * a Redis Cluster ({@code redis-cluster://host1:port1,host2:port2}); see {@link RedisConnections}.
     */
    public static Builder builder(String uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"), null);
    }

    /**
     * Starts building a store on a client the caller owns (and shuts down): a {@code RedisClient} or a
     * {@code RedisClusterClient}; tests share one.
     */
    public static Builder builder(AbstractRedisClient client) {
        return new Builder(null, Objects.requireNonNull(client, "client"));
    }

    /** A client for {@code uri} (one server or a cluster) configured as this store wants it; see {@link RedisConnections#newClient}. */
    public static AbstractRedisClient newClient(String uri, int requestQueueSize, Duration timeout) {
        return RedisConnections.newClient(uri, requestQueueSize, timeout);
    }

    // ---- writes --------------------------------------------------------------------------------

    /**
     * P1–P4, P12. A live session's heartbeat is one script in the room's slot. A new session needs the
     * session id's claim (P2), which lives in the id's own slot, so it takes three steps:
     * <ol>
     *   <li><b>begin</b> (room slot): records a <i>pending</i> session for a fresh nonce — invisible: no
     *       member, token or change — or adopts the pending session of a concurrent call for the same
     *       room, user and id;</li>
     *   <li><b>claim</b> (id slot, {@link #claim}): the id's claim becomes (room, user, nonce), after
     *       checking any other claim in the room it names;</li>
     *   <li><b>activate</b> (room slot): the pending session of that nonce goes live (join or update),
     *       if it is still there; if not (a claimant for another room removed it), start over.</li>
     * </ol>
     * A pending session is written before its claim, and a claim is only ever replaced after its
     * pending session was removed or found gone in its room — so the nonce a claim held can never go
     * live afterwards, and at most one session per id is live. See {@code docs/redis-store.md}.
     */
    @Override
    public HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long now, long deadline,
            Map<String, String> sessionData, Supplier<String> newToken) {
        seen(now);
        int p = partition(roomId);
        for (int attempt = 0; attempt < SESSION_ATTEMPTS; attempt++) {
            List<Object> r = heartbeatStep("begin", p, roomId, userId, sessionId, newNonce(), now, deadline,
                    sessionData, newToken, new Merged("", null));
            String status = s(r.get(0));
            if ("CONFLICT".equals(status)) {
                throw new SessionConflictException(sessionId);
            }
            if ("OK".equals(status)) {
                // a live session: extend its id's claim, without waiting (see refreshClaim)
                refreshClaim(sessionId, (byte[]) r.get(3), claimTtl(now, deadline));
                return new HeartbeatResult(s(r.get(1)), s(r.get(2)), deadline);
            }
            // PENDING: the id must be claimed for (room, user, nonce) before that session may go live.
            String nonce = s(r.get(1));
            Merged forActivation = merge(roomId, r, 2);
            Claim claim = claim(roomId, userId, sessionId, nonce, claimTtl(now, deadline));
            if (claim.conflict()) {
                dropPending(roomId, sessionId, claim.nonce());
                throw new SessionConflictException(sessionId);
            }
            r = heartbeatStep("activate", p, roomId, userId, sessionId, claim.nonce(), now, deadline, sessionData,
                    newToken, claim.nonce().equals(nonce) ? forActivation : new Merged("", null));
            status = s(r.get(0));
            if ("CONFLICT".equals(status)) {
                throw new SessionConflictException(sessionId);
            }
            if ("OK".equals(status)) {
                return new HeartbeatResult(s(r.get(1)), s(r.get(2)), deadline);
            }
            // GONE: a claimant for another room or user removed the pending session, or expiry reclaimed
            // it under a very slow call; nothing of this call is visible, so start over.
        }
        throw new ContentionException(roomId, SESSION_ATTEMPTS);
    }

    private List<Object> heartbeatStep(String mode, int p, String roomId, String userId, String sessionId, String nonce,
            long now, long deadline, Map<String, String> sessionData, Supplier<String> newToken, Merged first) {
        boolean activate = "activate".equals(mode);
        long pendingUntil = Math.max(deadline, latestNow.get()) + PENDING_GRACE_MS;
        return write(Scripts.HEARTBEAT, roomId, (args, merged) -> {
            args.add(b(mode));
            args.add(b(userId));
            args.add(b(sessionId));
            args.add(b(nonce));
            args.add(b(now));
            args.add(b(deadline));
            args.add(b(pendingUntil));
            args.add(b(sessionData != null ? "1" : "0"));
            Wire.addPairs(args, sessionData != null ? sessionData : Map.of());
            // Fresh tokens are drawn only for the attempt that may make a session live (it carries merged data).
            boolean draw = activate && merged;
            args.add(b(draw ? token(p, newToken.get()) : ""));
            args.add(b(draw ? token(p, newToken.get()) : ""));
        }, first);
    }

    /** The outcome of claiming a session id: the nonce that holds it, or a conflict with another room or user. */
    private record Claim(String nonce, boolean conflict) {
    }

    /**
     * P2: makes the id's claim (in the id's own slot) say (room, user, nonce). If another claim holds
     * it, that claim is checked in the room it names ({@code verify_claim}): a live session there for
     * another room or user is a conflict; a pending one is removed there, so it can never go live; a
     * claim whose session is gone is stale. A stale claim is replaced by compare-and-set on exactly the
     * value checked, so a claim that changed meanwhile is checked again. A claim for this same room and
     * user (a concurrent call for this very session) is adopted: this call continues with its nonce.
     */
    private Claim claim(String roomId, String userId, String sessionId, String nonce, long ttlMs) {
        String[] key = {claimKey(sessionId)};
        byte[] replaceable = new byte[0];
        for (int attempt = 0; attempt < SESSION_ATTEMPTS; attempt++) {
            List<Object> r = Scripts.eval(redis, Scripts.CLAIM, key, b(Wire.enc(roomId, userId, nonce)), replaceable,
                    b(ttlMs));
            if ("OK".equals(s(r.get(0)))) {
                return new Claim(nonce, false);
            }
            byte[] held = (byte[]) r.get(1);
            List<String> c = Wire.netstrings(held, 0); // room, user, nonce
            List<Object> v = write(Scripts.VERIFY_CLAIM, c.get(0), (args, merged) -> {
                args.add(b(sessionId));
                args.add(b(c.get(1)));
                args.add(b(c.get(2)));
                args.add(b(roomId));
                args.add(b(userId));
            });
            switch (s(v.get(0))) {
                case "CONFLICT" -> {
                    return new Claim(nonce, true);
                }
                case "ADOPT" -> {
                    nonce = c.get(2);
                    replaceable = new byte[0];
                }
                default -> replaceable = held; // STALE
            }
        }
        throw new ContentionException(roomId, SESSION_ATTEMPTS);
    }

    /**
     * For tests: the first step of a new session's heartbeat ({@code begin}), and the claim if asked,
     * but not the rest — the state a node leaves when it dies between the steps. Returns the nonce.
     */
    String beginWithoutActivating(String roomId, String userId, String sessionId, long now, long deadline,
            boolean alsoClaim) {
        seen(now);
        List<Object> r = heartbeatStep("begin", partition(roomId), roomId, userId, sessionId, newNonce(), now, deadline,
                null, () -> "", new Merged("", null));
        if (!"PENDING".equals(s(r.get(0)))) {
            throw new IllegalStateException("not a new session: " + s(r.get(0)));
        }
        String nonce = s(r.get(1));
        if (alsoClaim) {
            Claim c = claim(roomId, userId, sessionId, nonce, claimTtl(now, deadline));
            if (c.conflict()) {
                throw new SessionConflictException(sessionId);
            }
            nonce = c.nonce();
        }
        return nonce;
    }

    /**
     * A claim's time to live when its session's deadline is {@code deadline}: until that deadline, plus
     * the grace. Relative to the caller's {@code now}, so a clock offset between the nodes and Redis does
     * not shorten it.
     */
    private long claimTtl(long now, long deadline) {
        return Math.max(0, deadline - now) + claimGraceMs;
    }

    /**
     * Re-asserts a live session's claim (refresh_claim.lua): extends it to the new deadline plus the
     * grace if it is still exactly that session's, and sets it again if it is missing (a failover lost
     * it, or it ran out). Pipelined and not waited for: the heartbeat costs no extra round trip. A refresh
     * that fails is harmless as long as a later one arrives within the grace; one that finds NOSCRIPT is
     * sent again with the script's source. Setting a missing claim is safe even if the session ended
     * meanwhile: a claim naming an ended session is stale, and the id's next claimant replaces it.
     */
    private void refreshClaim(String sessionId, byte[] claim, long ttlMs) {
        String[] key = {claimKey(sessionId)};
        byte[] ttl = b(ttlMs);
        async.evalsha(Scripts.REFRESH_CLAIM.sha(), ScriptOutputType.MULTI, key, claim, ttl).whenComplete((v, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                async.eval(Scripts.REFRESH_CLAIM.source(), ScriptOutputType.MULTI, key, claim, ttl);
            } else if (cause != null) {
                LOG.debug("could not extend the claim of a session id; the next heartbeat tries again", cause);
            }
        });
    }

    /** After a conflict: removes this call's pending session now rather than at its reclaim time. */
    private void dropPending(String roomId, String sessionId, String nonce) {
        try {
            write(Scripts.DROP_PENDING, roomId, (args, merged) -> {
                args.add(b(sessionId));
                args.add(b(nonce));
            });
        } catch (RuntimeException e) {
            // invisible either way; expiry reclaims it
            LOG.warn("could not remove a pending session of room {} after a conflict; expiry reclaims it", roomId, e);
        }
    }

    /**
     * Releases the id claims of the sessions a script ended (its reply's second element: id, claim,
     * id, claim…), each only if it still holds exactly that claim. Best effort: the room change has
     * happened; a claim left behind (Redis unreachable now, or this node dies first) blocks nothing,
     * since a claim is always checked against its room before it is honoured.
     */
    private void releaseClaims(List<Object> reply) {
        releaseClaimsOf(Wire.list(reply.get(1)));
    }

    /** As {@link #releaseClaims}, for (id, claim) pairs gathered from several replies: one pipeline for all. */
    private void releaseClaimsOf(List<Object> ended) {
        if (ended.isEmpty()) {
            return;
        }
        try {
            List<RedisFuture<List<Object>>> calls = new ArrayList<>(ended.size() / 2);
            List<String[]> keys = new ArrayList<>(ended.size() / 2);
            for (int i = 0; i + 1 < ended.size(); i += 2) {
                String[] k = {claimKey(s(ended.get(i)))};
                keys.add(k);
                calls.add(async.evalsha(Scripts.RELEASE_CLAIM.sha(), ScriptOutputType.MULTI, k, (byte[]) ended.get(i + 1)));
            }
            for (int i = 0; i < calls.size(); i++) {
                await(calls.get(i), Scripts.RELEASE_CLAIM, keys.get(i), (byte[]) ended.get(2 * i + 1));
            }
        } catch (RuntimeException e) {
            LOG.warn("could not release {} session id claim(s); they are stale and replaced on the ids' next use",
                    ended.size() / 2, e);
        }
    }

    @Override
    public boolean updateSession(String roomId, String userId, String sessionId, Map<String, String> patch) {
        List<Object> r = write(Scripts.UPDATE_SESSION, roomId, (args, merged) -> {
            args.add(b(userId));
            args.add(b(sessionId));
            Wire.addPairs(args, patch);
        });
        return ok(r);
    }

    @Override
    public boolean disconnect(String sessionToken, long now, long endAt) {
        seen(now);
        int p = tokenPartition(sessionToken);
        if (p < 0) {
            return false;
        }
        byte[] where = redis.hget(tag(p) + "stok", sessionToken);
        if (where == null) {
            return false;
        }
        List<String> parts = Wire.netstrings(where, 0);
        String roomId = parts.get(0);
        String sessionId = parts.get(1);
        List<Object> r = write(Scripts.DISCONNECT, roomId, (args, merged) -> {
            args.add(b(sessionId));
            args.add(b(sessionToken));
            args.add(b(now));
            args.add(b(endAt));
        });
        return okAndRelease(r);
    }

    @Override
    public int expire(long now, int maxSessions) {
        seen(now);
        Range<Long> due = Range.from(Range.Boundary.unbounded(), Range.Boundary.including(now));
        List<RedisFuture<List<ScoredValue<byte[]>>>> reads = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            reads.add(async.zrangebyscoreWithScores(tag(p) + "dl", due, Limit.create(0, maxSessions)));
        }
        List<Due> all = new ArrayList<>();
        for (RedisFuture<List<ScoredValue<byte[]>>> f : reads) {
            for (ScoredValue<byte[]> v : get(f)) {
                List<String> member = Wire.netstrings(v.getValue(), 0); // sessionId, roomId
                all.add(new Due(member.get(0), (long) v.getScore(), member.get(1)));
            }
        }
        // End them in the order they died, across partitions, as the in-memory store does.
        all.sort(Comparator.comparingLong(Due::deadline).thenComparing(Due::sessionId));
        int n = Math.min(maxSessions, all.size());
        // The ended sessions' claims live on other masters: release them all at the end, in one pipeline
        // (also if a later end fails), rather than one round trip per session.
        List<Object> ended = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Due d = all.get(i);
                List<Object> r = write(Scripts.END_DUE, d.roomId(), (args, merged) -> {
                    args.add(b(d.sessionId()));
                    args.add(b(d.deadline()));
                    args.add(b(now));
                });
                if (ok(r)) {
                    ended.addAll(Wire.list(r.get(1)));
                }
            }
        } finally {
            releaseClaimsOf(ended);
        }
        return n;
    }

    @Override
    public long earliestDeadline() {
        List<RedisFuture<List<ScoredValue<byte[]>>>> reads = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            reads.add(async.zrangeWithScores(tag(p) + "dl", 0, 0));
        }
        long earliest = Long.MAX_VALUE;
        for (RedisFuture<List<ScoredValue<byte[]>>> f : reads) {
            for (ScoredValue<byte[]> v : get(f)) {
                earliest = Math.min(earliest, (long) v.getScore());
            }
        }
        return earliest;
    }

    @Override
    public boolean updateRoomUser(String roomId, String userId, Map<String, String> data) {
        return ok(write(Scripts.UPDATE_ROOM_USER, roomId, (args, merged) -> {
            args.add(b(userId));
            Wire.addPairs(args, data);
        }));
    }

    @Override
    public boolean removeRoomUser(String roomId, String userId) {
        return okAndRelease(write(Scripts.REMOVE_ROOM_USER, roomId, (args, merged) -> args.add(b(userId))));
    }

    @Override
    public boolean removeRoom(String roomId) {
        return okAndRelease(write(Scripts.REMOVE_ROOM, roomId, (args, merged) -> {
        }));
    }

    // ---- reads ---------------------------------------------------------------------------------

    @Override
    public List<Entry> list(String roomToken, int limit) {
        int p = tokenPartition(roomToken);
        if (p < 0) {
            return List.of();
        }
        byte[] room = redis.hget(tag(p) + "rtok", roomToken);
        if (room == null) {
            return List.of();
        }
        return listRoom(s(room), roomToken, false, limit);
    }

    @Override
    public List<Entry> listRoom(String roomId, boolean onlineOnly, int limit) {
        return listRoom(roomId, "", onlineOnly, limit);
    }

    private List<Entry> listRoom(String roomId, String token, boolean onlineOnly, int limit) {
        int p = partition(roomId);
        List<Object> rows = Scripts.eval(redis, Scripts.LIST_ROOM,
                new String[] {roomKey(p, "room", roomId), roomKey(p, "mem", roomId)}, b(token));
        return sorted(rows(roomId, rows, onlineOnly), limit);
    }

    @Override
    public List<Entry> listUser(String userId, boolean onlineOnly, int limit) {
        // Each partition indexes the rooms of its own where the user has an entry, in the rooms' slot, so
        // the index changes in the same script as the entry. One pipelined read per partition.
        byte[] who = b(Wire.enc(userId));
        List<RedisFuture<List<Object>>> indexReads = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            indexReads.add(async.evalsha(Scripts.USER_ROOMS.sha(), ScriptOutputType.MULTI, new String[] {tag(p) + "ur"}, who));
        }
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (Object room : await(indexReads.get(p), Scripts.USER_ROOMS, new String[] {tag(p) + "ur"}, who)) {
                ids.add(s(room));
            }
        }
        List<RedisFuture<List<Object>>> reads = new ArrayList<>(ids.size());
        for (String roomId : ids) {
            reads.add(async.evalsha(Scripts.MEMBER.sha(), ScriptOutputType.MULTI,
                    new String[] {roomKey(partition(roomId), "mem", roomId)}, b(userId)));
        }
        List<Wire.Row> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String roomId = ids.get(i);
            List<Object> row = await(reads.get(i), Scripts.MEMBER,
                    new String[] {roomKey(partition(roomId), "mem", roomId)}, b(userId));
            if (!row.isEmpty()) {
                Wire.Row parsed = Wire.row(roomId, row);
                if (parsed.entry().online() || !onlineOnly) {
                    out.add(parsed);
                }
            }
        }
        return sorted(out, limit);
    }

    @Override
    public RoomSnapshot snapshot(String roomId) {
        int p = partition(roomId);
        List<Object> r = Scripts.eval(redis, Scripts.SNAPSHOT,
                new String[] {roomKey(p, "room", roomId), roomKey(p, "mem", roomId)}, b(newEpoch()));
        return new RoomSnapshot(roomId, s(r.get(0)), Long.parseLong(s(r.get(1))),
                sorted(rows(roomId, Wire.list(r.get(2)), false), Integer.MAX_VALUE));
    }

    @Override
    public Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq) {
        int p = partition(roomId);
        List<Object> r = Scripts.eval(redis, Scripts.CHANGES,
                new String[] {roomKey(p, "room", roomId), roomKey(p, "log", roomId)}, b(epoch), b(afterSeq));
        String status = s(r.get(0));
        if ("NOROOM".equals(status)) {
            return afterSeq == 0 ? Optional.of(List.of()) : Optional.empty();
        }
        if (!"OK".equals(status)) {
            return Optional.empty();
        }
        List<Change> out = new ArrayList<>();
        for (Object c : Wire.list(r.get(1))) {
            out.add(Wire.change(roomId, (byte[]) c).change());
        }
        return Optional.of(out);
    }

    @Override
    public Optional<String> liveSessionToken(String roomId, String userId, String sessionId) {
        List<Object> r = Scripts.eval(redis, Scripts.LIVE_SESSION,
                new String[] {roomKey(partition(roomId), "ses", roomId)}, b(sessionId));
        if (r.isEmpty() || !userId.equals(s(r.get(0)))) {
            return Optional.empty();
        }
        return Optional.of(s(r.get(1)));
    }

    @Override
    public void addListener(ChangeListener listener) {
        feed.addListener(listener);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (probes != null) {
            probes.shutdownNow();
        }
        feed.close();
        pubSub.close();
        connection.close();
        if (ownsClient) {
            client.shutdown();
        }
    }

    /** The key prefix this store writes under. */
    public String prefix() {
        return prefix;
    }

    /**
     * One key named {@code name} per partition, each in its partition's slot: for a caller that must
     * watch every part of the store's data — on a Redis Cluster each master holds some partitions, and
     * a master can lose its data alone.
     */
    public List<String> partitionKeys(String name) {
        List<String> keys = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            keys.add(tag(p) + name);
        }
        return keys;
    }

    /** How many pub/sub messages this node dropped because its feed's inbox was full (a metric). */
    public long droppedMessages() {
        return feed.dropped();
    }

    /** Whether Redis answers a PING within the command timeout (for a health check). */
    public boolean ping() {
        try {
            return "PONG".equals(redis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Publishes a probe on this node's own probe channel (on the same subscription connection as the
     * changes) and waits up to {@code wait} to receive it. False means the subscription is not
     * delivering — a connection can die silently — and {@link #resubscribe()} should repair it.
     */
    public boolean probeSubscription(Duration wait) {
        try {
            long n = probeCounter.incrementAndGet();
            // One server counts its receivers; a cluster node counts only its own, while the message
            // reaches the subscriber through whichever node it is connected to: there, just wait.
            if (redis.publish(probeChannel, b(n)) == 0 && !cluster) {
                return false;
            }
            long until = System.nanoTime() + wait.toNanos();
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
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Replaces the subscription connection with a new one, then checks every room this node knows
     * against its log, so that nothing published while the old one was deaf is missed.
     */
    public synchronized void resubscribe() {
        if (closed) {
            return;
        }
        StatefulRedisPubSubConnection<String, byte[]> old = pubSub;
        pubSub = openPubSub();
        old.closeAsync();
        feed.requestCatchUp();
    }

    /** False after a failed probe, until a probe succeeds again (for a health check). */
    public boolean subscriptionHealthy() {
        return subscriptionHealthy;
    }

    /** The subscription connection, for tests. */
    StatefulRedisPubSubConnection<String, byte[]> pubSubConnection() {
        return pubSub;
    }

    private void probeAndRepair() {
        try {
            if (probeSubscription(timeout)) {
                subscriptionHealthy = true;
                return;
            }
            subscriptionHealthy = false;
            LOG.warn("the change subscription did not deliver a probe within {}; resubscribing", timeout);
            resubscribe();
            subscriptionHealthy = probeSubscription(timeout);
        } catch (RuntimeException e) {
            LOG.warn("subscription probe failed", e);
        }
    }

    /**
     * Opens a subscription connection to every partition's channel and this node's probe channel; it is
     * subscribed when this returns. Lettuce resubscribes it after a reconnect, and each (re)subscription
     * triggers a catch-up from the logs.
     */
    private StatefulRedisPubSubConnection<String, byte[]> openPubSub() {
        StatefulRedisPubSubConnection<String, byte[]> ps = RedisConnections.connectPubSub(client, CODEC);
        try {
            nameConnection(() -> ps.sync().clientSetname("presence-redis:" + nodeId + ":pubsub"));
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
            String[] channels = new String[partitions + 1];
            for (int p = 0; p < partitions; p++) {
                channels[p] = channel(p);
            }
            channels[partitions] = probeChannel;
            ps.sync().subscribe(channels);
            return ps;
        } catch (RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** This node's random id, part of its epochs and of its connections' client names (CLIENT LIST). */
    String nodeId() {
        return nodeId;
    }

    // ---- plumbing ------------------------------------------------------------------------------

    /** Names a connection for CLIENT LIST; best effort (a name is an operator's aid, not a need). */
    private static void nameConnection(Runnable setName) {
        try {
            setName.run();
        } catch (RuntimeException e) {
            // e.g. a RESP2 pub/sub connection refuses commands; the store works unnamed
        }
    }

    /** Adds an operation's own arguments; {@code merged} tells whether this attempt carries merged data. */
    @FunctionalInterface
    private interface OpArgs {
        void add(List<byte[]> args, boolean merged);
    }

    private record Due(String sessionId, long deadline, String roomId) {
    }

    /**
     * Runs a room-changing script with the merge protocol (see the class comment) and hands the changes
     * it emitted to the feed before returning its reply.
     */
    private List<Object> write(Scripts.Script script, String roomId, OpArgs op) {
        return write(script, roomId, op, new Merged("", null));
    }

    /** A member version and the data merged for it ({@code data} null: nothing merged yet). */
    private record Merged(String version, Map<String, String> data) {
    }

    /** As {@link #write(Scripts.Script, String, OpArgs)}, starting with data already merged for a version. */
    private List<Object> write(Scripts.Script script, String roomId, OpArgs op, Merged first) {
        int p = partition(roomId);
        String[] keys = {roomKey(p, "room", roomId), roomKey(p, "mem", roomId), roomKey(p, "ses", roomId),
            roomKey(p, "log", roomId), tag(p) + "dl", tag(p) + "stok", tag(p) + "rtok", tag(p) + "ur"};
        String version = first.version();
        Map<String, String> merged = first.data();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<byte[]> args = new ArrayList<>(16);
            args.add(b(roomId));
            args.add(b(newEpoch()));
            args.add(capacity);
            args.add(b(channel(p)));
            args.add(b(version));
            if (merged == null) {
                args.add(b("-1"));
            } else {
                Wire.addPairs(args, merged);
            }
            op.add(args, merged != null);
            List<Object> r = Scripts.eval(redis, script, keys, args.toArray(new byte[0][]));
            String status = s(r.get(0));
            if ("MERGE".equals(status)) {
                Merged m = merge(roomId, r, 1);
                version = m.version();
                merged = m.data();
                continue;
            }
            if ("TOKENS".equals(status)) {
                continue;
            }
            if ("OK".equals(status)) {
                feed.local(roomId, Wire.list(r.get(r.size() - 1)));
            }
            return r;
        }
        throw new ContentionException(roomId, MAX_ATTEMPTS);
    }

    /**
     * Merges the inputs a script replied with from index {@code at}: member version, user data, the
     * sessions' data oldest first, the data the entry shows now.
     */
    private Merged merge(String roomId, List<Object> r, int at) {
        List<Map<String, String>> sessions = new ArrayList<>();
        for (Object d : Wire.list(r.get(at + 2))) {
            sessions.add(Map.copyOf(Wire.pairs(d)));
        }
        return new Merged(s(r.get(at)),
                merge(roomId, Map.copyOf(Wire.pairs(r.get(at + 1))), List.copyOf(sessions), r.get(at + 3)));
    }

    /**
     * Runs the merge rule. It is the caller's code: if it throws, the entry keeps the data it shows
     * ({@code current}), as with the in-memory store, so a broken rule never half-changes a room.
     */
    private Map<String, String> merge(String roomId, Map<String, String> userData, List<Map<String, String>> sessions,
            Object current) {
        try {
            return Map.copyOf(merger.merge(userData, sessions));
        } catch (RuntimeException e) {
            LOG.error("data merger {} failed in room {}; the entry keeps its previous data", merger, roomId, e);
            return Map.copyOf(Wire.pairs(current));
        }
    }

    /** Reads the change log for the feed's gap filling. */
    private ChangeFeed.Range readLog(String roomId, long from, long to) {
        int p = partition(roomId);
        List<Object> r = Scripts.eval(redis, Scripts.RANGE,
                new String[] {roomKey(p, "room", roomId), roomKey(p, "log", roomId)},
                b(from), b(to == Long.MAX_VALUE ? "+" : Long.toString(to)));
        List<byte[]> entries = new ArrayList<>();
        for (Object o : Wire.list(r.get(1))) {
            entries.add((byte[]) o);
        }
        return new ChangeFeed.Range(s(r.get(0)), entries);
    }

    private static boolean ok(List<Object> r) {
        return "OK".equals(s(r.get(0)));
    }

    /** For the scripts that may end sessions: whether it succeeded, after releasing their id claims. */
    private boolean okAndRelease(List<Object> r) {
        if (!ok(r)) {
            return false;
        }
        releaseClaims(r);
        return true;
    }

    private static List<Wire.Row> rows(String roomId, List<Object> raw, boolean onlineOnly) {
        List<Wire.Row> rows = new ArrayList<>(raw.size());
        for (Object o : raw) {
            Wire.Row row = Wire.row(roomId, o);
            if (row.entry().online() || !onlineOnly) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static List<Entry> sorted(List<Wire.Row> rows, int limit) {
        rows.sort(ORDER);
        int n = Math.min(limit, rows.size());
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(rows.get(i).entry());
        }
        return out;
    }

    /** Waits for a pipelined script call; reloads the script and runs it synchronously if Redis lost it. */
    private List<Object> await(RedisFuture<List<Object>> f, Scripts.Script script, String[] keys, byte[]... args) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RedisNoScriptException) {
                return Scripts.eval(redis, script, keys, args);
            }
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new io.lettuce.core.RedisCommandTimeoutException("timed out after " + timeout);
        }
    }

    private <T> T get(RedisFuture<T> f) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new io.lettuce.core.RedisCommandTimeoutException("timed out after " + timeout);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }

    /** An epoch candidate, unique per call: kept by a room only when it creates its log. */
    private String newEpoch() {
        return nodeId + "-" + Long.toString(epochs.incrementAndGet(), 36);
    }

    /** A nonce for a new session, unique across nodes (this node's random id and a counter); never reused. */
    private String newNonce() {
        return nodeId + "." + Long.toString(epochs.incrementAndGet(), 36);
    }

    private void seen(long now) {
        latestNow.accumulateAndGet(now, Math::max);
    }

    /**
     * A token (P4) names its room's partition in front of the random part, {@code <P>-<random>}, so
     * that its index can live in the room's slot and a token finds it by itself. The partition says
     * nothing worth hiding (crc32 of the room id, mod the partition count); the random part carries the ≥128 bits.
     */
    private static String token(int p, String random) {
        return p + "-" + random;
    }

    /**
     * The partition a token names, or -1 if it names none (a token not made here, or tampered with):
     * the caller then treats it as unknown. A valid partition with a forged random part is simply not
     * found in that partition's index.
     */
    int tokenPartition(String token) {
        int dash = token.indexOf('-');
        if (dash < 1 || dash > 5 || (dash > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        int p = 0;
        for (int i = 0; i < dash; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            p = p * 10 + (c - '0');
        }
        return p < partitions ? p : -1;
    }

    /** The key of a session id's claim (P2): its own key, so it hashes to a slot of its own. */
    String claimKey(String sessionId) {
        return prefix + "sid:" + sessionId;
    }

    /** The room's partition: crc32 of its id mod the partition count (fixed for the life of the data). */
    int partition(String roomId) {
        CRC32 crc = new CRC32();
        crc.update(roomId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    String tag(int p) {
        return prefix + "{" + tags[p] + "}:";
    }

    /**
     * The hash tag (without braces) of each of {@code partitions} partitions, chosen so that their slots
     * spread evenly over Redis Cluster's 16384 slots: partition {@code i}'s tag is the first string of
     * the family {@code "i", "i.1", "i.2", …} whose CRC16 slot lies in
     * {@code [i*16384/partitions, (i+1)*16384/partitions)}. A cluster splits its slots into even ranges
     * per master, so every master gets its share of partitions (plain {@code "0"…"15"} hash to slots
     * that put 6/6/4 partitions on 3 masters, and none on half of 8). Pure arithmetic on the count: every
     * node computes the same tags. Expected cost ~partitions² CRC16s (about a million at the maximum, 1024).
     */
    static String[] partitionTags(int partitions) {
        String[] tags = new String[partitions];
        for (int i = 0; i < partitions; i++) {
            int lo = (int) ((long) i * SlotHash.SLOT_COUNT / partitions);
            int hi = (int) ((long) (i + 1) * SlotHash.SLOT_COUNT / partitions);
            String candidate = Integer.toString(i);
            for (int k = 1; ; k++) {
                int slot = SlotHash.getSlot(candidate);
                if (slot >= lo && slot < hi) {
                    break;
                }
                candidate = i + "." + k;
            }
            tags[i] = candidate;
        }
        return tags;
    }

    String roomKey(int p, String kind, String roomId) {
        return tag(p) + kind + ":" + roomId;
    }

    private String channel(int p) {
        return tag(p) + "changes";
    }

    /** Builds a {@link RedisPresenceStore}. */
    public static final class Builder {
        private final String uri;
        private final AbstractRedisClient client;
        private String prefix = "huddle:presence:";
        private int partitions = DEFAULT_PARTITIONS;
        private int changeLogCapacity = DEFAULT_CHANGE_LOG_CAPACITY;
        private DataMerger merger = DataMerger.DEFAULT;
        private int requestQueueSize = 10_000;
        private int inboxCapacity = 100_000;
        private Duration timeout = Duration.ofSeconds(5);
        private Duration probeInterval = Duration.ofSeconds(10);
        private Duration claimGrace = DEFAULT_CLAIM_GRACE;

        private Builder(String uri, AbstractRedisClient client) {
            this.uri = uri;
            this.client = client;
        }

        /** Every key and channel starts with this; must not contain '{' or '}'. Default {@code huddle:presence:}. */
        public Builder prefix(String prefix) {
            if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
                throw new IllegalArgumentException("prefix must not contain braces: " + prefix);
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * How many partitions (hash tags) rooms are spread over; every node must agree; never change it on
         * live data. At most {@link #MAX_PARTITIONS}: more partitions than masters buys nothing, and each
         * costs a pipelined command per expiry read and user listing.
         */
        public Builder partitions(int partitions) {
            if (partitions < 1 || partitions > MAX_PARTITIONS) {
                throw new IllegalArgumentException("partitions must be 1…" + MAX_PARTITIONS);
            }
            this.partitions = partitions;
            return this;
        }

        /** How many changes each room's log keeps for resume (S2) and gap filling. */
        public Builder changeLogCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("changeLogCapacity must be ≥ 1");
            }
            this.changeLogCapacity = capacity;
            return this;
        }

        /** The merge rule (P12); every node must use the same one. */
        public Builder merger(DataMerger merger) {
            this.merger = Objects.requireNonNull(merger);
            return this;
        }

        /** Lettuce's request queue bound, when this store creates its own client. */
        public Builder requestQueueSize(int size) {
            this.requestQueueSize = size;
            return this;
        }

        /** How many pub/sub messages may wait for the feed thread before new ones are dropped (and later refilled from the log). */
        public Builder inboxCapacity(int capacity) {
            this.inboxCapacity = capacity;
            return this;
        }

        /** Command timeout. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How often to probe the change subscription (and replace it if deaf); zero turns probing off. Default 10 s. */
        public Builder probeInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("probeInterval must not be negative");
            }
            this.probeInterval = interval;
            return this;
        }

        /**
         * How long a session id's claim (P2) outlives the deadline it was last extended for; after that
         * Redis deletes it, so a claim whose release was lost does not stay forever. Must exceed how late
         * expiry may end a session past its deadline (default {@link #DEFAULT_CLAIM_GRACE}, 1 h; tests
         * shorten it).
         */
        public Builder claimGrace(Duration grace) {
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
}
