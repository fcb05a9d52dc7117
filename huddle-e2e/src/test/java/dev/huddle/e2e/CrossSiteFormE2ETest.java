package dev.huddle.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * X4 in a real browser: a page served on another port of the same host (same-site, so SameSite=Lax
 * sends the cookie) and one on another host auto-submit real {@code <form enctype="text/plain">} posts
 * whose bodies parse as JSON — guest sign-in, create a huddle, join someone's huddle — against the real
 * server, with the victim's cookie. Each is refused, and the victim's identity and memberships are as
 * they were.
 */
@Timeout(180)
class CrossSiteFormE2ETest {
    @TempDir
    static Path data;
    static HuddleServer server;
    static HttpServer evil;
    static final Map<String, String> pages = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        server = new HuddleServer(ServerConfig.forDataDir(data, 0), TimeSource.system()).start();
        evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        evil.createContext("/", exchange -> {
            byte[] page = pages.getOrDefault(exchange.getRequestURI().getPath(), "not here").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        evil.start();
    }

    @AfterAll
    static void stop() {
        evil.stop(0);
        server.stop();
    }

    /** A page that posts {@code json} as text/plain to {@code action} as soon as it loads. */
    static String autoSubmit(String action, String json) {
        // The browser sends name=value: the '=' lands inside the pad string, so the body parses as JSON.
        String name = json.substring(0, json.length() - 1) + ",\"pad\":\"";
        return "<!doctype html><form method=post enctype=text/plain action='" + action + "'>"
                + "<input type=hidden name='" + name.replace("'", "&#39;") + "' value='\"}'></form>"
                + "<script>document.forms[0].submit()</script>";
    }

    static String me(Browser b) {
        return (String) b.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch('/api/me').then(r => r.json()).then(j => done(j.userId), e => done('error ' + e));");
    }

    static long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ServerConfig.sqliteUrl(data));
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String eveHuddle() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + server.port();
        String signIn = http.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/guest"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Eve\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String token = signIn.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        String huddle = http.send(HttpRequest.newBuilder(URI.create(base + "/api/huddles"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Eve's room\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return huddle.replaceAll(".*?\"id\":\"([^\"]+)\".*", "$1");
    }

    @Test
    @DisplayName("text/plain forms from another port and another host: sign-in, create, join are refused; Vic is unchanged")
    void crossOriginFormsChangeNothing() throws Exception {
        String target = "http://localhost:" + server.port();
        String eveRoom = eveHuddle();
        try (Browser vic = new Browser(target)) {
            vic.signIn("Vic");
            vic.createHuddle("Vic's room");
            String vicId = me(vic);
            assertThat(vicId).doesNotStartWith("error");
            long users = count("SELECT count(*) FROM users");
            long huddles = count("SELECT count(*) FROM huddles");
            long memberships = count("SELECT count(*) FROM memberships");

            pages.put("/sign-in", autoSubmit(target + "/api/auth/guest", "{\"displayName\":\"Mallory\"}"));
            pages.put("/create", autoSubmit(target + "/api/huddles", "{\"title\":\"Evil\"}"));
            pages.put("/join", autoSubmit(target + "/api/huddles/" + eveRoom + "/join", "{\"role\":\"participant\"}"));
            int evilPort = evil.getAddress().getPort();
            // Same host, other port: same-site, so the browser sends Vic's Lax cookie and the guard refuses.
            // Another host: the browser withholds the cookie; sign-in is refused all the same (its answer would
            // replace the cookie), and the others find nobody signed in.
            Map<String, String> expected = Map.of(
                    "http://localhost:" + evilPort + "/sign-in", "cross_site_request",
                    "http://localhost:" + evilPort + "/create", "cross_site_request",
                    "http://localhost:" + evilPort + "/join", "cross_site_request",
                    "http://127.0.0.1:" + evilPort + "/sign-in", "cross_site_request",
                    "http://127.0.0.1:" + evilPort + "/create", "unauthenticated",
                    "http://127.0.0.1:" + evilPort + "/join", "unauthenticated");
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(expected).entrySet()) {
                vic.driver.get(e.getKey());
                vic.waitUpTo(Duration.ofSeconds(15)).until(d -> d.getCurrentUrl().startsWith(target + "/api/"));
                String shown = vic.waitUpTo(Duration.ofSeconds(15)).until(d -> {
                    String text = d.findElement(By.tagName("body")).getText();
                    return text.isBlank() ? null : text;
                });
                assertThat(shown).as(e.getKey()).contains("\"" + e.getValue() + "\"");
            }

            vic.open("/");
            assertThat(me(vic)).as("the same identity").isEqualTo(vicId);
            assertThat(count("SELECT count(*) FROM users")).as("no Mallory").isEqualTo(users);
            assertThat(count("SELECT count(*) FROM huddles")).as("no Evil huddle").isEqualTo(huddles);
            assertThat(count("SELECT count(*) FROM memberships")).as("Vic joined nothing").isEqualTo(memberships);
            assertThat(count("SELECT count(*) FROM memberships WHERE huddle_id = '" + eveRoom + "'")).isEqualTo(1);
        }
    }
}
