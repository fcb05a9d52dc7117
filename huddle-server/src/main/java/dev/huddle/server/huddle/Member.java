package dev.huddle.server.huddle;

/** A member of a huddle with the display name from their profile. */
public record Member(String userId, String displayName, Role role, long joinedAt) {
}
