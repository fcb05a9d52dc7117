package dev.huddle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The huddle page in real headless Chromium against a real server (issue 5). Browsers run in real
 * time, so the server does too; waits are for conditions, with the bounds the issue sets.
 */
@Timeout(120)
class HuddlePageE2ETest {
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

    /** Ann creates a huddle; Bob opens it (and is registered as an observer, H3). */
    private record Pair(Browser ann, Browser bob, String slug) implements AutoCloseable {
        @Override
        public void close() {
            try (ann; bob) {
                // both browsers quit
            }
        }
    }

    private Pair annAndBob(String title, String query) throws Exception {
        Browser ann = new Browser(base);
        Browser bob = null;
        try {
            bob = new Browser(base);
            ann.signIn("Ann");
            String slug = ann.createHuddle(title);
            ann.openHuddle(slug, query);
            bob.signIn("Bob");
            bob.openHuddle(slug, query);
            Browser b = bob;
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.shows("Bob") && b.shows("Ann"));
            return new Pair(ann, bob, slug);
        } catch (Exception | AssertionError e) {
            // A failed setup must not leave browsers running: the test that failed cannot close them.
            ann.close();
            if (bob != null) {
                bob.close();
            }
            throw e;
        }
    }

    @Test
    @DisplayName("Two browser contexts join one huddle and see each other (H6: self first); the card has no empty space above its heading")
    void twoContextsSeeEachOther() throws Exception {
        try (Pair p = annAndBob("See each other", null)) {
            assertThat(p.ann.participants()).containsExactly("Ann (you)", "Bob");
            assertThat(p.bob.participants()).containsExactly("Bob (you)", "Ann");
            assertThat(p.bob.toasts()).isEmpty();
            assertThat(p.ann.toasts()).containsExactly("Bob joined");
            Object gaps = p.ann.js("const card = document.querySelector('section.card').getBoundingClientRect();"
                    + "const h2 = document.getElementById('participants-heading').getBoundingClientRect();"
                    + "const controls = document.getElementById('controls').getBoundingClientRect();"
                    + "return [Math.round(h2.top - card.top), Math.round(card.top - controls.bottom)];");
            // The card's padding is 16 px above "In the huddle"; the controls keep their own 12 px margin and
            // the empty notes between them none.
            assertThat(String.valueOf(gaps)).isEqualTo("[16, 12]");
        }
    }

    @Test
    @DisplayName("The speaking toggle in one shows the indicator in the other within 1 s; pressed and unpressed never look alike")
    void speakingShowsWithinOneSecond() throws Exception {
        try (Pair p = annAndBob("Speaking", null)) {
            WebElement speak = p.ann.driver.findElement(By.id("speak"));
            assertThat(speak.getAttribute("aria-pressed")).isEqualTo("false");
            String offBackground = speak.getCssValue("background-color");
            assertThat(offBackground).as("unpressed is an outline on white, not a filled button").isEqualTo("rgba(255, 255, 255, 1)");
            speak.click();
            p.bob.waitUpTo(Duration.ofSeconds(1)).until(d -> p.bob.speaking("Ann"));
            assertThat(speak.getAttribute("aria-pressed")).isEqualTo("true");
            assertThat(speak.getCssValue("background-color")).isNotEqualTo(offBackground);
            assertThat(speak.getText()).as("a toggle keeps its label; aria-pressed tells the state").isEqualTo("Speaking");
            speak.click();
            p.bob.waitUpTo(Duration.ofSeconds(1)).until(d -> !p.bob.speaking("Ann"));
            assertThat(speak.getAttribute("aria-pressed")).isEqualTo("false");
            assertThat(speak.getCssValue("background-color")).isEqualTo(offBackground);
        }
    }

    @Test
    @DisplayName("H4: an anonymous viewer sees no controls (hidden wins over .controls' display) and a live status")
    void anonymousViewerHasNoControls() throws Exception {
        try (Browser ann = new Browser(base); Browser viewer = new Browser(base)) {
            ann.signIn("Ann");
            String slug = ann.createHuddle("Watched");
            ann.openHuddle(slug, null);
            viewer.openHuddle(slug, null);
            viewer.waitUpTo(Duration.ofSeconds(10)).until(d -> viewer.shows("Ann"));
            assertThat(viewer.driver.findElement(By.id("controls")).isDisplayed()).isFalse();
            assertThat(viewer.driver.findElement(By.id("leave")).isDisplayed()).isFalse();
            assertThat(viewer.driver.findElement(By.id("viewer-note")).isDisplayed()).isTrue();
            viewer.waitUpTo(Duration.ofSeconds(10)).until(d -> viewer.status().equals("live"));
            assertThat(viewer.participants()).containsExactly("Ann");
        }
    }

    @Test
    @DisplayName("J2: the status shows offline when the network goes, and live again when it returns, with no leave")
    void statusFollowsTheNetwork() throws Exception {
        try (Pair p = annAndBob("Network", null)) {
            p.bob.waitUpTo(Duration.ofSeconds(10)).until(d -> p.bob.status().equals("live"));
            p.bob.cdp("Network.enable", Map.of());
            p.bob.cdp("Network.emulateNetworkConditions",
                    Map.of("offline", true, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
            p.bob.waitUpTo(Duration.ofSeconds(5)).until(d -> p.bob.status().equals("offline"));
            p.bob.cdp("Network.emulateNetworkConditions",
                    Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
            p.bob.waitUpTo(Duration.ofSeconds(10)).until(d -> p.bob.status().equals("live"));
            assertThat(p.ann.toasts()).containsExactly("Bob joined");
            assertThat(p.ann.count("Bob")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("Avatars show the user's picture, and their initials when the picture fails to load")
    void avatarsShowPicturesOrInitials() throws Exception {
        try (AvatarServer avatars = new AvatarServer(); Browser ann = new Browser(base); Browser bob = new Browser(base)) {
            ann.signIn("Ann Lee", avatars.picture("ann"));
            String slug = ann.createHuddle("Faces");
            ann.openHuddle(slug, null);
            bob.signIn("Bob Stone", avatars.missing("bob"));
            bob.openHuddle(slug, null);
            String readAvatars = "return [...document.querySelectorAll('#participants li')].map(li => {"
                    + " const img = li.querySelector('.avatar img');"
                    + " return li.querySelector('.name').textContent + ':' + (img ? 'img ' + img.naturalWidth : li.querySelector('.avatar').textContent); });";
            ann.waitUpTo(Duration.ofSeconds(10)).until(d -> String.valueOf(ann.js(readAvatars)).equals("[Ann Lee (you):img 96, Bob Stone:BS]"));
        }
    }

    @Test
    @DisplayName("Recording: the others get a toast and a polite live-region announcement when someone starts or stops")
    void recordingIsAnnounced() throws Exception {
        try (Pair p = annAndBob("Recording", null)) {
            assertThat(p.bob.driver.findElement(By.id("toasts")).getAttribute("aria-live")).isEqualTo("polite");
            p.ann.driver.findElement(By.id("record")).click();
            p.bob.waitUpTo(Duration.ofSeconds(3)).until(d -> p.bob.toasts().contains("Ann started recording"));
            assertThat(p.bob.recording("Ann")).isTrue();
            p.ann.driver.findElement(By.id("record")).click();
            p.bob.waitUpTo(Duration.ofSeconds(3)).until(d -> p.bob.toasts().contains("Ann stopped recording"));
            assertThat(p.ann.toasts()).as("no toast about yourself").containsExactly("Bob joined");
        }
    }

    @Test
    @DisplayName("T3: closing one tab shows a leave toast in the other within 3 s (the sendBeacon path)")
    void closingATabLeavesWithinThreeSeconds() throws Exception {
        try (Pair p = annAndBob("Close a tab", null)) {
            p.bob.closeTab();
            p.ann.waitUpTo(Duration.ofSeconds(3)).until(d -> p.ann.toasts().contains("Bob left"));
            assertThat(p.ann.shows("Bob")).isFalse();
        }
    }

    @Test
    @DisplayName("T1: a tab frozen through the DevTools protocol for 3× its interval is still shown present")
    void frozenTabStaysPresent() throws Exception {
        // A 2 s interval: the session's deadline is 5 s, so 6.5 s frozen would expire it without pongs.
        try (Pair p = annAndBob("Frozen tab", "?interval=2000")) {
            p.bob.cdp("Page.setWebLifecycleState", Map.of("state", "frozen"));
            await().during(Duration.ofMillis(6_500)).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(250)).until(() -> p.ann.shows("Bob"));
            p.bob.cdp("Page.setWebLifecycleState", Map.of("state", "active"));
            assertThat(p.ann.toasts()).doesNotContain("Bob left");
            assertThat(p.ann.count("Bob")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("T2, T3: a reload produces no leave/join toast pair and no duplicate entry")
    void reloadIsSeamless() throws Exception {
        try (Pair p = annAndBob("Reload", null)) {
            p.bob.driver.navigate().refresh();
            p.bob.recordToasts();
            p.bob.waitUpTo(Duration.ofSeconds(10)).until(d -> p.bob.shows("Ann"));
            // Outlast the departure grace (1.5 s): had the reload not continued the session, Bob would leave.
            await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> p.ann.count("Bob") == 1);
            assertThat(p.ann.toasts()).containsExactly("Bob joined");
            assertThat(p.bob.toasts()).isEmpty();
        }
    }

    @Test
    @DisplayName("H5: an observer has no recording control, and a forged recording flag from its socket is refused")
    void observerCannotRecord() throws Exception {
        try (Pair p = annAndBob("Observer", null)) {
            assertThat(p.bob.driver.findElement(By.id("record")).isDisplayed()).isFalse();
            assertThat(p.bob.driver.findElement(By.id("speak")).isDisplayed()).isFalse();
            assertThat(p.ann.driver.findElement(By.id("record")).isDisplayed()).isTrue();
            String huddleId = (String) p.bob.jsAsync(
                    "const done = arguments[arguments.length - 1];"
                    + "fetch('/api/huddles/' + arguments[0]).then(r => r.json()).then(h => done(h.id));", p.slug);
            Object reply = p.bob.jsAsync(
                    "const done = arguments[arguments.length - 1]; const id = arguments[0];"
                    + "const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');"
                    + "ws.onopen = () => ws.send(JSON.stringify({type: 'join', requestId: 'j', huddleId: id, sessionId: 'forger'}));"
                    + "ws.onmessage = (e) => { const m = JSON.parse(e.data);"
                    + "  if (m.type === 'joined') ws.send(JSON.stringify({type: 'flags', requestId: 'f', huddleId: id, sessionId: 'forger', isRecording: true}));"
                    + "  if (m.type === 'error') { ws.close(); done(m.code); } };"
                    + "setTimeout(() => done('no reply'), 5000);", huddleId);
            assertThat(reply).isEqualTo("observer_cannot_set_flags");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !p.ann.recording("Bob"));
        }
    }
}
