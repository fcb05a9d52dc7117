package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.SocketPort;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import io.netty.channel.uring.IoUring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /ws} on its own port, on Netty ({@code --ws-io}, {@code --ws-port}): the same sockets as the HTTP port's
 * (the live tests run on it too), and what the port answers besides an upgrade. Each refusal is the HTTP port's
 * JSON error shape with the security headers, and opens nothing.
 */
class SocketPortTest {
    @TempDir
    Path dir;

    private TestServer server(String io, long readTimeoutMs) {
        return new TestServer(dir.resolve(io), new ManualClock(TestServer.T0),
                c -> c.withHttp(c.http().withSocketPort(new SocketPort(io, 0)).withReadTimeoutMs(readTimeoutMs)));
    }

    /** What a raw request to {@code port} gets: the status line and headers, then the body. */
    private record Answer(String head, String body) {
        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        String code() throws IOException {
            return Api.JSON.readTree(body).path("error").path("code").asText();
        }
    }

    private static Answer ask(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(s.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all); // every refusal closes the connection
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        return new Answer(text.substring(0, end), text.substring(end + 4));
    }

    @ParameterizedTest(name = "--ws-io {0}")
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    @DisplayName("each socket layer serves the protocol: a member joins on the socket port, and a subscriber there sees the join")
    void eachIoServes(String io) {
        if (io.equals("io_uring")) {
            assertThat(IoUring.isAvailable()).as("io_uring on this machine: %s", IoUring.unavailabilityCause()).isTrue();
        }
        try (TestServer t = server(io, 10_000)) {
            assertThat(t.server.socketPort()).isNotEqualTo(t.server.port());
            Guest ann = t.guest("Ann");
            String room = t.huddle(ann, "Port").get("id").asText();
            try (WsClient watcher = WsClient.connect(t.server.socketPort(), ann.token());
                    WsClient member = WsClient.connect(t.server.socketPort(), ann.token())) {
                watcher.send("type", "subscribe", "requestId", "s", "huddle", room);
                assertThat(watcher.reply("s").path("type").asText()).isEqualTo("snapshot");
                member.send("type", "join", "requestId", "j", "huddleId", room, "sessionId", "tab-1", "interval", 10_000);
                assertThat(member.reply("j").path("type").asText()).isEqualTo("joined");
                await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.changes(room).isEmpty());
            }
        }
    }

    @Test
    @DisplayName("the port serves only GET /ws upgrades: another path 404, POST 405, a GET that is no upgrade 426, all in the JSON "
            + "error shape with the security headers; a request head over 8 KiB 431; none opens a socket")
    void onlyUpgrades() throws IOException {
        try (TestServer t = server("auto", 10_000)) {
            int port = t.server.socketPort();
            Answer other = ask(port, "GET /api/huddles HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(other.status()).isEqualTo(404);
            assertThat(other.code()).isEqualTo("not_found");
            assertThat(other.head()).containsIgnoringCase("Content-Type: application/json").contains("X-Content-Type-Options: nosniff");
            Answer post = ask(port, "POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.code()).isEqualTo("method_not_allowed");
            Answer plain = ask(port, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(plain.status()).isEqualTo(426);
            assertThat(plain.code()).isEqualTo("upgrade_required");
            Answer big = ask(port, "GET /ws HTTP/1.1\r\nHost: x\r\nX-Filler: " + "f".repeat(9_000) + "\r\n\r\n");
            assertThat(big.status()).isEqualTo(431);
            assertThat(big.code()).isEqualTo("headers_too_large");
            assertThat(t.server.live().openSockets()).isZero();
        }
    }

    @Test
    @DisplayName("X7: a request head that never ends is answered 408 request_timeout and cut after the HTTP read timeout")
    void slowHeadIsCut() throws IOException {
        try (TestServer t = server("auto", 500);
                Socket s = new Socket("127.0.0.1", t.server.socketPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            Answer a = read(s.getInputStream());
            assertThat(a.status()).isEqualTo(408);
            assertThat(a.code()).isEqualTo("request_timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    @DisplayName("X2: a refused upgrade on the socket port is the HTTP port's: a forged token 401 invalid_token, a foreign Origin 403, "
            + "the user's sockets past the limit 429; the counts come back when sockets close, and a socket cut mid-handshake gives its slot back")
    void refusalsMatchTheHttpPort() throws Exception {
        try (TestServer t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withHttp(c.http().withSocketPort(new SocketPort("auto", 0)))
                .withLive(c.live().withMaxConnectionsPerUser(2)))) {
            int port = t.server.socketPort();
            Guest ann = t.guest("Ann");
            RawWsClient.Refused forged = refusal(() -> new RawWsClient(port, ann.token() + "x", 4_096));
            assertThat(forged.status).isEqualTo(401);
            RawWsClient.Refused origin = refusal(() -> new RawWsClient(port, ann.token(), 4_096, null, "Origin: https://evil.example\r\n"));
            assertThat(origin.status).isEqualTo(403);
            assertThat(Api.JSON.readTree(origin.body).path("error").path("code").asText()).isEqualTo("origin_not_allowed");
            try (RawWsClient a = new RawWsClient(port, ann.token(), 4_096); RawWsClient b = new RawWsClient(port, ann.token(), 4_096)) {
                RawWsClient.Refused third = refusal(() -> new RawWsClient(port, ann.token(), 4_096));
                assertThat(third.status).isEqualTo(429);
                assertThat(Api.JSON.readTree(third.body).path("error").path("code").asText()).isEqualTo("too_many_connections");
            }
            // An upgrade whose client goes away before the answer: its slot comes back.
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + ann.token()
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> t.server.live().openSockets() == 0);
            try (RawWsClient a = new RawWsClient(port, ann.token(), 4_096); RawWsClient b = new RawWsClient(port, ann.token(), 4_096)) {
                a.sendText("{\"type\":\"ping\",\"requestId\":\"p\"}");
                JsonNode reply = Api.JSON.readTree(a.readFrame().text());
                assertThat(reply.path("requestId").asText()).isEqualTo("p");
            }
        }
    }

    private static String upgrade(String extra) {
        return "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + extra + "\r\n";
    }

    @Test
    @DisplayName("X2: an upgrade that announces a body is refused 400 bad_request on both ports and holds no socket count "
            + "(Jetty answered it 101, dropped it unopened, and kept its anonymous and address counts for good)")
    void upgradeWithBodyHoldsNothing() throws IOException {
        try (TestServer t = server("auto", 10_000)) {
            for (int port : new int[] {t.server.port(), t.server.socketPort()}) {
                for (String body : new String[] {"Expect: 100-continue\r\nContent-Length: 5\r\n", "Content-Length: 100\r\n",
                        "Transfer-Encoding: chunked\r\n"}) {
                    Answer a = ask(port, upgrade("Sec-WebSocket-Version: 13\r\n" + body));
                    assertThat(a.status()).as("%s on port %d", body, port).isEqualTo(400);
                    assertThat(a.code()).isEqualTo("bad_request");
                }
            }
            assertThat(t.server.live().anonymousSockets()).isZero();
            assertThat(t.server.live().socketsOf("127.0.0.1")).isZero();
        }
    }

    @Test
    @DisplayName("X2: a second upgrade pipelined behind the first in one write is dropped: it is not admitted while the first is "
            + "checked, so it takes no counts that nothing gives back")
    void pipelinedUpgradeHoldsNothing() throws Exception {
        try (TestServer t = server("auto", 10_000)) {
            String one = upgrade("Sec-WebSocket-Version: 13\r\n");
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket("127.0.0.1", t.server.socketPort())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write((one + one).getBytes(StandardCharsets.US_ASCII));
                    byte[] head = new byte[12];
                    new java.io.DataInputStream(s.getInputStream()).readFully(head);
                    assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> t.server.live().anonymousSockets() == 0);
            assertThat(t.server.live().socketsOf("127.0.0.1")).isZero();
        }
    }

    @Test
    @DisplayName("the socket port speaks only RFC 6455: another Sec-WebSocket-Version (or none: hixie-76) is 426 unsupported_version "
            + "with Sec-WebSocket-Version: 13; no key, no Connection: Upgrade, HTTP/1.0 or two Hosts are 400 bad_request")
    void onlyVersion13() throws IOException {
        try (TestServer t = server("auto", 10_000)) {
            int port = t.server.socketPort();
            for (String v : new String[] {"Sec-WebSocket-Version: 8\r\n", "", "Sec-WebSocket-Version: x\r\n"}) {
                Answer a = ask(port, upgrade(v));
                assertThat(a.status()).as(v).isEqualTo(426);
                assertThat(a.code()).isEqualTo("unsupported_version");
                assertThat(a.head()).containsIgnoringCase("Sec-WebSocket-Version: 13");
            }
            String ok = upgrade("Sec-WebSocket-Version: 13\r\n");
            for (String bad : new String[] {ok.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
                    ok.replace("Connection: Upgrade\r\n", ""), ok.replace("HTTP/1.1", "HTTP/1.0"), ok.replace("Host: x\r\n", "Host: x\r\nHost: y\r\n")}) {
                Answer a = ask(port, bad);
                assertThat(a.status()).as(bad).isEqualTo(400);
                assertThat(a.code()).isEqualTo("bad_request");
            }
            assertThat(t.server.live().anonymousSockets()).isZero();
        }
    }

    @Test
    @DisplayName("the socket port closes as the HTTP port does: text that is not UTF-8 (split across fragments, or cut short) 1007, "
            + "a close frame with code 5000 1002 (not echoed)")
    void badTextAndCloseCodes() throws IOException {
        try (TestServer t = server("auto", 10_000)) {
            int port = t.server.socketPort();
            Guest ann = t.guest("Ann");
            try (RawWsClient c = new RawWsClient(port, ann.token(), 4_096)) {
                c.sendFrame(0x01, new byte[] {'{', '"', (byte) 0xc3}); // a text frame, not FIN, ending mid-character
                c.sendFrame(0x80, new byte[] {'(', '"', '}'}); // its continuation: not the character's second byte
                assertThat(c.readCloseCode()).isEqualTo(1007);
            }
            try (RawWsClient c = new RawWsClient(port, ann.token(), 4_096)) {
                c.sendFrame(0x81, new byte[] {'"', (byte) 0xe2, (byte) 0x82});
                assertThat(c.readCloseCode()).isEqualTo(1007);
            }
            try (RawWsClient c = new RawWsClient(port, ann.token(), 4_096)) {
                c.sendFrame(0x88, new byte[] {(byte) (5000 >> 8), (byte) (5000 & 0xff)});
                assertThat(c.readCloseCode()).isEqualTo(1002);
            }
        }
    }

    private interface Open {
        RawWsClient open() throws IOException;
    }

    private static RawWsClient.Refused refusal(Open open) {
        try (RawWsClient c = open.open()) {
            throw new AssertionError("the upgrade was accepted");
        } catch (RawWsClient.Refused r) {
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("--ws-io off (the default) opens no second port: socketPort() is the HTTP port, and /ws works there")
    void offByDefault() {
        try (TestServer t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withHttp(c.http().withSocketPort(SocketPort.OFF)))) {
            assertThat(t.server.socketPort()).isEqualTo(t.server.port());
            Guest ann = t.guest("Ann");
            try (WsClient c = WsClient.connect(t.server.socketPort(), ann.token())) {
                c.send("type", "subscribe", "requestId", "s", "huddle", t.huddle(ann, "x").get("id").asText());
                assertThat(c.reply("s").path("type").asText()).isEqualTo("snapshot");
            }
        }
    }
}
