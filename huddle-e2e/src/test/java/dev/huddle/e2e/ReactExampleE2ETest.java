package dev.huddle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The React example app (examples/react-huddle: useHuddlePresence and the Convex-signature usePresence)
 * in headless Chromium, served by vite preview in front of a real server (J1–J3). It keeps the page's
 * element ids (#participants, #toasts, #speak, #status), so {@link Browser}'s readers work on it too.
 */
@Timeout(180)
class ReactExampleE2ETest {
    @TempDir
    static Path data;
    static HuddleServer server;
    static ExamplePreview example;

    @BeforeAll
    static void start() throws Exception {
        server = new HuddleServer(ServerConfig.forDataDir(data, 0).withoutGuestSignInLimits(), TimeSource.system()).start();
        example = new ExamplePreview("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        try (HuddleServer s = server) {
            if (example != null) {
                example.close();
            }
        }
    }

    /** Ann creates a huddle in the example; Bob opens its link there; both see each other. */
    private record Pair(Browser ann, Browser bob) implements AutoCloseable {
        @Override
        public void close() {
            try (ann; bob) {
                // both browsers quit
            }
        }
    }

    private Pair annAndBob(String title) throws Exception {
        Browser ann = new Browser(example.base);
        Browser bob = null;
        try {
            bob = new Browser(example.base);
            ann.signIn("Ann");
            String slug = ann.createHuddle(title);
            ann.recordToasts();
            bob.signIn("Bob");
            bob.open("/#/h/" + slug);
            bob.recordToasts();
            Browser b = bob;
            await().atMost(Duration.ofSeconds(15)).until(() -> ann.shows("Bob") && b.shows("Ann"));
            return new Pair(ann, bob);
        } catch (Exception | AssertionError e) {
            ann.close();
            if (bob != null) {
                bob.close();
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> convexList(Browser b) {
        return (List<String>) b.js("return [...document.querySelectorAll('#convex-list li')].map(li => "
                + "li.querySelector('.name').textContent + (li.dataset.online === 'true' ? ' online' : ' offline'))");
    }

    @Test
    @DisplayName("J2: two users see each other, speaking shows within 1 s, and a reload makes no leave/join toast pair")
    void twoUsersSpeakingAndReload() throws Exception {
        try (Pair p = annAndBob("Example speaking")) {
            assertThat(p.ann.participants()).containsExactly("Ann (you)", "Bob");
            assertThat(p.bob.participants()).containsExactly("Bob (you)", "Ann");
            assertThat(p.ann.toasts()).containsExactly("Bob joined");
            p.ann.waitUpTo(Duration.ofSeconds(5)).until(d -> p.ann.status().equals("live"));

            p.ann.driver.findElement(By.id("speak")).click();
            p.bob.waitUpTo(Duration.ofSeconds(1)).until(d -> p.bob.speaking("Ann"));

            p.bob.driver.navigate().refresh();
            p.bob.recordToasts();
            p.bob.waitUpTo(Duration.ofSeconds(10)).until(d -> p.bob.shows("Ann") && p.bob.speaking("Ann"));
            // Outlast the departure grace (1.5 s): had the reload not continued the session, Bob would leave.
            await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> p.ann.count("Bob") == 1);
            assertThat(p.ann.toasts()).containsExactly("Bob joined");
            assertThat(p.bob.toasts()).isEmpty();
            // J3: the Convex-signature view lists the same room, yourself first.
            assertThat(convexList(p.ann)).containsExactly("Ann online", "Bob online");
        }
    }

    @Test
    @DisplayName("T3, J3: a closed tab leaves within 3 s: a toast in the panel, offline in the Convex-signature list")
    void closedTabLeavesWithinThreeSeconds() throws Exception {
        try (Pair p = annAndBob("Example close")) {
            p.bob.closeTab();
            p.ann.waitUpTo(Duration.ofSeconds(3)).until(d -> p.ann.toasts().contains("Bob left"));
            assertThat(p.ann.shows("Bob")).isFalse();
            p.ann.waitUpTo(Duration.ofSeconds(2)).until(d -> convexList(p.ann).equals(List.of("Ann online", "Bob offline")));
        }
    }
}
