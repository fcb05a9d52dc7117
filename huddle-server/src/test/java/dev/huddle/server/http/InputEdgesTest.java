package dev.huddle.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.StoredRows;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * X6: the input edges an attacker tried (issue 17, item 3), each refused in the API's error shape with
 * nothing stored — the web server's own refusals included — and the two token rules.
 */
@Timeout(60)
class InputEdgesTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    TestServer t;
    Guest ann;
    String id;

    @BeforeEach
    void start() {
        t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withGuestSecret(SECRET));
        ann = t.guest("Ann");
        id = t.huddle(ann, "Edges").get("id").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static void assertJsonError(Api.Response r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.errorCode()).as(r.body()).isEqualTo(code);
        assertThat(r.body()).doesNotContain("<html").doesNotContain("jetty").doesNotContain("Illegal character");
    }

    /** Sends raw bytes on a fresh connection and returns the status line and the body of the answer. */
    String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", t.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                if (text.contains("\r\n\r\n") && text.trim().endsWith("}")) {
                    break;
                }
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    @DisplayName("body bytes that are not UTF-8 (C3 28, a lone FF, a cut-off 3-byte sequence) → 400 malformed_json, nothing stored")
    void invalidUtf8() {
        String before = StoredRows.of(dir);
        for (byte[] bad : new byte[][] {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}}) {
            byte[] prefix = "{\"displayName\":\"A".getBytes(StandardCharsets.UTF_8);
            byte[] suffix = "nn\"}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(bad, 0, body, prefix.length, bad.length);
            System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
            Api.Response r = t.api.postBytes("/api/auth/guest", null, body);
            assertJsonError(r, 400, "malformed_json");
            assertThat(r.json().get("error").get("message").asText()).contains("UTF-8");
            assertJsonError(t.api.postBytes("/api/huddles", ann.token(), body), 400, "malformed_json");
        }
        assertThat(StoredRows.of(dir)).isEqualTo(before);
    }

    @ParameterizedTest(name = "display name {0} shows nothing → 400 invalid_argument")
    @ValueSource(strings = {"\u200B", "\u200B\u200C\u200D", "\u2060\u2060", "\u200B \u200B", "\u00AD", "\u034F", "\u3164",
            "\uFFA0\u115F", "\u2800", "\u0301\u0301", "\uDB40\uDC41", "<b>\u200B</b>"})
    void namesThatShowNothing(String name) {
        String before = StoredRows.of(dir);
        assertJsonError(t.api.post("/api/auth/guest", null, Map.of("displayName", name)), 400, "invalid_argument");
        assertJsonError(t.api.post("/api/huddles", ann.token(), Map.of("title", name)), 400, "invalid_argument");
        assertThat(StoredRows.of(dir)).isEqualTo(before);
    }

    @Test
    @DisplayName("names with visible text keep their joiners: an emoji ZWJ sequence and a name with a soft hyphen are fine")
    void visibleNamesWithJoinersAreKept() {
        Api.Response r = t.api.post("/api/auth/guest", null, Map.of("displayName", "\uD83D\uDC69\u200D\uD83D\uDCBB"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(t.api.post("/api/auth/guest", null, Map.of("displayName", "An\u00ADna")).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("malformed_json messages name no parser internals: 33 levels deep, a 1 001-digit number, a duplicate key")
    void noParserInternals() {
        String deep = "{\"a\":".repeat(33) + "1" + "}".repeat(33);
        Api.Response r = t.api.post("/api/huddles", ann.token(), deep);
        assertJsonError(r, 400, "malformed_json");
        assertThat(r.json().get("error").get("message").asText()).contains("32 levels");
        Api.Response number = t.api.post("/api/huddles", ann.token(), "{\"title\":" + "1".repeat(1001) + "}");
        assertJsonError(number, 400, "malformed_json");
        Api.Response duplicate = t.api.post("/api/huddles", ann.token(), "{\"title\":\"a\",\"title\":\"b\"}");
        assertJsonError(duplicate, 400, "malformed_json");
        assertThat(duplicate.json().get("error").get("message").asText()).contains("'title'");
        Api.Response broken = t.api.post("/api/huddles", ann.token(), "{\"title\": tru}");
        assertJsonError(broken, 400, "malformed_json");
        for (Api.Response each : new Api.Response[] {r, number, duplicate, broken}) {
            assertThat(each.body()).doesNotContain("StreamReadConstraints").doesNotContain("jackson")
                    .doesNotContain("com.fasterxml").doesNotContain("Source:");
        }
    }

    @Test
    @DisplayName("a %00 in the path, in GET, PUT and DELETE alike → 400 bad_request as JSON, not Jetty's HTML page")
    void nulInPath() throws IOException {
        assertJsonError(t.api.get("/api/huddles/a%00b", ann.token()), 400, "bad_request");
        for (String method : new String[] {"PUT", "DELETE", "POST"}) {
            String answer = raw(method + " /api/huddles/a%00b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(answer).as(method).startsWith("HTTP/1.1 400").contains("application/json")
                    .contains("\"code\":\"bad_request\"").doesNotContain("<html");
        }
    }

    @Test
    @DisplayName("a 100 KB URI → 414 uri_too_long; a 20 KB header → 431 headers_too_large; a header with a space in its name → 400")
    void oversizedAndBadHeads() throws IOException {
        assertJsonError(t.api.get("/api/huddles/" + "a".repeat(100_000), ann.token()), 414, "uri_too_long");
        assertJsonError(t.api.get("/api/me", Map.of("X-Big", "a".repeat(20_000))), 431, "headers_too_large");
        String bad = raw("GET /api/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
        assertThat(bad).startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"").doesNotContain("Illegal character");
        String version = raw("GET /api/me HTTP/9.9\r\nHost: x\r\n\r\n");
        assertThat(version).startsWith("HTTP/1.1 505").contains("\"code\":\"http_version_not_supported\"");
        String length = raw("POST /api/huddles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
        assertThat(length).startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"");
        assertThat(bad).contains("Content-Security-Policy").contains("nosniff");
    }

    @Test
    @DisplayName("a guest token without exp, signed with the server's real key → 401 invalid_token")
    void guestTokenWithoutExpiry() {
        Algorithm key = Algorithm.HMAC256(SECRET);
        String noExp = JWT.create().withIssuer("huddle-guest").withSubject(ann.userId())
                .withIssuedAt(Instant.ofEpochMilli(TestServer.T0)).sign(key);
        Api.Response r = t.api.get("/api/me", noExp);
        assertJsonError(r, 401, "invalid_token");
        assertThat(r.json().get("error").get("message").asText()).contains("exp");
        String withExp = JWT.create().withIssuer("huddle-guest").withSubject(ann.userId())
                .withExpiresAt(Instant.ofEpochMilli(TestServer.T0 + 60_000)).sign(key);
        assertThat(t.api.get("/api/me", withExp).status()).as("the same token with exp is fine").isEqualTo(200);
    }

    @Test
    @DisplayName("a room token lists the room only while its holder is a member: after leaving → 403 not_a_member")
    void roomTokenAfterLeaving() {
        Guest bob = t.guest("Bob");
        t.open(bob, id);
        assertThat(t.heartbeat(ann, id, "a1").status()).isEqualTo(200);
        String roomToken = t.heartbeat(bob, id, "b1").json().get("roomToken").asText();
        Api.Response member = t.api.get("/api/presence/list?roomToken=" + roomToken, bob.token());
        assertThat(member.status()).isEqualTo(200);
        assertThat(member.json()).hasSize(2);

        assertThat(t.api.post("/api/huddles/" + id + "/leave", bob.token(), Map.of()).status()).isEqualTo(200);
        Api.Response left = t.api.get("/api/presence/list?roomToken=" + roomToken, bob.token());
        assertJsonError(left, 403, "not_a_member");
        Api.Response convex = t.api.post("/api/query", bob.token(),
                Map.of("path", "presence:list", "args", Map.of("roomToken", roomToken)));
        assertThat(convex.status()).isEqualTo(560);
        assertThat(convex.json().get("errorData").get("code").asText()).isEqualTo("not_a_member");
        Guest stranger = t.guest("Stranger");
        assertJsonError(t.api.get("/api/presence/list?roomToken=" + roomToken, stranger.token()), 403, "not_a_member");

        t.open(bob, id);
        assertThat(t.api.get("/api/presence/list?roomToken=" + roomToken, bob.token()).status())
                .as("a member again: the token lists again").isEqualTo(200);
        assertThat(t.api.get("/api/presence/list?roomToken=unknown-token", stranger.token()).json()).as("unknown token").isEmpty();
    }
}
