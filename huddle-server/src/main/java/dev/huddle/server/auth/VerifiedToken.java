package dev.huddle.server.auth;

/**
 * What a valid token says about its bearer.
 *
 * @param userId the user id (the configured claim, {@code sub} for guest tokens)
 * @param name the {@code name} claim, or null
 * @param picture the {@code picture} claim, or null
 */
public record VerifiedToken(String userId, String name, String picture) {
}
