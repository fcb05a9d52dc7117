package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.server.http.ApiException;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.user.ProfileRules;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("H5: metadata cleaning")
class MetadataCleaningTest {

    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "  Ann  |Ann",
        "Ann\u0000\u0007\u001b[31m|Ann[31m",
        "<b>Bob</b>|Bob",
        "<script>alert(1)</script>Eve|alert(1)Eve",
        "<<b>script>x|x",
        "a > b < c|a b c",
        "Tab\tand   spaces|Tab and spaces",
        "\u202EevilRTL|evilRTL",
        "Zoë 🎧|Zoë 🎧",
    })
    @DisplayName("display names: control chars, markup and bidi overrides removed, white space collapsed")
    void cleansDisplayNames(String raw, String cleaned) {
        assertThat(ProfileRules.displayName(raw)).isEqualTo(cleaned);
    }

    @Test
    @DisplayName("display names: line breaks become single spaces")
    void lineBreaks() {
        assertThat(ProfileRules.displayName("Ann\r\n\n  Lee")).isEqualTo("Ann Lee");
    }

    @Test
    @DisplayName("display names are cut to 64 code points, never splitting a surrogate pair")
    void capsLength() {
        assertThat(ProfileRules.displayName("x".repeat(500))).hasSize(64);
        String emoji = "🎧".repeat(100);
        String cut = ProfileRules.displayName(emoji);
        assertThat(cut.codePointCount(0, cut.length())).isEqualTo(64);
        assertThat(ProfileRules.title("t".repeat(500))).hasSize(120);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "<b></b>", "\u0000\u0001", "<>"})
    @DisplayName("empty after cleaning → 400 invalid_argument")
    void emptyRefused(String raw) {
        assertThatThrownBy(() -> ProfileRules.displayName(raw)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_argument");
            assertThat(e.getMessage()).startsWith("displayName");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript:alert(1)", "JavaScript:alert(1)", "data:image/png;base64,AAAA", "ftp://x.org/a.png",
        "//evil.example/a.png", "https://", "http://user:pw@example.com/a.png", "https://ex ample.com/a.png",
        "https://example.com/\"onerror=\"x", "vbscript:x", "file:///etc/passwd"})
    @DisplayName("unsafe avatar URLs → 400 invalid_avatar_url")
    void unsafeAvatars(String url) {
        assertThatThrownBy(() -> ProfileRules.avatarUrl(url)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_avatar_url"));
    }

    @Test
    @DisplayName("avatar URLs: http(s) accepted, over 2048 chars refused")
    void avatarLimits() {
        assertThat(ProfileRules.avatarUrl(" https://cdn.example.com/a.png?s=64 ")).isEqualTo("https://cdn.example.com/a.png?s=64");
        assertThat(ProfileRules.avatarUrl("HTTP://example.com/a.png")).isEqualTo("HTTP://example.com/a.png");
        assertThat(ProfileRules.avatarUrl(null)).isNull();
        String longUrl = "https://example.com/" + "a".repeat(2048);
        assertThatThrownBy(() -> ProfileRules.avatarUrl(longUrl)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_avatar_url"));
    }

    @Test
    @Timeout(30)
    @DisplayName("over HTTP: guest sign-in cleans the name, refuses a javascript: avatar and creates nobody")
    void overHttp(@TempDir Path dir) {
        try (TestServer t = new TestServer(dir)) {
            Api.Response ok = t.api.post("/api/auth/guest", null,
                    Map.of("displayName", " <i>Ann</i>\u0007 ", "avatarUrl", "https://example.com/ann.png"));
            assertThat(ok.status()).isEqualTo(200);
            Api.Response me = t.api.get("/api/me", ok.json().get("token").asText());
            assertThat(me.json().get("displayName").asText()).isEqualTo("Ann");
            assertThat(me.json().get("avatarUrl").asText()).isEqualTo("https://example.com/ann.png");

            Api.Response bad = t.api.post("/api/auth/guest", null,
                    Map.of("displayName", "Mallory", "avatarUrl", "javascript:alert(document.cookie)"));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.errorCode()).isEqualTo("invalid_avatar_url");
            assertThat(bad.headers().firstValue("Set-Cookie")).isEmpty();

            Api.Response empty = t.api.post("/api/auth/guest", null, Map.of("displayName", "<b></b>"));
            assertThat(empty.errorCode()).isEqualTo("invalid_argument");

            Api.Response huddle = t.api.post("/api/huddles", ok.json().get("token").asText(),
                    Map.of("title", "<img src=x onerror=alert(1)>Launch\u0000 party"));
            assertThat(huddle.json().get("title").asText()).isEqualTo("Launch party");
            assertThat(huddle.json().get("slug").asText()).startsWith("launch-party-");
        }
    }
}
