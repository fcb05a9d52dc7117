package dev.huddle.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** X5: every answer carries the security headers; the pages need nothing the policy forbids; the cookie is Secure over https. */
@Timeout(60)
class SecurityHeadersTest {
    @TempDir
    Path dir;

    static void assertSecurityHeaders(Api.Response r, String what) {
        assertThat(r.headers().firstValue("Content-Security-Policy")).as(what).hasValue(SecurityHeaders.CSP);
        assertThat(SecurityHeaders.CSP).contains("script-src 'self'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).as(what).hasValue("DENY");
        assertThat(r.headers().firstValue("Referrer-Policy")).as(what).hasValue("same-origin");
    }

    @Test
    @DisplayName("pages, scripts, API answers, errors and Jetty's own refusals carry CSP, nosniff, frame denial and a referrer policy")
    void everyAnswer() {
        try (TestServer t = new TestServer(dir)) {
            TestServer.Guest ann = t.guest("Ann");
            String slug = t.huddle(ann, "Headers").get("slug").asText();
            for (String path : List.of("/", "/h/" + slug, "/js/app-huddle.js", "/css/app.css", "/health", "/api/me",
                    "/api/no-such-route", "/api/huddles/a%00b")) {
                Api.Response r = t.api.get(path, (String) null);
                assertSecurityHeaders(r, path + " → " + r.status());
                if (path.startsWith("/api/")) {
                    assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
                }
            }
            assertThat(t.api.get("/js/app-huddle.js", (String) null).headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).contains("javascript"));
        }
    }

    @Test
    @DisplayName("the pages hold no inline script, no event-handler attribute, no javascript: URL and no inline style")
    void pagesNeedNothingThePolicyForbids() {
        Pattern scriptTag = Pattern.compile("<script\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
        Pattern handler = Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);
        try (TestServer t = new TestServer(dir)) {
            for (String page : List.of("/", "/h/any-slug")) {
                String html = t.api.get(page, (String) null).body();
                Matcher m = scriptTag.matcher(html);
                int scripts = 0;
                while (m.find()) {
                    scripts++;
                    assertThat(m.group(1)).as(page + ": every script comes from a file").contains("src=");
                }
                assertThat(scripts).as(page).isPositive();
                assertThat(handler.matcher(html).find()).as(page + ": no onclick=…").isFalse();
                assertThat(html).as(page).doesNotContainIgnoringCase("javascript:").doesNotContainIgnoringCase("style=")
                        .doesNotContainIgnoringCase("<style");
            }
        }
    }

    @Test
    @DisplayName("the cookie is Secure when a trusted proxy says https, not when an untrusted client forges X-Forwarded-Proto")
    void secureCookie(@TempDir Path other) {
        try (TestServer direct = new TestServer(dir)) {
            Api.Response forged = direct.api.send("POST", "/api/auth/guest", Map.of("X-Forwarded-Proto", "https"),
                    "application/json", "{\"displayName\":\"Ann\"}");
            assertThat(forged.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
        }
        try (TestServer proxied = new TestServer(other, new ManualClock(TestServer.T0),
                c -> c.withHttp(c.http().withTrustedProxies(List.of("127.0.0.1", "::1"))))) {
            Api.Response https = proxied.api.send("POST", "/api/auth/guest", Map.of("X-Forwarded-Proto", "https",
                    "X-Forwarded-For", "198.51.100.1"), "application/json", "{\"displayName\":\"Ann\"}");
            assertThat(https.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure").contains("HttpOnly");
            Api.Response http = proxied.api.send("POST", "/api/auth/guest", Map.of("X-Forwarded-Proto", "http"),
                    "application/json", "{\"displayName\":\"Bob\"}");
            assertThat(http.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
        }
    }

    @Test
    @DisplayName("behind a trusted proxy the server's own origin is the one the proxy names in X-Forwarded-Host")
    void ownOriginBehindAProxy(@TempDir Path other) {
        try (TestServer proxied = new TestServer(other, new ManualClock(TestServer.T0),
                c -> c.withHttp(c.http().withTrustedProxies(List.of("127.0.0.1", "::1"))))) {
            Api.Response signIn = proxied.api.post("/api/auth/guest", null, Map.of("displayName", "Ann"));
            String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            Map<String, String> headers = Map.of("Cookie", cookie, "Origin", "https://huddle.example",
                    "X-Forwarded-Host", "huddle.example", "X-Forwarded-Proto", "https");
            Api.Response r = proxied.api.send("POST", "/api/huddles", headers, "application/json", "{\"title\":\"Proxied\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
    }
}
