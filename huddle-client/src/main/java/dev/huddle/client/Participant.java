package dev.huddle.client;

/**
 * One entry of a room as the server shows it: a user, whether they are online, and their data (H5).
 *
 * @param lastDisconnected epoch millis the user's last session ended; 0 while online
 */
public record Participant(String userId, boolean online, long lastDisconnected, String displayName,
        String avatarUrl, String role, boolean speaking, boolean recording) {
}
