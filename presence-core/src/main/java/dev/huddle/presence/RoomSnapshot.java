package dev.huddle.presence;

import java.util.List;

/**
 * A room's entries as of sequence number {@code seq}: applying every later change, in order, to
 * these entries gives the room's current state (S1).
 *
 * @param roomId the room
 * @param epoch identifies the store's change log; sequence numbers of different epochs are unrelated
 * @param seq the room's sequence number of the last change included
 * @param entries every entry of the room, in list order (P8)
 */
public record RoomSnapshot(String roomId, String epoch, long seq, List<Entry> entries) {
    public RoomSnapshot {
        entries = List.copyOf(entries);
    }
}
