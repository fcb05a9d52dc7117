package dev.huddle.server.live;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.ChangeListener;
import dev.huddle.presence.Presence;
import dev.huddle.server.huddle.Huddle;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.huddle.Role;
import dev.huddle.server.presence.SessionData;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a host's membership changes (H9) take effect on this node's open sockets, from the room's change
 * stream: the same stream every node already reads (in cluster mode the store's change feed), so a
 * change made on any node reaches sockets on every node, in the room's order, without a second channel
 * that could overtake or lag the changes subscribers see. Nothing is polled.
 *
 * <ul>
 *   <li>An entry whose role differs from the one a socket's session of that user holds: the session takes
 *       the new role, so a demoted user's next {@code flags} gets {@code observer_cannot_set_flags}; a
 *       demoted session's flags are cleared too (the entry already shows them off: the merge rule).</li>
 *   <li>A {@code remove}: the user's sessions in the room are over, and their sockets forget them. When a
 *       host removed them, each such socket gets an {@code error} {@code removed_from_huddle} naming the
 *       room, and where the huddle has no public viewing its subscription ends ({@code unsubscribed}).</li>
 * </ul>
 *
 * {@link #onChange} runs under the engine's room lock: it only looks the user up and hands work that
 * reads the database or the store to the hub's scheduler.
 */
final class MemberWatch implements ChangeListener {
    private static final Logger LOG = LoggerFactory.getLogger(MemberWatch.class);

    private final LiveHub hub;
    private final Presence presence;
    private final HuddleService huddles;
    private final Map<String, Set<SocketContext>> byUser = new ConcurrentHashMap<>();

    MemberWatch(LiveHub hub, Presence presence, HuddleService huddles) {
        this.hub = hub;
        this.presence = presence;
        this.huddles = huddles;
    }

    void opened(String userId, SocketContext socket) {
        byUser.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet(2)).add(socket); // most users have one socket
    }

    void closed(String userId, SocketContext socket) {
        byUser.computeIfPresent(userId, (u, set) -> {
            set.remove(socket);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void onChange(Change change) {
        Set<SocketContext> sockets = byUser.get(change.entry().userId());
        if (sockets == null) {
            return;
        }
        String room = change.roomId();
        String userId = change.entry().userId();
        if (change.kind() == ChangeKind.REMOVE) {
            later(() -> removed(room, userId, sockets));
            return;
        }
        String wire = change.entry().data().get(SessionData.ROLE);
        if (wire == null) {
            return;
        }
        Role role;
        try {
            role = Role.parse(SessionData.ROLE, wire);
        } catch (RuntimeException notARole) {
            return;
        }
        for (SocketContext s : sockets) {
            for (LiveSession ls : s.sessions().inRoom(room)) {
                if (ls.role != role) {
                    ls.role = role;
                    if (!role.maySetFlags()) {
                        later(() -> clearFlags(ls, userId));
                    }
                }
            }
        }
    }

    /** A demoted session's flags: its stored data says false too, so a later promotion shows no stale flag. */
    private void clearFlags(LiveSession ls, String userId) {
        ls.flagState.clear();
        presence.updateSession(ls.room, userId, ls.sessionId,
                Map.of(SessionData.IS_SPEAKING, SessionData.FALSE, SessionData.IS_RECORDING, SessionData.FALSE));
    }

    private void removed(String room, String userId, Set<SocketContext> sockets) {
        boolean byHost = huddles.removedByHost(room, userId);
        Optional<Huddle> h = huddles.repository().findById(room);
        boolean stillMember = huddles.repository().role(room, userId).isPresent();
        boolean endWatching = byHost && h.map(x -> !x.publicViewing()).orElse(true);
        for (SocketContext s : sockets) {
            List<LiveSession> here = s.sessions().inRoom(room);
            if (stillMember && !byHost) {
                continue; // e.g. the room was cleared: the sessions end as any ended session does (Liveness)
            }
            here.forEach(ls -> s.sessions().forget(ls));
            if (!here.isEmpty()) {
                s.sessionsChanged();
                if (!stillMember) {
                    // A refresh of one of these sessions may have raced the removal and made the entry
                    // again; this removes that (a no-op otherwise, and no sessions are left here to repeat it).
                    presence.removeRoomUser(room, userId);
                }
            }
            if (byHost && (!here.isEmpty() || s.watches(room))) {
                s.reply(Frames.roomError(room, "removed_from_huddle",
                        "a host removed you from this huddle; your sessions in it have ended"));
            }
            if (endWatching && s.watches(room)) {
                s.unwatch(room);
                s.reply(Frames.unsubscribed(null, room));
            }
        }
    }

    private void later(Runnable r) {
        try {
            hub.scheduler().execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("applying a membership change to open sockets failed", e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            // The server is shutting down: no socket is left to tell.
        }
    }
}
