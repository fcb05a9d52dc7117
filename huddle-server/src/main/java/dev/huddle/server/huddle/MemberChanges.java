package dev.huddle.server.huddle;

/**
 * What the presence side does when a membership changes (H9), after the change is stored: a role
 * change shows in the user's entry (and so on every socket of every node, through the engine's change
 * stream), and a removal deletes the user's entry and sessions in the room.
 */
public interface MemberChanges {
    /** {@code userId}'s role in {@code huddleId} is now {@code role}. */
    void roleChanged(String huddleId, String userId, Role role);

    /** {@code userId} is no longer a member of {@code huddleId}. */
    void removed(String huddleId, String userId);

    /** Does nothing: for tools that change no presence. */
    MemberChanges NONE = new MemberChanges() {
        @Override
        public void roleChanged(String huddleId, String userId, Role role) {
        }

        @Override
        public void removed(String huddleId, String userId) {
        }
    };
}
