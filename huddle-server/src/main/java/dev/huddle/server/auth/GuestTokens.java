package dev.huddle.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.http.ApiException;
import java.time.Duration;
import java.time.Instant;

/**
 * Issues and verifies the server's own HS256 guest tokens ({@code iss = huddle-guest}, {@code sub} = user
 * id, {@code exp}). A token without {@code exp} is refused even when its signature is good: this server
 * never issues one, and one would be valid forever.
 */
public final class GuestTokens implements TokenVerifier {
    static final String ISSUER = "huddle-guest";

    private final Algorithm algorithm;
    private final TimeSource time;
    private final Duration ttl;
    private final JWTVerifier verifier;

    public GuestTokens(byte[] secret, TimeSource time, Duration ttl) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.time = time;
        this.ttl = ttl;
        this.verifier = Jwts.verifier(JWT.require(algorithm).withIssuer(ISSUER).withClaimPresence("exp").acceptLeeway(5), time);
    }

    /** A signed token for {@code userId}, valid for the configured lifetime. */
    public String issue(String userId) {
        Instant now = Instant.ofEpochMilli(time.millis());
        return JWT.create().withIssuer(ISSUER).withSubject(userId).withIssuedAt(now).withExpiresAt(now.plus(ttl))
                .sign(algorithm);
    }

    /** How long an issued token lives, for the cookie's Max-Age. */
    public Duration ttl() {
        return ttl;
    }

    @Override
    public VerifiedToken verify(String token) {
        DecodedJWT jwt = Jwts.verify(verifier, token, e -> "bad signature or format");
        String sub = jwt.getSubject();
        if (sub == null || sub.isBlank()) {
            throw ApiException.invalidToken("it names no user");
        }
        return new VerifiedToken(sub, null, null);
    }
}
