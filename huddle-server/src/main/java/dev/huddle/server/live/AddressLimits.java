package dev.huddle.server.live;

import dev.huddle.server.config.LiveSettings;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * X2: what one client address may hold at once — open sockets and subscriptions — and how many anonymous
 * sockets the whole server holds. Plain counters, taken when a socket opens or subscribes and given back
 * when it closes or unsubscribes; an address holding nothing is forgotten. The address is the one
 * {@code ClientAddress} gives: a trusted proxy's forwarded address counts, a client's own headers never do.
 */
final class AddressLimits {
    /** Why a socket may not open. */
    enum Refusal { ADDRESS, ANONYMOUS }

    private final LiveSettings settings;
    private final ConcurrentHashMap<String, AtomicInteger> sockets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> subscriptions = new ConcurrentHashMap<>();
    private final AtomicInteger anonymous = new AtomicInteger();

    AddressLimits(LiveSettings settings) {
        this.settings = settings;
    }

    /** Counts a socket of {@code address} (anonymous or not); null when it may open, else why not (nothing counted). */
    Refusal tryOpen(String address, boolean anonymousSocket) {
        if (anonymousSocket && anonymous.incrementAndGet() > settings.maxAnonymousConnections()) {
            anonymous.decrementAndGet();
            return Refusal.ANONYMOUS;
        }
        if (!take(sockets, address, settings.maxConnectionsPerAddress())) {
            if (anonymousSocket) {
                anonymous.decrementAndGet();
            }
            return Refusal.ADDRESS;
        }
        return null;
    }

    /** A socket counted by {@link #tryOpen} closed. */
    void closed(String address, boolean anonymousSocket) {
        give(sockets, address);
        if (anonymousSocket) {
            anonymous.decrementAndGet();
        }
    }

    /** Counts a subscription of {@code address}; false (nothing counted) when the address holds the most it may. */
    boolean trySubscribe(String address) {
        return take(subscriptions, address, settings.maxSubscriptionsPerAddress());
    }

    /** A subscription counted by {@link #trySubscribe} ended. */
    void unsubscribed(String address) {
        give(subscriptions, address);
    }

    int anonymousSockets() {
        return anonymous.get();
    }

    int socketsOf(String address) {
        AtomicInteger n = sockets.get(address);
        return n == null ? 0 : n.get();
    }

    int subscriptionsOf(String address) {
        AtomicInteger n = subscriptions.get(address);
        return n == null ? 0 : n.get();
    }

    /** Addresses holding a socket or a subscription now. */
    int addresses() {
        return sockets.size();
    }

    private static boolean take(ConcurrentHashMap<String, AtomicInteger> counts, String address, int max) {
        boolean[] ok = {false};
        counts.compute(address, (a, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (c.get() < max) {
                c.incrementAndGet();
                ok[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        return ok[0];
    }

    private static void give(ConcurrentHashMap<String, AtomicInteger> counts, String address) {
        counts.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
}
