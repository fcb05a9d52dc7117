package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session-id claims (P2): the one rule that spans rooms — a session id belongs to one (room, user)
 * — kept as a claim in the id's own slot ({@code pre sid:<id>} = room, user, nonce), since no room
 * script can touch a key outside its room's slot. A claim is taken ({@link #claim}) between a new
 * session's pending and live steps ({@link Heartbeats}), extended by its live session's heartbeats
 * ({@link #refresh}) and released when the session ends ({@link #releaseEnded}). Why this keeps at most
 * one live session per id, and why nothing left behind blocks an id, is in {@code docs/redis-store.md},
 * "P2 on Redis Cluster".
 */
final class SessionClaims {
    private static final Logger LOG = LoggerFactory.getLogger(SessionClaims.class);

    private final Commands redis;
    private final KeyLayout keys;
    private final RoomWrites writes;
    private final long graceMs;

    SessionClaims(Commands redis, KeyLayout keys, RoomWrites writes, long graceMs) {
        this.redis = redis;
        this.keys = keys;
        this.writes = writes;
        this.graceMs = graceMs;
    }

    /** The outcome of claiming a session id: the nonce that holds it, or a conflict with another room or user. */
    record Claim(String nonce, boolean conflict) {
    }

    /**
     * A claim's time to live when its session's deadline is {@code deadline}: until that deadline, plus
     * the grace. Relative to the caller's {@code now}, so a clock offset between the nodes and Redis does
     * not shorten it.
     */
    long ttl(long now, long deadline) {
        return Math.max(0, deadline - now) + graceMs;
    }

    /**
     * Makes the id's claim (in the id's own slot) say (room, user, nonce). If another claim holds it,
     * that claim is checked in the room it names ({@code verify_claim}): a live session there for
     * another room or user is a conflict; a pending one is removed there, so it can never go live; a
     * claim whose session is gone is stale. A stale claim is replaced by compare-and-set on exactly the
     * value checked, so a claim that changed meanwhile is checked again. A claim for this same room and
     * user (a concurrent call for this very session) is adopted: this call continues with its nonce.
     * At most {@code attempts} checks (see {@link Heartbeats}).
     */
    Claim claim(String roomId, String userId, String sessionId, String nonce, long ttlMs, int attempts) {
        String[] key = {keys.claimKey(sessionId)};
        byte[] replaceable = new byte[0];
        for (int attempt = 0; attempt < attempts; attempt++) {
            List<Object> r = redis.eval(Scripts.CLAIM, key, b(Wire.enc(roomId, userId, nonce)), replaceable, b(ttlMs));
            if (RoomWrites.ok(r)) {
                return new Claim(nonce, false);
            }
            byte[] held = (byte[]) r.get(1);
            List<String> c = Wire.netstrings(held, 0); // room, user, nonce
            List<Object> v = writes.write(Scripts.VERIFY_CLAIM, c.get(0), (args, merged) -> {
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
        throw new ContentionException(roomId, attempts);
    }

    /**
     * Re-asserts a live session's claim (refresh_claim.lua): extends it to the new deadline plus the
     * grace if it is still exactly that session's, and sets it again if it is missing (a failover lost
     * it, or it ran out). Pipelined and not waited for: the heartbeat costs no extra round trip. A refresh
     * that fails is harmless as long as a later one arrives within the grace. Setting a missing claim is
     * safe even if the session ended meanwhile: a claim naming an ended session is stale, and the id's
     * next claimant replaces it.
     */
    void refresh(String sessionId, byte[] claim, long ttlMs) {
        redis.sendWithoutWaiting(Scripts.REFRESH_CLAIM, new String[] {keys.claimKey(sessionId)},
                e -> LOG.debug("could not extend the claim of a session id; the next heartbeat tries again", e),
                claim, b(ttlMs));
    }

    /**
     * Releases the claims of the sessions a room script ended (its reply's second element: id, claim,
     * id, claim…), each only if it still holds exactly that claim. Best effort: the room change has
     * happened; a claim left behind (Redis unreachable now, or this node dies first) blocks nothing,
     * since a claim is always checked against its room before it is honoured.
     */
    void releaseEnded(List<Object> reply) {
        release(Wire.list(reply.get(1)));
    }

    /** As {@link #releaseEnded}, for (id, claim) pairs gathered from several replies: one pipeline for all. */
    void release(List<Object> ended) {
        if (ended.isEmpty()) {
            return;
        }
        try {
            List<Commands.Pending> calls = new ArrayList<>(ended.size() / 2);
            for (int i = 0; i + 1 < ended.size(); i += 2) {
                calls.add(redis.send(Scripts.RELEASE_CLAIM, new String[] {keys.claimKey(s(ended.get(i)))},
                        (byte[]) ended.get(i + 1)));
            }
            for (Commands.Pending call : calls) {
                call.reply();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not release {} session id claim(s); they are stale and replaced on the ids' next use",
                    ended.size() / 2, e);
        }
    }
}
