package dev.huddle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;

/**
 * Renders the huddle page with three people — one speaking (with an avatar picture), one recording,
 * one observing — at desktop and phone width, into target/screenshots (the copies in docs/ come from
 * here), and checks what the picture must show.
 */
@Timeout(120)
class ScreenshotsE2ETest {
    @TempDir
    Path data;

    @Test
    void huddlePageWithThreeParticipants() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(data, 0).withoutGuestSignInLimits(), TimeSource.system()).start();
                AvatarServer avatars = new AvatarServer();
                Browser ann = new Browser("http://localhost:" + server.port());
                Browser cy = new Browser("http://localhost:" + server.port());
                Browser bob = new Browser("http://localhost:" + server.port())) {
            ann.signIn("Ann Lee", avatars.picture("ann"));
            String slug = ann.createHuddle("Weekly design sync");
            cy.signIn("Cy Ortega");
            cy.openHuddle(slug, null);
            cy.waitUpTo(Duration.ofSeconds(10)).until(d -> cy.driver.findElement(By.id("become-participant")).isDisplayed());
            cy.driver.findElement(By.id("become-participant")).click();
            cy.waitUpTo(Duration.ofSeconds(10)).until(d -> cy.driver.findElement(By.id("record")).isDisplayed());
            cy.driver.findElement(By.id("record")).click();
            bob.signIn("Bob Observer");
            bob.openHuddle(slug, null);
            ann.driver.findElement(By.id("speak")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.speaking("Ann Lee") && ann.recording("Cy Ortega")
                    && ann.shows("Bob Observer") && ann.status().equals("live")
                    && Boolean.TRUE.equals(ann.js("const i = document.querySelector('.avatar img'); return !!i && i.naturalWidth > 0")));

            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            ann.resize(1280, 800);
            Files.write(dir.resolve("huddle-desktop.png"), ann.driver.getScreenshotAs(OutputType.BYTES));
            ann.resize(390, 844);
            Files.write(dir.resolve("huddle-phone.png"), ann.driver.getScreenshotAs(OutputType.BYTES));
            assertThat(ann.participants()).containsExactly("Ann Lee (you)", "Cy Ortega", "Bob Observer");
            assertThat(Files.size(dir.resolve("huddle-phone.png"))).isGreaterThan(10_000);
        }
    }
}
