package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.AuthConfig;
import dev.huddle.server.config.AuthMode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sign-in through an existing identity provider: HS256 secret or RS256 public key, user id from a claim. */
@Timeout(30)
class ExternalJwtTest {
    static final String SECRET = "an-identity-provider-secret-of-at-least-32-bytes";

    @TempDir
    Path dir;

    @Test
    @DisplayName("HS256: user id from the configured claim, profile from the name claim, guest sign-in off; no exp or a control character → 401")
    void hs256() {
        AuthConfig auth = new AuthConfig(AuthMode.JWT_HS256, SECRET, null, "uid", "https://idp.example", "huddle",
                AuthConfig.DEFAULT_GUEST_TOKEN_TTL);
        ManualClock clock = new ManualClock(TestServer.T0);
        try (TestServer t = new TestServer(dir, clock, c -> c.withAuth(auth))) {
            Instant now = Instant.ofEpochMilli(TestServer.T0);
            String token = JWT.create().withIssuer("https://idp.example").withAudience("huddle").withSubject("ignored")
                    .withClaim("uid", "alice-42").withClaim("name", "Alice <Admin>").withExpiresAt(now.plusSeconds(600))
                    .sign(Algorithm.HMAC256(SECRET));
            Api.Response me = t.api.get("/api/me", token);
            assertThat(me.status()).as(me.body()).isEqualTo(200);
            assertThat(me.json().get("userId").asText()).isEqualTo("alice-42");
            assertThat(me.json().get("displayName").asText()).isEqualTo("Alice");

            Api.Response created = t.api.post("/api/huddles", token, Map.of("title", "IdP"));
            assertThat(created.status()).isEqualTo(201);

            Api.Response guest = t.api.post("/api/auth/guest", null, Map.of("displayName", "G"));
            assertThat(guest.status()).isEqualTo(403);
            assertThat(guest.errorCode()).isEqualTo("guest_sign_in_disabled");

            String wrongIssuer = JWT.create().withIssuer("https://evil.example").withAudience("huddle")
                    .withClaim("uid", "alice-42").sign(Algorithm.HMAC256(SECRET));
            assertThat(t.api.get("/api/me", wrongIssuer).errorCode()).isEqualTo("invalid_token");

            String noName = JWT.create().withIssuer("https://idp.example").withAudience("huddle")
                    .withClaim("uid", "bob-7").withExpiresAt(now.plusSeconds(600)).sign(Algorithm.HMAC256(SECRET));
            assertThat(t.api.get("/api/me", noName).json().get("displayName").asText()).isEqualTo("bob-7");

            String noExpiry = JWT.create().withIssuer("https://idp.example").withAudience("huddle")
                    .withClaim("uid", "bob-7").sign(Algorithm.HMAC256(SECRET));
            assertThat(t.api.get("/api/me", noExpiry).errorCode()).as("a token without exp would live forever")
                    .isEqualTo("invalid_token");
            String forgedLogLine = JWT.create().withIssuer("https://idp.example").withAudience("huddle")
                    .withClaim("uid", "eve\nevent=presence.leave room=x").withExpiresAt(now.plusSeconds(600))
                    .sign(Algorithm.HMAC256(SECRET));
            assertThat(t.api.get("/api/me", forgedLogLine).errorCode()).as("control characters in the user id")
                    .isEqualTo("invalid_token");

            clock.advance(Duration.ofMinutes(11).toMillis());
            assertThat(t.api.get("/api/me", token).errorCode()).as("expired").isEqualTo("invalid_token");
        }
    }

    @Test
    @DisplayName("RS256: verified with the PEM public key; a token signed by another key is refused")
    void rs256() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair idp = gen.generateKeyPair();
        KeyPair other = gen.generateKeyPair();
        Path pem = dir.resolve("idp.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(idp.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        AuthConfig auth = new AuthConfig(AuthMode.JWT_RS256, null, pem, "sub", null, null, AuthConfig.DEFAULT_GUEST_TOKEN_TTL);
        try (TestServer t = new TestServer(dir.resolve("data"), new ManualClock(TestServer.T0), c -> c.withAuth(auth))) {
            String good = JWT.create().withSubject("carol").withClaim("name", "Carol")
                    .withExpiresAt(Instant.ofEpochMilli(TestServer.T0).plusSeconds(600))
                    .sign(Algorithm.RSA256((RSAPublicKey) idp.getPublic(), (RSAPrivateKey) idp.getPrivate()));
            String forged = JWT.create().withSubject("carol")
                    .sign(Algorithm.RSA256((RSAPublicKey) other.getPublic(), (RSAPrivateKey) other.getPrivate()));
            String hsConfusion = JWT.create().withSubject("carol").sign(Algorithm.HMAC256(Files.readAllBytes(pem)));
            assertThat(t.api.get("/api/me", good).json().get("displayName").asText()).isEqualTo("Carol");
            assertThat(t.api.get("/api/me", forged).errorCode()).isEqualTo("invalid_token");
            assertThat(t.api.get("/api/me", hsConfusion).errorCode()).as("no algorithm confusion").isEqualTo("invalid_token");
        }
    }
}
