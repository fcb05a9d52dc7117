package dev.huddle.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.StoredRows;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * X4: the huddle_token cookie acts only for the server's own pages. A victim, Vic, is signed in by cookie,
 * a participant of her huddle with a live session; Eve owns another huddle. Every write, sent with Vic's
 * cookie from another site or another port of the same host, in every body type, is refused and changes
 * nothing stored and nothing in presence; the same writes from the server's own page, or from a bearer
 * client, work.
 */
@Timeout(60)
class CrossSiteTest {
    static final String CROSS_SITE = "http://evil.example";
    static final String MULTIPART_BOUNDARY = "XyZzY";

    @TempDir
    Path dir;
    TestServer t;
    Guest vic;
    String vicCookie;
    Guest eve;
    String id;
    String slug;
    String other;

    /** One write endpoint and the JSON body that would succeed for Vic if the cookie were honoured. */
    record Write(String name, String path, String json) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void start() {
        t = new TestServer(dir);
        Api.Response signIn = t.api.post("/api/auth/guest", null, Map.of("displayName", "Vic"));
        vic = new Guest(signIn.json().get("userId").asText(), signIn.json().get("token").asText());
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        vicCookie = setCookie.substring(0, setCookie.indexOf(';'));
        JsonNode h = t.huddle(vic, "Vic's room");
        id = h.get("id").asText();
        slug = h.get("slug").asText();
        assertThat(t.heartbeat(vic, id, "v1").status()).isEqualTo(200);
        eve = t.guest("Eve");
        other = t.huddle(eve, "Eve's room").get("id").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    List<Write> writes() {
        String hb = "{\"roomId\":\"" + id + "\",\"userId\":\"" + vic.userId() + "\",\"sessionId\":\"evil\",\"interval\":10000}";
        return List.of(
                new Write("guest sign-in", "/api/auth/guest", "{\"displayName\":\"Mallory\"}"),
                new Write("create a huddle", "/api/huddles", "{\"title\":\"Evil\"}"),
                new Write("open (register as observer)", "/api/huddles/" + other + "/open", "{}"),
                new Write("join", "/api/huddles/" + other + "/join", "{\"role\":\"participant\"}"),
                new Write("leave", "/api/huddles/" + other + "/leave", "{}"),
                new Write("heartbeat", "/api/presence/heartbeat", hb),
                new Write("flags", "/api/presence/flags",
                        "{\"roomId\":\"" + id + "\",\"sessionId\":\"v1\",\"isSpeaking\":true}"),
                new Write("Convex mutation", "/api/mutation", "{\"path\":\"presence:heartbeat\",\"args\":" + hb + "}"),
                new Write("Convex query", "/api/query",
                        "{\"path\":\"presence:list\",\"args\":{\"huddle\":\"" + id + "\"}}"),
                new Write("legacy upsert", "/api/huddles/" + id + "/presence/upsert", "{\"isSpeaking\":true}"),
                new Write("legacy clear", "/api/huddles/" + id + "/presence/clear", "{}"));
    }

    /** What Vic's identity, the database and presence look like: must not change under a refused write. */
    String state() {
        Api.Response me = t.api.get("/api/me", Map.of("Cookie", vicCookie));
        return "me=" + me.body() + "\nlist=" + t.list(vic, id).body() + "\n" + StoredRows.of(dir);
    }

    /** The same JSON text in each body type a page on another site can send without a preflight, and as JSON. */
    static List<String[]> bodies(String json) {
        String multipart = "--" + MULTIPART_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n" + json
                + "\r\n--" + MULTIPART_BOUNDARY + "--\r\n";
        return List.of(
                new String[] {"application/x-www-form-urlencoded", json},
                new String[] {"multipart/form-data; boundary=" + MULTIPART_BOUNDARY, multipart},
                new String[] {"text/plain", json},
                new String[] {"application/json", json});
    }

    Api.Response send(Write w, Map<String, String> headers, String contentType, String body) {
        return t.api.send("POST", w.path(), headers, contentType, body);
    }

    String ownOrigin() {
        return "http://127.0.0.1:" + t.server.port();
    }

    static Stream<Arguments> foreignOrigins() {
        return Stream.of(
                Arguments.of("another site", Map.of("Origin", CROSS_SITE)),
                Arguments.of("another port of the same host", Map.of("Origin", "http://127.0.0.1:1")),
                Arguments.of("an opaque origin (Origin: null)", Map.of("Origin", "null")),
                Arguments.of("Sec-Fetch-Site: cross-site without Origin", Map.of("Sec-Fetch-Site", "cross-site")),
                Arguments.of("Sec-Fetch-Site: same-site without Origin", Map.of("Sec-Fetch-Site", "same-site")),
                Arguments.of("neither Origin nor Sec-Fetch-Site", Map.of()));
    }

