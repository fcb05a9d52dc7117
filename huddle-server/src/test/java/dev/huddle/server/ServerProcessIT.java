package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.server.support.OomAgent;
import dev.huddle.server.support.WsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar in a child process, started as the README says ({@code java -jar huddle-server.jar},
 * flags after it): graceful SIGTERM (X7) and fail fast (X3), which only a real process can show. Real
 * time; every wait is for a condition with a generous bound.
 */
@Timeout(600)
class ServerProcessIT {
    static final Path JAR = Path.of(System.getProperty("huddle.jar", "target/huddle-server.jar"));
    static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");

    @TempDir
    Path dir;

    /** A server process (the supervising parent, as started) and everything it and its child print. */
    final class Started implements AutoCloseable {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final int port;

        Started(List<String> jvmOptions, String... flags) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-jar");
            command.add(JAR.toString());
            command.addAll(List.of("--port", "0", "--host", "127.0.0.1", "--data-dir", dir.resolve("data").toString()));
            command.addAll(List.of(flags));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "server-output");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(180)).until(() -> LISTENING.matcher(output).find() || !process.isAlive());
            Matcher m = LISTENING.matcher(output);
            assertThat(m.find()).as("the server started:\n" + output).isTrue();
            port = Integer.parseInt(m.group(1));
        }

        Optional<ProcessHandle> child() {
            return process.toHandle().children().findFirst();
        }

        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("exited:\n" + output).isTrue();
            return process.exitValue();
        }

        long count(String text) {
            return output.toString().lines().filter(l -> l.contains(text)).count();
        }

        @Override
        public void close() {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    static String get(int port, String path) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    @DisplayName("X7: on SIGTERM, 8 requests in flight all get their answers, a socket is closed with 1001, one log line, exit 143")
    void sigtermLetsRequestsInFlightFinish() throws Exception {
        try (Started s = new Started(List.of(), "--http-read-timeout-ms", "120000", "--shutdown-timeout-ms", "120000",
                "--guest-sign-ins-per-address-per-minute", "1000")) {
            assertThat(s.child()).as("the README command supervises a child JVM").isPresent();
            ProcessHandle child = s.child().orElseThrow();
            WsClient ws = WsClient.connect(s.port, null);
            String body = "{\"displayName\":\"In flight\"}";
            String head = "POST /api/auth/guest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n";
            List<Socket> inFlight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Socket socket = new Socket("127.0.0.1", s.port);
                socket.setSoTimeout(120_000);
                socket.getOutputStream().write((head + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                inFlight.add(socket);
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> gauge(get(s.port, "/metrics"), "huddle_http_requests_in_flight") >= 8);

            s.process.toHandle().destroy(); // SIGTERM to the process the README starts
            await().atMost(Duration.ofSeconds(60)).until(() -> s.count("event=shutdown") > 0);
            for (Socket socket : inFlight) {
                OutputStream out = socket.getOutputStream();
                out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            for (Socket socket : inFlight) {
                String answer = readAnswer(socket.getInputStream());
                assertThat(answer).as("a request in flight at SIGTERM is answered").startsWith("HTTP/1.1 200").contains("\"token\"");
                socket.close();
            }
            assertThat(ws.awaitClose()).isEqualTo(1001);
            assertThat(s.awaitExit()).as("killed by SIGTERM, stopped cleanly").isEqualTo(143);
            await().atMost(Duration.ofSeconds(30)).until(() -> !child.isAlive());
            assertThat(s.count("event=shutdown")).as("one log line:\n" + s.output).isEqualTo(1);
            assertThat(s.output.toString()).doesNotContain("supervisor_gone").doesNotContain("Exception");
        }
    }

    static String readAnswer(InputStream in) throws IOException {
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (got.indexOf("\r\n\r\n") > 0 && got.toString().trim().endsWith("}")) {
                break;
            }
        }
        return got.toString();
    }

    @Test
    @DisplayName("X3: an OutOfMemoryError in the server's JVM ends the process at once: exit 3, one clear log line, no child left")
    void outOfMemoryEndsTheProcess() throws Exception {
        Path trigger = Files.createDirectories(dir.resolve("trigger"));
        Path agent = agentJar(dir.resolve("oom-agent.jar"));
        try (Started s = new Started(List.of("-Xmx128m", "-javaagent:" + agent + "=" + trigger))) {
            ProcessHandle child = s.child().orElseThrow();
            assertThat(get(s.port, "/health")).contains("up");
            Files.createFile(trigger.resolve("go"));
            assertThat(s.awaitExit()).as("exit code:\n" + s.output).isEqualTo(FailFast.OUT_OF_MEMORY);
            await().atMost(Duration.ofSeconds(30)).until(() -> !child.isAlive());
            assertThat(s.count("event=fatal reason=\"out of memory\"")).as(s.output.toString()).isEqualTo(1);
            assertThat(s.output.toString()).contains("OutOfMemoryError");
        }
    }

    @Test
    @DisplayName("X3: when the supervising process is killed outright (SIGKILL), the server does not outlive it")
    void childDoesNotOutliveItsParent() throws Exception {
        try (Started s = new Started(List.of())) {
            ProcessHandle child = s.child().orElseThrow();
            s.process.destroyForcibly();
            await().atMost(Duration.ofSeconds(60)).until(() -> !child.isAlive());
        }
    }

    @Test
    @DisplayName("X3: a JVM started with -XX:+ExitOnOutOfMemoryError already runs the server itself, with no second JVM")
    void alreadyProtectedRunsInProcess() throws Exception {
        try (Started s = new Started(List.of("-XX:+ExitOnOutOfMemoryError"))) {
            assertThat(s.child()).isEmpty();
            assertThat(get(s.port, "/health")).contains("up");
        }
    }

    /** A jar holding {@link OomAgent} with its {@code Premain-Class}. */
    static Path agentJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), OomAgent.class.getName());
        String entry = OomAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                InputStream in = OomAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
