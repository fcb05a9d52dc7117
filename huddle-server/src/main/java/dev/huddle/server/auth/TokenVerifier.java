package dev.huddle.server.auth;

/** Checks a bearer token. Implementations are thread-safe. */
public interface TokenVerifier {

    /** The token's bearer; 401 {@code invalid_token} for a forged, expired or malformed token. */
    VerifiedToken verify(String token);
}