    @ParameterizedTest(name = "{0}: every write, every body type → 403 cross_site_request, nothing changed")
    @MethodSource("foreignOrigins")
    void foreignWritesWithTheCookieAreRefused(String from, Map<String, String> originHeaders) {
        String before = state();
        for (Write w : writes()) {
            for (String[] body : bodies(w.json())) {
                Map<String, String> headers = new LinkedHashMap<>(originHeaders);
                headers.put("Cookie", vicCookie);
                Api.Response r = send(w, headers, body[0], body[1]);
                assertThat(r.status()).as(w + " as " + body[0] + ": " + r.body()).isEqualTo(403);
                assertThat(r.errorCode()).as(w + " as " + body[0]).isEqualTo("cross_site_request");
                assertThat(r.headers().firstValue("Set-Cookie")).as(w + ": no new cookie").isEmpty();
            }
        }
        assertThat(state()).as("nothing changed").isEqualTo(before);
    }

    @ParameterizedTest(name = "from the server''s own page, a {0} body with the cookie → 415 unsupported_media_type")
    @ValueSource(strings = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
    void ownPageMustSendJson(String type) {
        String before = state();
        for (Write w : writes()) {
            String[] body = bodies(w.json()).stream().filter(b -> b[0].startsWith(type)).findFirst().orElseThrow();
            Api.Response r = send(w, Map.of("Cookie", vicCookie, "Origin", ownOrigin()), body[0], body[1]);
            assertThat(r.status()).as(w + ": " + r.body()).isEqualTo(415);
            assertThat(r.errorCode()).isEqualTo("unsupported_media_type");
        }
        Api.Response noType = t.api.send("POST", "/api/huddles", Map.of("Cookie", vicCookie, "Origin", ownOrigin()), null,
                "{\"title\":\"x\"}");
        assertThat(noType.status()).as("a body without Content-Type").isEqualTo(415);
        assertThat(state()).as("nothing changed").isEqualTo(before);
    }

    @Test
    @DisplayName("the same writes from the server's own page (Origin or Sec-Fetch-Site: same-origin), as JSON, work")
    void ownPageWorks() {
        List<String> failures = new ArrayList<>();
        int i = 0;
        for (Write w : writes()) {
            if (w.name().equals("leave")) {
                continue; // last, below
            }
            Map<String, String> headers = i++ % 2 == 0 ? Map.of("Cookie", vicCookie, "Origin", ownOrigin())
                    : Map.of("Cookie", vicCookie, "Sec-Fetch-Site", "same-origin");
            Api.Response r = send(w, headers, "application/json; charset=utf-8", w.json());
            if (r.status() >= 300) {
                failures.add(w + " → " + r.status() + " " + r.body());
            }
        }
        Api.Response leave = send(writes().get(4), Map.of("Cookie", vicCookie, "Origin", ownOrigin().toUpperCase()),
                null, null);
        assertThat(leave.status()).as("an empty write needs no content type: " + leave.body()).isEqualTo(200);
        assertThat(failures).isEmpty();
    }

    @Test
    @DisplayName("a bearer client without Origin (the README's curl tour sends form-encoded JSON) works; so does one with any Origin")
    void bearerClientsWork() {
        List<String> failures = new ArrayList<>();
        for (Write w : writes()) {
            if (w.name().equals("guest sign-in") || w.name().equals("leave")) {
                continue;
            }
            Api.Response r = send(w, Map.of("Authorization", "Bearer " + vic.token()), "application/x-www-form-urlencoded",
                    w.json());
            if (r.status() >= 300) {
                failures.add(w + " → " + r.status() + " " + r.body());
            }
        }
        Api.Response withOrigin = send(writes().get(1), Map.of("Authorization", "Bearer " + vic.token(),
                "Cookie", vicCookie, "Origin", CROSS_SITE), "text/plain", "{\"title\":\"Bearer\"}");
        assertThat(withOrigin.status()).as("the bearer token, not the cookie, authenticates: " + withOrigin.body())
                .isEqualTo(201);
        Api.Response signIn = t.api.send("POST", "/api/auth/guest", Map.of(), "application/x-www-form-urlencoded",
                "{\"displayName\":\"Curl\"}");
        assertThat(signIn.status()).as("guest sign-in without a cookie, as the curl tour does").isEqualTo(200);
        assertThat(failures).isEmpty();
    }

    @Test
    @DisplayName("sendBeacon disconnect: a text/plain body from any origin, cookie or not, ends the session (its token is the capability)")
    void beaconDisconnectStaysOpen() {
        String token = t.heartbeat(vic, id, "v1").json().get("sessionToken").asText();
        Api.Response r = t.api.send("POST", "/api/presence/disconnect", Map.of("Cookie", vicCookie, "Origin", CROSS_SITE),
                "text/plain;charset=UTF-8", "{\"sessionToken\":\"" + token + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode entry = t.list(vic, id).json().get(0);
        assertThat(entry.get("online").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("a cross-site link to GET a huddle registers nobody: by id 403 not_a_member, by slug read-only")
    void crossSiteGetRegistersNobody() {
        Guest mallory = t.guest("Mallory");
        String before = StoredRows.of(dir);
        Api.Response byId = t.api.get("/api/huddles/" + other, Map.of("Cookie", vicCookie, "Sec-Fetch-Site", "cross-site"));
        assertThat(byId.status()).isEqualTo(403);
        assertThat(byId.errorCode()).isEqualTo("not_a_member");
        Api.Response bySlug = t.api.get("/api/huddles/" + slug, Map.of("Authorization", "Bearer " + mallory.token()));
        assertThat(bySlug.status()).isEqualTo(200);
        assertThat(bySlug.json().get("readOnly").asBoolean()).isTrue();
        assertThat(bySlug.json().get("role").isNull()).isTrue();
        assertThat(bySlug.json().get("memberCount").asLong()).isEqualTo(1);
        assertThat(StoredRows.of(dir)).as("no membership").isEqualTo(before);
    }

    @Test
    @DisplayName("a sign-in from another site, with or without the cookie, sets no cookie; one from the server's own page may")
    void signInFromAnotherSiteKeepsTheIdentity() {
        Api.Response r = t.api.send("POST", "/api/auth/guest", Map.of("Cookie", vicCookie, "Origin", CROSS_SITE),
                "text/plain", "{\"displayName\":\"Mallory\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(t.api.get("/api/me", Map.of("Cookie", vicCookie)).json().get("userId").asText()).isEqualTo(vic.userId());
        for (Map<String, String> foreign : List.of(Map.of("Origin", CROSS_SITE), Map.of("Sec-Fetch-Site", "cross-site"),
                Map.of("Sec-Fetch-Site", "same-site"), Map.of("Origin", "http://127.0.0.1:1"))) {
            Api.Response noCookie = t.api.send("POST", "/api/auth/guest", foreign, "text/plain", "{\"displayName\":\"Mallory\"}");
            assertThat(noCookie.status()).as("without the cookie (a browser withholds Lax cookies cross-site) " + foreign)
                    .isEqualTo(403);
            assertThat(noCookie.errorCode()).isEqualTo("cross_site_request");
            assertThat(noCookie.headers().firstValue("Set-Cookie")).isEmpty();
        }
        Api.Response own = t.api.send("POST", "/api/auth/guest", Map.of("Cookie", vicCookie, "Origin", ownOrigin()),
                "application/json", "{\"displayName\":\"Vic again\"}");
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.headers().firstValue("Set-Cookie")).isPresent();
    }

    @Test
    @DisplayName("an origin listed in HUDDLE_ALLOWED_ORIGINS may write with the cookie; another still may not")
    void allowedOrigins(@TempDir Path otherDir) {
        try (TestServer s = new TestServer(otherDir, new dev.huddle.presence.ManualClock(TestServer.T0),
                c -> c.withAllowedOrigins(List.of("https://app.example.com")))) {
            Api.Response signIn = s.api.post("/api/auth/guest", null, Map.of("displayName", "Ann"));
            String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            Api.Response listed = s.api.send("POST", "/api/huddles", Map.of("Cookie", cookie, "Origin", "https://app.example.com"),
                    "application/json", "{\"title\":\"ok\"}");
            assertThat(listed.status()).as(listed.body()).isEqualTo(201);
            Api.Response unlisted = s.api.send("POST", "/api/huddles",
                    Map.of("Cookie", cookie, "Origin", "https://other.example.com"), "application/json", "{\"title\":\"no\"}");
            assertThat(unlisted.errorCode()).isEqualTo("cross_site_request");
        }
    }
}
