package dev.huddle.server.user;

/**
 * A person's profile.
 *
 * @param id the authenticated user id
 * @param displayName cleaned display name (see {@link ProfileRules})
 * @param avatarUrl an http(s) URL, or null
 * @param createdAt epoch millis
 */
public record User(String id, String displayName, String avatarUrl, long createdAt) {
}
