package dev.huddle.presence;

import java.util.Objects;

/**
 * One change a room emitted. Within a room, {@code seq} grows by exactly one per change (P11), so a
 * subscriber that sees seq n after n-2 knows it missed one.
 *
 * @param roomId the room
 * @param seq the room's sequence number for this change, starting at 1
 * @param kind what happened
 * @param entry the entry as it stands after the change (for {@link ChangeKind#REMOVE}: as it was)
 */
public record Change(String roomId, long seq, ChangeKind kind, Entry entry) {
    public Change {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(entry, "entry");
    }
}
