package dev.huddle.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The React example (examples/react-huddle, built by Maven before the tests) served by {@code vite preview}
 * on a free loopback port, proxying {@code /api} and {@code /ws} to a Huddle Presence server, as its
 * README tells a developer to run it. Closing it stops the process.
 */
final class ExamplePreview implements AutoCloseable {
    private final Process process;
    private final Path log;
    final String base;

    ExamplePreview(String huddleServer) throws IOException {
        Path dir = Path.of(System.getProperty("huddle.example.dir", "../examples/react-huddle")).toAbsolutePath().normalize();
        Path vite = dir.resolve("node_modules/vite/bin/vite.js");
        if (!Files.isRegularFile(dir.resolve("dist/index.html")) || !Files.isRegularFile(vite)) {
            throw new IllegalStateException("the React example is not built in " + dir + ": run npm ci and npm run build there "
                    + "(Maven does it in huddle-e2e's generate-test-resources phase)");
        }
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        log = Files.createTempFile("vite-preview", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", vite.toString(), "preview", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--strictPort")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HUDDLE_SERVER", huddleServer);
        process = pb.start();
        // HTTP/1.1: Java's default asks to upgrade to h2c, which Node hands to its WebSocket proxy, where it hangs.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("vite preview exited with " + process.exitValue() + ":\n" + Files.readString(log));
                }
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
