package dev.huddle.server.huddle;

/**
 * A host's invite to a huddle (H9), as hosts see it in the list: never its secret.
 *
 * @param id the public half of the token, by which hosts list and revoke it
 * @param role what joining with it makes the user: {@code participant} or {@code host}
 * @param maxUses how many joins it admits, or null for any number
 * @param uses joins so far
 * @param expiresAt epoch millis after which it admits nobody, or null for never
 * @param createdBy the host who made it
 * @param createdAt epoch millis
 */
public record Invite(String id, Role role, Long maxUses, long uses, Long expiresAt, String createdBy, long createdAt) {
}
