package dev.huddle.presence;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** A store that forwards every call, for tests that wrap one call. */
class ForwardingStore implements PresenceStore {
    private final PresenceStore d;

    ForwardingStore(PresenceStore delegate) {
        this.d = delegate;
    }

    @Override
    public HeartbeatResult heartbeat(String roomId, String userId, String sessionId, long now, long deadline,
            Map<String, String> sessionData, Supplier<String> newToken) {
        return d.heartbeat(roomId, userId, sessionId, now, deadline, sessionData, newToken);
    }

    @Override
    public boolean[] hold(List<Hold> holds, long now, long leaseMs) {
        return d.hold(holds, now, leaseMs);
    }

    @Override
    public long unhold(Hold hold, long deadline, long now) {
        return d.unhold(hold, deadline, now);
    }

    @Override
    public java.util.function.Predicate<String> renewLease(long now, long leaseMs) {
        return d.renewLease(now, leaseMs);
    }

    @Override
    public long holdRefreshMs() {
        return d.holdRefreshMs();
    }

    @Override
    public boolean updateSession(String roomId, String userId, String sessionId, Map<String, String> patch) {
        return d.updateSession(roomId, userId, sessionId, patch);
    }

    @Override
    public boolean disconnect(String sessionToken, long now, long endAt) {
        return d.disconnect(sessionToken, now, endAt);
    }

    @Override
    public int expire(long now, int maxSessions) {
        return d.expire(now, maxSessions);
    }

    @Override
    public long earliestDeadline() {
        return d.earliestDeadline();
    }

    @Override
    public List<Entry> list(String roomToken, int limit) {
        return d.list(roomToken, limit);
    }

    @Override
    public List<Entry> listRoom(String roomId, boolean onlineOnly, int limit) {
        return d.listRoom(roomId, onlineOnly, limit);
    }

    @Override
    public List<Entry> listUser(String userId, boolean onlineOnly, int limit) {
        return d.listUser(userId, onlineOnly, limit);
    }

    @Override
    public boolean updateRoomUser(String roomId, String userId, Map<String, String> data) {
        return d.updateRoomUser(roomId, userId, data);
    }

    @Override
    public boolean removeRoomUser(String roomId, String userId) {
        return d.removeRoomUser(roomId, userId);
    }

    @Override
    public boolean removeRoom(String roomId) {
        return d.removeRoom(roomId);
    }

    @Override
    public RoomSnapshot snapshot(String roomId) {
        return d.snapshot(roomId);
    }

    @Override
    public Optional<String> liveSessionToken(String roomId, String userId, String sessionId) {
        return d.liveSessionToken(roomId, userId, sessionId);
    }

    @Override
    public Optional<List<Change>> changesSince(String roomId, String epoch, long afterSeq) {
        return d.changesSince(roomId, epoch, afterSeq);
    }

    @Override
    public void addListener(ChangeListener listener) {
        d.addListener(listener);
    }

    @Override
    public void close() {
        d.close();
    }
}
