package dev.huddle.presence.redis;

import static dev.huddle.presence.redis.Wire.b;
import static dev.huddle.presence.redis.Wire.s;

import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.SessionConflictException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A heartbeat on Redis (P1–P4, P12). A live session's heartbeat is one script in the room's slot. A new
 * session needs the session id's claim (P2, {@link SessionClaims}), which lives in the id's own slot, so
 * it takes three steps:
 * <ol>
 *   <li><b>begin</b> (room slot): records a <i>pending</i> session for a fresh nonce — invisible: no
 *       member, token or change — or adopts the pending session of a concurrent call for the same
 *       room, user and id;</li>
 *   <li><b>claim</b> (id slot): the id's claim becomes (room, user, nonce), after checking any other
 *       claim in the room it names;</li>
 *   <li><b>activate</b> (room slot): the pending session of that nonce goes live (join or update),
 *       if it is still there; if not (a claimant for another room removed it), start over.</li>
 * </ol>
 * A pending session is written before its claim, and a claim is only ever replaced after its
 * pending session was removed or found gone in its room — so the nonce a claim held can never go
 * live afterwards, and at most one session per id is live. See {@code docs/redis-store.md}.
 */
final class Heartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
    /**
     * Starts over of a new session's begin → claim → activate, and checks of a held claim within one
     * claim step. These loops nest (a claim step runs inside a start-over), so they are capped well below
     * the merge protocol's attempts: at most 32 × 32 claim checks per heartbeat, not a million. They need
     * no backoff: every retry is caused by another call's committed step (a claimant that removed our
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

    private final KeyLayout keys;
    private final NodeIds node;
    private final RoomWrites writes;
    private final SessionClaims claims;
    /** The latest time any call has given this node (pending sessions are kept past it, see PENDING_GRACE_MS). */
    private final AtomicLong latestNow = new AtomicLong(Long.MIN_VALUE);

    Heartbeats(KeyLayout keys, NodeIds node, RoomWrites writes, SessionClaims claims) {
        this.keys = keys;
        this.node = node;
        this.writes = writes;
        this.claims = claims;
    }

    /** Notes a time a caller gave this node; a pending session is kept until well past the latest one. */
    void seen(long now) {
        latestNow.accumulateAndGet(now, Math::max);
    }

    /** The store's {@code heartbeat}: see the class comment. */
    HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long now, long deadline,
            Map<String, String> sessionData, Supplier<String> newToken) {
        seen(now);
        int p = keys.partition(roomId);
        for (int attempt = 0; attempt < SESSION_ATTEMPTS; attempt++) {
            List<Object> r = step("begin", p, roomId, userId, sessionId, node.newNonce(), now, deadline,
                    sessionData, newToken, RoomWrites.Merged.NONE);
            String status = s(r.get(0));
            if ("CONFLICT".equals(status)) {
                throw new SessionConflictException(sessionId);
            }
            if ("OK".equals(status)) {
                // a live session: extend its id's claim, without waiting (see SessionClaims.refresh)
                claims.refresh(sessionId, (byte[]) r.get(3), claims.ttl(now, deadline));
                return new HeartbeatResult(s(r.get(1)), s(r.get(2)), deadline);
            }
            // PENDING: the id must be claimed for (room, user, nonce) before that session may go live.
            String nonce = s(r.get(1));
            RoomWrites.Merged forActivation = writes.merge(roomId, r, 2);
            SessionClaims.Claim claim = claims.claim(roomId, userId, sessionId, nonce, claims.ttl(now, deadline),
                    SESSION_ATTEMPTS);
            if (claim.conflict()) {
                dropPending(roomId, sessionId, claim.nonce());
                throw new SessionConflictException(sessionId);
            }
            r = step("activate", p, roomId, userId, sessionId, claim.nonce(), now, deadline, sessionData,
                    newToken, claim.nonce().equals(nonce) ? forActivation : RoomWrites.Merged.NONE);
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

    /**
     * For tests: the first step of a new session's heartbeat ({@code begin}), and the claim if asked,
     * but not the rest — the state a node leaves when it dies between the steps. Returns the nonce.
     */
    String beginWithoutActivating(String roomId, String userId, String sessionId, long now, long deadline,
            boolean alsoClaim) {
        seen(now);
        List<Object> r = step("begin", keys.partition(roomId), roomId, userId, sessionId, node.newNonce(), now,
                deadline, null, () -> "", RoomWrites.Merged.NONE);
        if (!"PENDING".equals(s(r.get(0)))) {
            throw new IllegalStateException("not a new session: " + s(r.get(0)));
        }
        String nonce = s(r.get(1));
        if (alsoClaim) {
            SessionClaims.Claim c = claims.claim(roomId, userId, sessionId, nonce, claims.ttl(now, deadline),
                    SESSION_ATTEMPTS);
            if (c.conflict()) {
                throw new SessionConflictException(sessionId);
            }
            nonce = c.nonce();
        }
        return nonce;
    }

    private List<Object> step(String mode, int p, String roomId, String userId, String sessionId, String nonce,
            long now, long deadline, Map<String, String> sessionData, Supplier<String> newToken, RoomWrites.Merged first) {
        boolean activate = "activate".equals(mode);
        long pendingUntil = Math.max(deadline, latestNow.get()) + PENDING_GRACE_MS;
        return writes.write(Scripts.HEARTBEAT, roomId, (args, merged) -> {
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
            args.add(b(draw ? KeyLayout.token(p, newToken.get()) : ""));
            args.add(b(draw ? KeyLayout.token(p, newToken.get()) : ""));
        }, first);
    }

    /** After a conflict: removes this call's pending session now rather than at its reclaim time. */
    private void dropPending(String roomId, String sessionId, String nonce) {
        try {
            writes.write(Scripts.DROP_PENDING, roomId, (args, merged) -> {
                args.add(b(sessionId));
                args.add(b(nonce));
            });
        } catch (RuntimeException e) {
            // invisible either way; expiry reclaims it
            LOG.warn("could not remove a pending session of room {} after a conflict; expiry reclaims it", roomId, e);
        }
    }
}
