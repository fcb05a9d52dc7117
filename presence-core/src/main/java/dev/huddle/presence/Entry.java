package dev.huddle.presence;

import java.util.Map;
import java.util.Objects;

/**
 * What a room shows for one user: whether they are online, when their last session ended
 * ({@code 0} while online), and their merged data (P12).
 *
 * @param roomId the room
 * @param userId the user
 * @param online true while at least one of the user's sessions in the room is live
 * @param lastDisconnected epoch millis at which the last session ended; 0 while online
 * @param data the merged view of the user's data and their live sessions' data; never null
 */
public record Entry(String roomId, String userId, boolean online, long lastDisconnected, Map<String, String> data) {
    public Entry {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(userId, "userId");
        data = Map.copyOf(data);
    }
}
