package dev.huddle.server.huddle;

import java.util.Optional;

/**
 * How a caller reached a huddle.
 *
 * @param huddle the huddle
 * @param viaSlug true for read-only viewing through the slug (H4)
 * @param role the caller's membership, if any
 */
public record HuddleAccess(Huddle huddle, boolean viaSlug, Optional<Role> role) {
}
