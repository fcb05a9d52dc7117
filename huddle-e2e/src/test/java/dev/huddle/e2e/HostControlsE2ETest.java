package dev.huddle.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/** H9 on the huddle page, in real headless Chromium: a host's invite policy, invite link, demotion and removal, and the member list's pages. */
@Timeout(180)
class HostControlsE2ETest {
    @TempDir
    static Path data;
    static HuddleServer server;
    static String base;

    @BeforeAll
    static void startServer() {
        server = new HuddleServer(ServerConfig.forDataDir(data, 0).withoutGuestSignInLimits(), TimeSource.system()).start();
        base = "http://localhost:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    private static boolean shown(Browser b, String id) {
        return b.driver.findElement(By.id(id)).isDisplayed();
    }

    @Test
    @DisplayName("H9: Ann (host) switches to invite; Bob can only observe; with Ann's invite link he speaks; demoted, his badge and controls go at once; removed, his page says so and Ann's list drops him with one toast")
    void hostRunsTheRoom() throws Exception {
        try (Browser ann = new Browser(base); Browser bob = new Browser(base)) {
            ann.signIn("Ann");
            String slug = ann.createHuddle("Hosted");
            ann.openHuddle(slug, null);
            ann.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("host-panel")));
            new Select(ann.driver.findElement(By.id("host-policy"))).selectByValue("invite");
            ann.driver.findElement(By.cssSelector("#host-settings button[type=submit]")).click();
            ann.waitUpTo(Duration.ofSeconds(5)).until(d -> ann.js(
                    "return fetch('/api/huddles/" + slug + "').then(r => r.json()).then(h => h.joinPolicy)").equals("invite"));

            bob.signIn("Bob");
            bob.openHuddle(slug, null);
            bob.waitUpTo(Duration.ofSeconds(10)).until(d -> bob.shows("Ann") && shown(bob, "observer-note"));
            assertThat(shown(bob, "speak")).as("an observer cannot speak").isFalse();
            assertThat(shown(bob, "become-participant")).as("no self-promotion under invite").isFalse();

            ann.driver.findElement(By.id("host-invite")).click();
            String link = ann.waitUpTo(Duration.ofSeconds(5)).until(d -> {
                String v = ann.driver.findElement(By.id("host-invite-link")).getDomProperty("value");
                return v == null || v.isEmpty() ? null : v;
            });
            bob.driver.get(link);
            bob.recordToasts();
            bob.waitUpTo(Duration.ofSeconds(10)).until(d -> shown(bob, "speak"));
            assertThat(bob.driver.getCurrentUrl()).as("the spent token leaves the address").doesNotContain("invite=");
            bob.driver.findElement(By.id("speak")).click();
            ann.waitUpTo(Duration.ofSeconds(2)).until(d -> ann.speaking("Bob"));
            ann.js("window.__toasts = [];"); // from here on: the toasts of the demotion and the removal

            By bobRow = By.cssSelector("#host-members li[data-user-id]");
            ann.waitUpTo(Duration.ofSeconds(5)).until(ExpectedConditions.visibilityOfElementLocated(bobRow));
            new Select(ann.driver.findElement(bobRow).findElement(By.tagName("select"))).selectByValue("observer");
            ann.waitUpTo(Duration.ofSeconds(1)).until(d -> !ann.speaking("Bob"));
            bob.waitUpTo(Duration.ofSeconds(2)).until(d -> !shown(bob, "speak"));

            ann.waitUpTo(Duration.ofSeconds(5)).until(d -> ann.driver.findElement(bobRow).findElement(By.tagName("button"))).click();
            ann.driver.switchTo().alert().accept();
            bob.waitUpTo(Duration.ofSeconds(3)).until(d -> shown(bob, "removed-note"));
            assertThat(shown(bob, "controls")).isFalse();
            ann.waitUpTo(Duration.ofSeconds(3)).until(d -> !ann.shows("Bob"));
            assertThat(ann.toasts()).as("one toast for the removal").containsExactly("Bob left");
        }
    }

    @Test
    @DisplayName("the host panel lists the members a page at a time: 50 at first, the rest after More members, each once")
    void hostPanelPagesTheMembers() throws Exception {
        try (Browser ann = new Browser(base)) {
            ann.signIn("Ann");
            String slug = ann.createHuddle("Crowded");
            String id = (String) ann.js("return fetch('/api/huddles/" + slug + "').then(r => r.json()).then(h => h.id)");
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 55; i++) {
                String guest = send(http, "/api/auth/guest", null, "{\"displayName\":\"Guest " + i + "\"}");
                String token = guest.replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
                send(http, "/api/huddles/" + id + "/join", token, "{\"role\":\"observer\"}");
            }
            ann.openHuddle(slug, null);
            By rows = By.cssSelector("#host-members li[data-user-id]");
            ann.waitUpTo(Duration.ofSeconds(10)).until(d -> d.findElements(rows).size() == 49); // 50, less Ann herself
            assertThat(shown(ann, "host-members-more")).isTrue();
            ann.driver.findElement(By.id("host-members-more")).click();
            ann.waitUpTo(Duration.ofSeconds(5)).until(d -> d.findElements(rows).size() == 55);
            assertThat(ann.driver.findElements(rows)).extracting(e -> e.getDomAttribute("data-user-id")).doesNotHaveDuplicates();
            assertThat(shown(ann, "host-members-more")).as("no more pages").isFalse();
        }
    }

    private static String send(HttpClient http, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
