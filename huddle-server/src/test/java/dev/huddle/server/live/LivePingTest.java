package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Regression (review): the server answers a client's ping with a pong carrying the same payload (RFC 6455). */
class LivePingTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("T1: a client's ping gets a pong, so clients and proxies with ping keepalives keep the socket")
    void clientPingGetsPong() {
        try (TestServer t = new TestServer(dir)) {
            Guest ann = t.guest("Ann");
            AtomicReference<String> pong = new AtomicReference<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + ann.token())
                    .buildAsync(URI.create("ws://127.0.0.1:" + t.server.socketPort() + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
                            pong.set(StandardCharsets.UTF_8.decode(message).toString());
                            w.request(1);
                            return null;
                        }
                    }).join();
            ws.sendPing(ByteBuffer.wrap("are-you-there".getBytes(StandardCharsets.UTF_8))).join();
            await().atMost(Duration.ofSeconds(5)).until(() -> "are-you-there".equals(pong.get()));
            ws.abort();
        }
    }

    @Test
    @Timeout(60)
    @DisplayName("A socket that sends nothing, not even pongs, for three ping intervals (at least 30 s) is closed with 1001; one that answers stays")
    void silentSocketIsClosed() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withPingIntervalMs(100))) {
            Guest ann = f.guest("Ann");
            Guest bob = f.guest("Bob");
            WsClient answering = f.connect(bob); // Java's client answers every ping
            try (RawWsClient silent = new RawWsClient(f.t.server.socketPort(), ann.token(), 64 * 1024)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> f.t.server.live().openSockets() == 2); // both opened
                f.clock().advance(20_000);
                long pongs = f.t.server.live().pongsReceived();
                await().atMost(Duration.ofSeconds(5)).until(() -> f.t.server.live().pongsReceived() >= pongs + 2); // Bob's, after the 20 s
                f.clock().advance(11_000); // 31 s since the silent socket opened, 11 s since Bob's pongs

                assertThat(silent.readCloseCode()).isEqualTo(1001);
                // The silent client never answers the close: the server cuts it CLOSE_GRACE_MS after sending it, a
                // moment before this client read it (5 s after the read raced that cut on a loaded machine).
                await().atMost(Duration.ofMillis(LiveConnection.CLOSE_GRACE_MS + 5_000)).until(() -> f.t.server.live().openSockets() == 1);
                assertThat(answering.isClosed()).isFalse();
            }
        }
    }
}
