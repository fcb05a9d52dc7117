package dev.huddle.e2e;

import dev.huddle.presence.testkit.Dependency;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One person's browser: Debian's headless Chromium with its own profile (so its own cookies), driven
 * through Debian's chromedriver. Nothing is downloaded: Selenium Manager is bypassed by naming both
 * binaries, and Chromium's background networking is off (this machine has no outside network).
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    final String base;
    private final Path profile;

    Browser(String base) throws IOException {
        Dependency.CHROMIUM.require();
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            throw new IllegalStateException(Dependency.CHROMIUM.unreachable(CHROMIUM + " and " + CHROMEDRIVER,
                    "Install Debian's chromium and chromium-driver"));
        }
        this.base = base;
        this.profile = Files.createTempDirectory("huddle-e2e-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
    }

    /** A wait that polls every 25 ms and rides over a page reload (stale elements). */
    WebDriverWait waitUpTo(Duration d) {
        WebDriverWait wait = new WebDriverWait(driver, d, Duration.ofMillis(25));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    void open(String path) {
        driver.get(base + path);
    }

    /** Closes the current tab as a person would, keeping the browser open on a new blank tab. */
    void closeTab() {
        String closing = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        String other = driver.getWindowHandle();
        driver.switchTo().window(closing).close();
        driver.switchTo().window(other);
    }

    /** Signs in as a guest through the home page. */
    void signIn(String displayName) {
        signIn(displayName, null);
    }

    /** Signs in as a guest with an avatar URL through the home page. */
    void signIn(String displayName, String avatarUrl) {
        open("/");
        WebElement name = waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("display-name")));
        name.sendKeys(displayName);
        if (avatarUrl != null) {
            driver.findElement(By.id("avatar-url")).sendKeys(avatarUrl);
        }
        driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
    }

    /** Creates a huddle through the home page and returns its slug (the page is then the huddle's). */
    String createHuddle(String title) {
        driver.findElement(By.id("title")).sendKeys(title);
        driver.findElement(By.cssSelector("#create button[type=submit]")).click();
        waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/h/"));
        String url = driver.getCurrentUrl();
        return url.substring(url.indexOf("/h/") + 3).replaceAll("[?#].*$", "");
    }

    /** Opens a huddle page and waits until it shows its own user in the participants panel. */
    void openHuddle(String slug, String query) {
        open("/h/" + slug + (query == null ? "" : query));
        recordToasts();
    }

    /** Keeps every toast ever shown in window.__toasts, since toasts vanish after a few seconds. */
    void recordToasts() {
        waitUpTo(Duration.ofSeconds(10)).until(d -> js("return !!document.getElementById('toasts')"));
        js("window.__toasts = []; new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => "
                + "window.__toasts.push(n.textContent)))).observe(document.getElementById('toasts'), {childList: true});");
    }

    @SuppressWarnings("unchecked")
    List<String> toasts() {
        Object t = js("return window.__toasts || []");
        return ((List<Object>) t).stream().map(String::valueOf).collect(Collectors.toList());
    }

    /** One row of the participants panel, read in one go (the panel re-renders on every change). */
    record Row(String name, boolean speaking, boolean recording) {
        boolean is(String displayName) {
            return name.equals(displayName) || name.equals(displayName + " (you)");
        }
    }

    @SuppressWarnings("unchecked")
    List<Row> rows() {
        Object raw = js("return [...document.querySelectorAll('#participants li')].map(li => ["
                + "li.querySelector('.name').textContent, !!li.querySelector('.badge.speaking'),"
                + " !!li.querySelector('.badge.recording')]);");
        return ((List<List<Object>>) raw).stream()
                .map(r -> new Row((String) r.get(0), (Boolean) r.get(1), (Boolean) r.get(2)))
                .collect(Collectors.toList());
    }

    /** The display names in the participants panel, in order. */
    List<String> participants() {
        return rows().stream().map(Row::name).collect(Collectors.toList());
    }

    boolean shows(String name) {
        return rows().stream().anyMatch(r -> r.is(name));
    }

    long count(String name) {
        return rows().stream().filter(r -> r.is(name)).count();
    }

    boolean speaking(String name) {
        return rows().stream().anyMatch(r -> r.is(name) && r.speaking());
    }

    boolean recording(String name) {
        return rows().stream().anyMatch(r -> r.is(name) && r.recording());
    }

    /** The connection status the page shows ("live", "reconnecting…", …). */
    String status() {
        return (String) js("return document.getElementById('status').textContent");
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    void cdp(String command, Map<String, Object> params) {
        driver.executeCdpCommand(command, params);
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp profile is harmless
            }
        }
    }
}
