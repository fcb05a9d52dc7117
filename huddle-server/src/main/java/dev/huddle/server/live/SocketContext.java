package dev.huddle.server.live;

import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One open socket as its message handlers see it: who signed in (or nobody: an anonymous socket), its
 * outbound queue, the sessions joined on it and the rooms it watches. The room limit spans both.
 */
final class SocketContext {
    private final LiveServices services;
    private final String userId;
    private final String address;
    private final Outbound out;
    private final JoinedSessions sessions;
    private final Runnable sessionsChanged;
    /** This socket's subscriptions, by room id. */
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>(2); // usually one room

    /** {@code sessionsChanged} runs after a join or a leave (the ping interval follows the sessions' intervals). */
    SocketContext(LiveServices services, String userId, String address, Outbound out, JoinedSessions sessions,
            Runnable sessionsChanged) {
        this.services = services;
        this.userId = userId;
        this.address = address;
        this.out = out;
        this.sessions = sessions;
        this.sessionsChanged = sessionsChanged;
    }

    LiveServices services() {
        return services;
    }

    LiveHub hub() {
        return services.hub();
    }

    JoinedSessions sessions() {
        return sessions;
    }

    Outbound out() {
        return out;
    }

    void reply(String frame) {
        out.reply(frame);
    }

    void sessionsChanged() {
        sessionsChanged.run();
    }

    /** The signed-in user; 401 {@code unauthenticated} on an anonymous socket. */
    String me() {
        if (userId == null) {
            throw ApiException.unauthenticated();
        }
        return userId;
    }

    /** Who asks, for the huddles' read rules (H4): nobody on an anonymous socket. */
    Caller caller() {
        return userId == null ? new Caller(Optional::empty) : Caller.of(userId);
    }

    /** 429 {@code too_many_rooms} when {@code room} would be one room more than the socket may use. */
    void checkRoomLimit(String room) {
        Set<String> rooms = new HashSet<>(subscriptions.keySet());
        sessions.addRoomsTo(rooms);
        int max = hub().settings().maxRoomsPerConnection();
        if (!rooms.contains(room) && rooms.size() >= max) {
            throw new ApiException(429, "too_many_rooms", "a socket may use at most " + max
                    + " rooms; leave or unsubscribe first");
        }
    }

    /**
     * X2: counts a subscription more for the socket's client address, for a room the socket does not watch
     * yet; 429 {@code too_many_subscriptions} when the address holds the most it may. Given back when the
     * subscription ends ({@link #unwatch}, {@link #close}), not when another replaces it.
     */
    void takeSubscription() {
        if (!hub().addresses().trySubscribe(address)) {
            throw new ApiException(429, "too_many_subscriptions", "this client address holds its most subscriptions ("
                    + hub().settings().maxSubscriptionsPerAddress() + "); unsubscribe first");
        }
    }

    /** The room this socket watches, subscribed to by {@code huddle} (an id or a slug), or null. */
    String watchedAs(String huddle) {
        for (Subscription s : subscriptions.values()) {
            if (s.askedAs().equals(huddle) || s.room().equals(huddle)) {
                return s.room();
            }
        }
        return null;
    }

    boolean watches(String room) {
        return subscriptions.containsKey(room);
    }

    /**
     * Makes {@code sub} the socket's subscription to its room, registered with the hub; a previous one ends,
     * and what is still queued for it (its snapshot, its changes) is dropped (X1).
     */
    void watch(Subscription sub) {
        Subscription old = subscriptions.put(sub.room(), sub);
        if (old != null) {
            end(old);
            out.dropRoom(sub.room());
        }
        hub().add(sub);
    }

    /** Ends the subscription to {@code room}, if any. */
    void unwatch(String room) {
        Subscription sub = subscriptions.remove(room);
        if (sub != null) {
            end(sub);
            hub().addresses().unsubscribed(address);
        }
    }

    /** Ends {@code sub}, unless it was replaced meanwhile: a subscription that could not start leaves nothing behind. */
    void unwatch(Subscription sub) {
        if (subscriptions.remove(sub.room(), sub)) {
            hub().addresses().unsubscribed(address);
        }
        end(sub);
    }

    /** The socket ended: every subscription ends, every session is forgotten (they live on to their deadlines, T2). */
    void close() {
        for (String room : List.copyOf(subscriptions.keySet())) {
            unwatch(room);
        }
        sessions.clear();
    }

    private void end(Subscription sub) {
        sub.cancel();
        hub().remove(sub);
    }
}
