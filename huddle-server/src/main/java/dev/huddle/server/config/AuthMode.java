package dev.huddle.server.config;

/** How the server decides who a caller is. */
public enum AuthMode {
    /** Guest sign-in: the server issues HS256 tokens signed with a secret kept in the data directory. */
    GUEST,
    /** Tokens from an existing identity provider, verified with a shared HS256 secret. */
    JWT_HS256,
    /** Tokens from an existing identity provider, verified with an RS256 public key. */
    JWT_RS256
}
