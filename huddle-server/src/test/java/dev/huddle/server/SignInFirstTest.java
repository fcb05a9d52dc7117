package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/http-api.md: a request without sign-in to an endpoint that needs it gets 401, whatever its body
 * holds. A client that forgot its token learns that first, not that its body was wrong.
 */
@Timeout(30)
class SignInFirstTest {
    private static final String FORGED = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    @TempDir
    Path dir;
    TestServer t;
    String id;

    @BeforeEach
    void start() {
        t = new TestServer(dir);
        Guest ann = t.guest("Ann");
        id = t.huddle(ann, "Order").get("id").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private List<String> endpointsNeedingSignIn() {
        return List.of("/api/presence/heartbeat", "/api/presence/flags", "/api/huddles", "/api/huddles/" + id + "/join",
                "/api/huddles/" + id + "/presence/upsert", "/api/huddles/" + id + "/presence/clear");
    }

    @Test
    @DisplayName("no token and a malformed body → 401 unauthenticated, not 400, on every endpoint that needs sign-in")
    void noTokenBeforeBadBody() {
        for (String path : endpointsNeedingSignIn()) {
            for (String body : List.of("{", "[]", "{}")) {
                Api.Response r = t.api.post(path, null, body);
                assertThat(r.status()).as(path + " " + body).isEqualTo(401);
                assertThat(r.errorCode()).as(path + " " + body).isEqualTo("unauthenticated");
            }
        }
    }

    @Test
    @DisplayName("a forged token and a malformed body → 401 invalid_token, not 400")
    void forgedTokenBeforeBadBody() {
        for (String path : endpointsNeedingSignIn()) {
            Api.Response r = t.api.post(path, FORGED, "{");
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.errorCode()).as(path).isEqualTo("invalid_token");
        }
    }
}
