package dev.huddle.presence;

import java.util.List;

/**
 * A room as of now, read without waiting for a snapshot to be made: the last snapshot made of it and
 * the changes after that one, in order (S1, S2). Applying {@code since} to {@code snapshot} gives the
 * room at the last change's seq.
 *
 * @param snapshot the room's last snapshot made, perhaps a few changes behind
 * @param since the changes after {@code snapshot.seq()}, consecutive, oldest first
 */
public record RecentRoom(RoomSnapshot snapshot, List<Change> since) {
    public RecentRoom {
        since = List.copyOf(since);
    }
}
