package dev.huddle.client;

/** A signed-in user: their id and the bearer token the server issued or accepted. */
public record Identity(String userId, String token) {
}
