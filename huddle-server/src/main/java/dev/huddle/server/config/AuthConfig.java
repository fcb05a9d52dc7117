package dev.huddle.server.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Sign-in settings.
 *
 * @param mode which kind of token the server accepts
 * @param hs256Secret the identity provider's shared secret ({@link AuthMode#JWT_HS256} only)
 * @param rs256PublicKey PEM file with the identity provider's public key ({@link AuthMode#JWT_RS256} only)
 * @param userClaim the claim holding the user id (external modes)
 * @param issuer required {@code iss}, or null to accept any (external modes)
 * @param audience required {@code aud}, or null to accept any (external modes)
 * @param guestTokenTtl how long a guest token stays valid ({@link AuthMode#GUEST} only)
 */
public record AuthConfig(AuthMode mode, String hs256Secret, Path rs256PublicKey, String userClaim,
        String issuer, String audience, Duration guestTokenTtl) {

    public static final String DEFAULT_USER_CLAIM = Setting.JWT_USER_CLAIM.defaultValue();
    public static final Duration DEFAULT_GUEST_TOKEN_TTL = Duration.ofDays(Setting.GUEST_TOKEN_DAYS.defaultInt());

    /** Guest sign-in with the default token lifetime. */
    public static AuthConfig guest() {
        return new AuthConfig(AuthMode.GUEST, null, null, DEFAULT_USER_CLAIM, null, null, DEFAULT_GUEST_TOKEN_TTL);
    }

    /** Whether {@code POST /api/auth/guest} is available. */
    public boolean guestSignIn() {
        return mode == AuthMode.GUEST;
    }

    @Override
    public String toString() {
        // never print the secret
        return "AuthConfig[mode=" + mode + ", rs256PublicKey=" + rs256PublicKey + ", userClaim=" + userClaim
                + ", issuer=" + issuer + ", audience=" + audience + ", guestTokenTtl=" + guestTokenTtl + "]";
    }
}
