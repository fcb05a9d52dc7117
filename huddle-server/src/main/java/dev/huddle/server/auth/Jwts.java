package dev.huddle.server.auth;

import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.http.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Function;

/**
 * What both token verifiers share: a JWT verifier that reads the server's {@link TimeSource} (so
 * tests move expiry with their clock), and the mapping of the library's failures to 401
 * {@code invalid_token} with a reason.
 */
final class Jwts {
    private Jwts() {
    }

    /** Builds {@code verification} against {@code time} rather than the system clock. */
    static JWTVerifier verifier(Verification verification, TimeSource time) {
        return ((JWTVerifier.BaseVerification) verification).build(clock(time));
    }

    /**
     * The verified token; 401 {@code invalid_token} saying "it has expired", "it has no expiry (exp)",
     * or, for any other failure, what {@code reason} makes of it.
     */
    static DecodedJWT verify(JWTVerifier verifier, String token, Function<JWTVerificationException, String> reason) {
        try {
            return verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw ApiException.invalidToken("it has expired");
        } catch (MissingClaimException e) {
            throw ApiException.invalidToken("exp".equals(e.getClaimName()) ? "it has no expiry (exp)" : reason.apply(e));
        } catch (JWTVerificationException e) {
            throw ApiException.invalidToken(reason.apply(e));
        }
    }

    private static Clock clock(TimeSource time) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(time.millis());
            }
        };
    }
}
