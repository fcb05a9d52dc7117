package dev.huddle.server.live;

import dev.huddle.server.http.ApiException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The sessions joined on one socket, by session id: the ones its frames keep alive (T1). Read by the
 * socket's thread and its ping timer; a session's own fields are guarded by the session.
 */
final class JoinedSessions {
    /** Sized for the usual one or two sessions: a map of 16 slots per socket was most of its weight. */
    private final Map<String, LiveSession> byId = new ConcurrentHashMap<>(2);

    boolean isEmpty() {
        return byId.isEmpty();
    }

    Collection<LiveSession> all() {
        return byId.values();
    }

    LiveSession get(String sessionId) {
        return byId.get(sessionId);
    }

    /** The session {@code sessionId} joined on this socket in {@code huddleId}; 404 {@code unknown_session} otherwise. */
    LiveSession inHuddle(String huddleId, String sessionId) {
        LiveSession ls = byId.get(sessionId);
        if (ls == null || !ls.room.equals(huddleId)) {
            throw new ApiException(404, "unknown_session",
                    "no session '" + sessionId + "' of yours joined in this huddle on this socket");
        }
        return ls;
    }

    /** Continues or replaces the session {@code sessionId} atomically (see {@link Map#compute}). */
    LiveSession compute(String sessionId, BiFunction<String, LiveSession, LiveSession> next) {
        return byId.compute(sessionId, next);
    }

    /** Stops keeping {@code ls} alive and drops its pending flags, unless it was replaced meanwhile. */
    void forget(LiveSession ls) {
        byId.remove(ls.sessionId, ls);
        ls.flags.cancel();
        ls.letGo(false);
    }

    /** The sessions joined in {@code room}. */
    java.util.List<LiveSession> inRoom(String room) {
        return byId.values().stream().filter(ls -> ls.room.equals(room)).toList();
    }

    /** Adds the rooms the sessions are joined in to {@code rooms}. */
    void addRoomsTo(Set<String> rooms) {
        byId.values().forEach(ls -> rooms.add(ls.room));
    }

    /** The smallest session interval, or {@code atMost} when that is smaller (or there is no session). */
    long shortestInterval(long atMost) {
        long every = atMost;
        for (LiveSession ls : byId.values()) {
            every = Math.min(every, ls.intervalMs);
        }
        return every;
    }

    /** The socket ended: forgets every session (they live on to their deadlines, T2). */
    void clear() {
        byId.values().forEach(ls -> {
            ls.flags.cancel();
            ls.letGo(true);
        });
        byId.clear();
    }
}
