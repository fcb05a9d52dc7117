package dev.huddle.server.presence;

import dev.huddle.presence.Presence;
import dev.huddle.server.huddle.MemberChanges;
import dev.huddle.server.huddle.Role;

/**
 * Shows membership changes (H9) in the room, through the engine, so that every subscriber and every
 * socket on every node learns them from the room's change stream: a role change sets the user's room
 * data (one {@code update}; the merge rule takes the role from there, and shows an observer's flags
 * false in that same change), and a removal deletes the user's entry and sessions (one {@code remove}).
 * A member who never had an entry in the room has nothing to show.
 */
public final class MemberPresence implements MemberChanges {
    private final Presence presence;
    private final PresenceFunctions functions;

    public MemberPresence(Presence presence, PresenceFunctions functions) {
        this.presence = presence;
        this.functions = functions;
    }

    @Override
    public void roleChanged(String huddleId, String userId, Role role) {
        presence.updateRoomUser(huddleId, userId, functions.profile(userId, role));
    }

    @Override
    public void removed(String huddleId, String userId) {
        presence.removeRoomUser(huddleId, userId);
    }
}
