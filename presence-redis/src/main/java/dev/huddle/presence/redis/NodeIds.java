package dev.huddle.presence.redis;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's random id, and the strings drawn from it that must be unique across every node sharing
 * the store: log epoch candidates and new sessions' nonces (the id and a counter, never reused). The id
 * also names the node's probe channel and its connections in {@code CLIENT LIST}.
 */
final class NodeIds {
    private final String id;
    private final AtomicLong counter = new AtomicLong();

    NodeIds() {
        byte[] random = new byte[9];
        new SecureRandom().nextBytes(random);
        this.id = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** This node's random id. */
    String id() {
        return id;
    }

    /** The name of one of this node's connections in {@code CLIENT LIST}, {@code presence-redis:<id><suffix>}. */
    String clientName(String suffix) {
        return "presence-redis:" + id + suffix;
    }

    /** An epoch candidate, unique per call: kept by a room only when it creates its log. */
    String newEpoch() {
        return id + "-" + Long.toString(counter.incrementAndGet(), 36);
    }

    /** A nonce for a new session, unique across nodes; never reused. */
    String newNonce() {
        return id + "." + Long.toString(counter.incrementAndGet(), 36);
    }
}
