package dev.huddle.presence;

/**
 * What a heartbeat returns (P4).
 *
 * @param roomToken stable for the room until the room is removed
 * @param sessionToken stable for the session until it ends
 * @param deadline epoch millis at which the session ends unless heartbeated again
 */
public record HeartbeatResult(String roomToken, String sessionToken, long deadline) {
}
