package dev.huddle.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.AuthConfig;
import dev.huddle.server.config.AuthMode;
import dev.huddle.server.config.PemKeys;
import dev.huddle.server.http.ApiException;
import java.nio.charset.StandardCharsets;

/**
 * Verifies tokens from an existing identity provider (HS256 shared secret or RS256 public key), with
 * optional {@code iss}/{@code aud} checks, and takes the user id from the configured claim. Tokens
 * without {@code exp} are refused: they would be valid forever.
 */
public final class ExternalJwtVerifier implements TokenVerifier {
    private final JWTVerifier verifier;
    private final String userClaim;

    public ExternalJwtVerifier(AuthConfig config, TimeSource time) {
        Algorithm algorithm = config.mode() == AuthMode.JWT_HS256
                ? Algorithm.HMAC256(config.hs256Secret().getBytes(StandardCharsets.UTF_8))
                : Algorithm.RSA256(PemKeys.readRsaPublicKey(config.rs256PublicKey()), null);
        // exp is required: a token without one would be valid forever.
        Verification v = JWT.require(algorithm).acceptLeeway(30).withClaimPresence("exp");
        if (config.issuer() != null) {
            v = v.withIssuer(config.issuer());
        }
        if (config.audience() != null) {
            v = v.withAudience(config.audience());
        }
        this.verifier = Jwts.verifier(v, time);
        this.userClaim = config.userClaim();
    }

    @Override
    public VerifiedToken verify(String token) {
        DecodedJWT jwt = Jwts.verify(verifier, token, JWTVerificationException::getMessage);
        String userId = text(jwt.getClaim(userClaim));
        if (userId == null || userId.isBlank() || userId.length() > 256 || userId.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalidToken("claim '" + userClaim
                    + "' must hold the user id (1…256 characters, no control characters)");
        }
        return new VerifiedToken(userId, text(jwt.getClaim("name")), text(jwt.getClaim("picture")));
    }

    private static String text(Claim c) {
        if (c == null || c.isMissing() || c.isNull()) {
            return null;
        }
        String s = c.asString();
        if (s == null && c.asLong() != null) {
            s = String.valueOf(c.asLong());
        }
        return s;
    }
}
