package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the docs quote is what the server says: every error message quoted in {@code docs/*.md} and
 * the README is produced here by the request it describes and compared word for word (a quote ending
 * in {@code …} is a prefix), and every logger the docs name is one the code logs with and the shipped
 * log format prints. A doc that quotes a new message must add its request to {@link #proofs()}.
 */
@Timeout(60)
class DocsMatchServerTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** {@code "message": "…"} / {@code "errorMessage": "…"} in a JSON example, and {@code `name must …`} / {@code `name is required`} in prose. */
    private static final Pattern QUOTED = Pattern.compile(
            "\"(?:message|errorMessage)\":\\s*\"([^\"]+)\"|`([a-zA-Z]+ (?:must|is required)[^`]*)`");
    private static final Pattern LOGGER = Pattern.compile("logger `([^`]+)`");

    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest eve;
    String room;

    @BeforeEach
    void start() {
        f = new LiveFixture(dir, s -> s.withMaxConnectionsPerUser(8));
        ann = f.guest("Ann");
        eve = f.guest("Eve");
        room = f.huddle(ann).get("id").asText();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** Each quoted message, and the request the docs show it for. */
    private Map<String, Supplier<String>> proofs() {
        Map<String, Supplier<String>> p = new LinkedHashMap<>();
        p.put("sessionId is required", () -> httpError(f.t.api.post("/api/presence/heartbeat", ann.token(),
                Map.of("roomId", room, "userId", ann.userId()))));
        p.put("interval must lie in 1000…300000, was 5", () -> httpError(f.t.api.post("/api/presence/heartbeat", ann.token(),
                Map.of("roomId", room, "userId", ann.userId(), "sessionId", "s", "interval", 5))));
        p.put("[forbidden] userId must be the signed-in user", () -> f.t.api.post("/api/mutation", ann.token(),
                Map.of("path", "presence:heartbeat", "args", Map.of("roomId", room, "userId", eve.userId(), "sessionId", "s"),
                        "format", "json")).json().path("errorMessage").asText());
        p.put("you are not a member of this huddle; …", () -> {
            WsClient c = f.connect(eve);
            c.send("type", "join", "requestId", "j", "huddleId", room, "sessionId", "eve-tab");
            JsonNode reply = c.reply("j");
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("error");
            return reply.path("message").asText();
        });
        p.put("at most 8 sockets per user", () -> {
            List<RawWsClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    open.add(new RawWsClient(f.t.server.socketPort(), ann.token(), 65_536));
                }
                new RawWsClient(f.t.server.socketPort(), ann.token(), 65_536).close();
                throw new AssertionError("a ninth socket of one user was let in");
            } catch (RawWsClient.Refused refused) {
                assertThat(refused.status).isEqualTo(429);
                return readTree(refused.body).path("error").path("message").asText();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                open.forEach(RawWsClient::close);
            }
        });
        return p;
    }

    private static JsonNode readTree(String body) {
        try {
            return Api.JSON.readTree(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String httpError(Api.Response r) {
        assertThat(r.status()).as(r.body()).isBetween(400, 499);
        return r.json().path("error").path("message").asText();
    }

    @Test
    @DisplayName("every error message the docs quote is one the server sends, word for word, for the request shown")
    void quotedMessagesAreTheServers() throws IOException {
        Map<String, Supplier<String>> proofs = proofs();
        List<String> quoted = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher m = QUOTED.matcher(Files.readString(doc));
            while (m.find()) {
                quoted.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
        }
        assertThat(quoted).as("messages quoted in the docs").isNotEmpty();
        assertThat(proofs.keySet()).as("a quoted message without a request that proves it").containsAll(quoted);
        for (Map.Entry<String, Supplier<String>> e : proofs.entrySet()) {
            String said = e.getValue().get();
            String doc = e.getKey();
            if (doc.endsWith("…")) {
                assertThat(said).as(doc).startsWith(doc.substring(0, doc.length() - 1).replaceAll("[;,]?\\s*$", ""));
            } else {
                assertThat(said).as(doc).isEqualTo(doc);
            }
        }
    }

    @Test
    @DisplayName("every logger the docs name is one the code logs with, and the shipped log format prints it in full")
    void loggerNamesMatchTheLog() throws IOException {
        TreeSet<String> named = new TreeSet<>();
        for (Path doc : docs()) {
            Matcher m = LOGGER.matcher(Files.readString(doc));
            while (m.find()) {
                named.add(m.group(1));
            }
        }
        assertThat(named).as("loggers named in the docs").isNotEmpty();
        String sources = mainSources();
        for (String logger : named) {
            String simple = logger.substring(logger.lastIndexOf('.') + 1);
            boolean byClass = sources.contains("getLogger(" + simple + ".class)") && classExists(logger);
            boolean byName = sources.contains("getLogger(\"" + logger + "\")");
            assertThat(byClass || byName).as("a logger named " + logger + " in the code").isTrue();
            assertThat(shippedFormat(logger)).as("the log line of " + logger).contains("logger=" + logger + " ");
        }
    }

    /** One INFO line from {@code logger}, formatted by the pattern in the server's own logback.xml. */
    private static String shippedFormat(String logger) throws IOException {
        String xml = Files.readString(ROOT.resolve("huddle-server/src/main/resources/logback.xml"));
        Matcher m = Pattern.compile("<pattern>(.*?)</pattern>").matcher(xml);
        assertThat(m.find()).as("a pattern in logback.xml").isTrue();
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(m.group(1));
        layout.start();
        LoggingEvent event = new LoggingEvent(DocsMatchServerTest.class.getName(), context.getLogger(logger), Level.INFO,
                "event=example", null, null);
        return layout.doLayout(event);
    }

    private static boolean classExists(String name) {
        try {
            Class.forName(name, false, DocsMatchServerTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static String mainSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : List.of("presence-core", "presence-redis", "huddle-server")) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path p : s.filter(x -> x.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(p));
                }
            }
        }
        return all.toString();
    }
}
