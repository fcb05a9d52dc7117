package dev.huddle.presence;

/** What happened to a room entry (P3, P7, P10). */
public enum ChangeKind {
    /** The user's first live session in the room began: offline or absent became online. */
    JOIN,
    /** The user's last live session in the room ended: online became offline. */
    LEAVE,
    /** The user's visible data changed while the online flag did not. */
    UPDATE,
    /** The entry was deleted by removeRoomUser or removeRoom. */
    REMOVE
}
