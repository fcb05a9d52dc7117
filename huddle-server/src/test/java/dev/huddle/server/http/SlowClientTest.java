package dev.huddle.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * X7: a client slow to send its request head or body is cut after the read timeout, here 1 s, while the
 * idle timeout is a minute: a cut seen within the test's time can only be the read deadline. Time is
 * real here (Jetty's), so every wait is for a condition with a generous bound.
 */
@Timeout(120)
class SlowClientTest {
    static final long READ_TIMEOUT_MS = 1_000;

    @TempDir
    Path dir;
    TestServer t;
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() {
        t = new TestServer(dir, new ManualClock(TestServer.T0),
                c -> c.withHttp(c.http().withReadTimeoutMs(READ_TIMEOUT_MS).withIdleTimeoutMs(60_000)));
    }

    @AfterEach
    void stop() {
        ticks.shutdownNow();
        t.close();
    }

    /** A raw connection that sends a request a byte at a time and notices when the server closes it. */
    final class Slow implements AutoCloseable {
        final Socket socket;
        final byte[] request;
        final AtomicInteger sent = new AtomicInteger();
        final AtomicBoolean closedByServer = new AtomicBoolean();
        final ByteArrayOutputStream answer = new ByteArrayOutputStream();

        Slow(String request) throws IOException {
            this.socket = new Socket("127.0.0.1", t.server.port());
            this.request = request.getBytes(StandardCharsets.ISO_8859_1);
            Thread reader = new Thread(() -> {
                try (InputStream in = socket.getInputStream()) {
                    byte[] buf = new byte[1024];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (answer) {
                            answer.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // a reset is a close too
                }
                closedByServer.set(true);
            }, "slow-client-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Sends the first {@code n} bytes at once. */
        Slow sendNow(int n) throws IOException {
            socket.getOutputStream().write(request, 0, n);
            socket.getOutputStream().flush();
            sent.set(n);
            return this;
        }

        /** Sends the rest one byte per {@code everyMs}. */
        Slow dribble(long everyMs) {
            ticks.scheduleWithFixedDelay(() -> {
                int i = sent.get();
                if (i < request.length && !closedByServer.get()) {
                    try {
                        socket.getOutputStream().write(request[i]);
                        socket.getOutputStream().flush();
                        sent.incrementAndGet();
                    } catch (IOException e) {
                        closedByServer.set(true);
                    }
                }
            }, everyMs, everyMs, TimeUnit.MILLISECONDS);
            return this;
        }

        void awaitCutBeforeTheEnd() {
            await().atMost(Duration.ofSeconds(45)).untilTrue(closedByServer);
            assertThat(sent.get()).as("cut before the whole request arrived").isLessThan(request.length);
            synchronized (answer) {
                assertThat(answer.toString(StandardCharsets.ISO_8859_1)).as("no answer to a request never finished")
                        .doesNotContain("HTTP/1.1 200");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String longHead() {
        return "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(4_000) + "\r\n\r\n";
    }

    static String guestSignIn() {
        String body = "{\"displayName\":\"" + "S".repeat(60) + "\"}";
        return "POST /api/auth/guest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    @Test
    @DisplayName("slowloris: a head dribbled one byte every 250 ms (under the idle timeout each time) is cut")
    void headDribbled() throws IOException {
        try (Slow s = new Slow(longHead())) {
            s.dribble(250).awaitCutBeforeTheEnd();
        }
    }

    @Test
    @DisplayName("a connection that sends half a request line, then nothing, is cut; so is one that sends nothing")
    void headStalled() throws IOException {
        try (Slow half = new Slow(longHead()); Slow silent = new Slow(longHead())) {
            half.sendNow(10);
            half.awaitCutBeforeTheEnd();
            silent.awaitCutBeforeTheEnd();
        }
    }

    @Test
    @DisplayName("a body never finished (headers and 10 of its bytes, then silence) is cut")
    void bodyNeverFinished() throws IOException {
        String request = guestSignIn();
        try (Slow s = new Slow(request)) {
            s.sendNow(request.indexOf("\r\n\r\n") + 4 + 10).awaitCutBeforeTheEnd();
        }
    }

    @Test
    @DisplayName("a body dribbled one byte every 250 ms is cut")
    void bodyDribbled() throws IOException {
        String request = guestSignIn();
        try (Slow s = new Slow(request)) {
            s.sendNow(request.indexOf("\r\n\r\n") + 4 + 1).dribble(250).awaitCutBeforeTheEnd();
        }
    }

    @Test
    @DisplayName("a request still in flight when the shutdown timeout runs out is cut, and the stop still ends: nothing listens after it")
    void stopOutlastedByARequest() throws IOException {
        t.close();
        t = new TestServer(dir, new ManualClock(TestServer.T0),
                c -> c.withHttp(c.http().withReadTimeoutMs(60_000).withIdleTimeoutMs(60_000).withShutdownTimeoutMs(300)));
        int port = t.server.port();
        String request = guestSignIn();
        try (Slow s = new Slow(request)) {
            s.sendNow(request.indexOf("\r\n\r\n") + 4 + 10);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> t.server.metrics().scrape().contains("huddle_http_requests_in_flight 1.0"));
            long started = System.nanoTime();
            t.close(); // threw Jetty's TimeoutException before, leaving the engine and the database open
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the stop waits for the timeout, not for the client")
                    .isLessThan(Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(30)).untilTrue(s.closedByServer);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("nothing listens after the stop")
                .isInstanceOf(ConnectException.class);
    }

    @Test
    @DisplayName("flood: 24 bodies that never finish hold every thread of a 16-thread pool for 3 s; an idle socket stays open through it and answers once the pool is free")
    void busyPoolLeavesIdleSocketsAlone() throws IOException {
        t.close();
        t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withHttp(c.http().withReadTimeoutMs(60_000)
                .withIdleTimeoutMs(60_000).withMaxThreads(16).withoutGuestSignInLimits()));
        String request = guestSignIn();
        List<Slow> held = new ArrayList<>();
        try (WsClient ws = WsClient.connect(t.server.socketPort(), null)) {
            for (int i = 0; i < 24; i++) {
                held.add(new Slow(request).sendNow(request.indexOf("\r\n\r\n") + 4 + 10));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> t.server.metrics().scrape()
                    .matches("(?s).*huddle_http_requests_in_flight (1[2-9]|2[0-9])\\.0.*"));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> !ws.isClosed());
            for (Slow s : held) {
                s.close();
            }
            ws.send("type", "ping", "requestId", "p");
            assertThat(ws.reply("p")).as("the socket still answers once the pool is free").isNotNull();
        } finally {
            for (Slow s : held) {
                s.close();
            }
        }
    }

    @Test
    @DisplayName("prompt clients and WebSockets are untouched: a keep-alive connection serves again, a socket outlives the timeout")
    void promptClientsAreUntouched() throws IOException {
        try (Slow cut = new Slow(longHead())) {
            cut.awaitCutBeforeTheEnd();
        }
        Api.Response first = t.api.get("/health", (String) null);
        Api.Response second = t.api.get("/health", (String) null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        try (WsClient ws = WsClient.connect(t.server.socketPort(), null)) {
            await().during(Duration.ofMillis(3 * READ_TIMEOUT_MS)).atMost(Duration.ofSeconds(30)).until(() -> !ws.isClosed());
            ws.send("type", "ping", "requestId", "p");
            assertThat(ws.reply("p")).isNotNull();
        }
        assertThat(t.server.metrics().scrape()).containsPattern("huddle_http_slow_requests_cut_total [1-9]");
    }
}
