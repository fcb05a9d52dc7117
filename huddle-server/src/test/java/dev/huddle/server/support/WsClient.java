package dev.huddle.server.support;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests (the JDK's, which answers pings by itself): sends JSON messages,
 * records every message received and the close code, and can go silent by never reading again.
 */
public final class WsClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final boolean reading;
    private WebSocket ws;
    // Guarded by this: while paused, the listener asks for no more frames (pings included, so no pongs).
    private boolean paused;
    private boolean demandHeld;

    private WsClient(boolean reading) {
        this.reading = reading;
    }

    /** Connects to {@code /ws} with a bearer token (or none) and extra headers. */
    public static WsClient connect(int port, String token, Map<String, String> headers) {
        return connect(port, "/ws", token, headers, true);
    }

    public static WsClient connect(int port, String token) {
        return connect(port, token, Map.of());
    }

    /** A client that reads nothing after the upgrade: it neither sees messages nor answers pings. */
    public static WsClient connectNotReading(int port, String token) {
        return connect(port, "/ws", token, Map.of(), false);
    }

    public static WsClient connect(int port, String path, String token, Map<String, String> headers, boolean reading) {
        WsClient c = new WsClient(reading);
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + path), c.new Listener()).join();
        return c;
    }

    /** Sends a JSON message built from alternating keys and values. */
    public WsClient send(Object... kv) {
        ObjectNode o = Api.JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            o.set((String) kv[i], Api.JSON.valueToTree(kv[i + 1]));
        }
        return sendRaw(o.toString());
    }

    public WsClient sendRaw(String text) {
        ws.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    /** Sends one text message in several frames, one per part. */
    public WsClient sendFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            ws.sendText(parts[i], i == parts.length - 1).orTimeout(5, TimeUnit.SECONDS).join();
        }
        return this;
    }

    public WsClient sendBinary(byte[] bytes) {
        ws.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    /** Every frame received so far as sent: a {@code changes} batch is one frame here. */
    public List<JsonNode> frames() {
        return new ArrayList<>(frames);
    }

    /** Every message received so far, in order; the changes of a batch count as messages of their own. */
    public List<JsonNode> received() {
        return new ArrayList<>(received);
    }

    /** Messages of one type, in order. */
    public List<JsonNode> ofType(String type) {
        return received.stream().filter(m -> type.equals(m.path("type").asText())).toList();
    }

    /** Changes seen for {@code room}, in order. */
    public List<JsonNode> changes(String room) {
        return received.stream().filter(m -> "change".equals(m.path("type").asText())
                && room.equals(m.path("room").asText())).toList();
    }

    /** Waits up to 10 s for a message matching {@code p} and returns the first such. */
    public JsonNode await(Predicate<JsonNode> p) {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> received.stream().filter(p).findFirst().orElse(null), m -> m != null);
    }

    /** Waits for the reply (any type) carrying {@code requestId}. */
    public JsonNode reply(String requestId) {
        return await(m -> requestId.equals(m.path("requestId").asText(null)));
    }

    /** Waits for the socket to be closed by the server; returns the close code. */
    public int awaitClose() {
        return closed.orTimeout(10, TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /**
     * Stops reading: the frame in hand is the last one this client takes, so it answers no more pings
     * and the server hears nothing from it, as from a frozen peer, until {@link #resume}.
     */
    public synchronized void pause() {
        paused = true;
    }

    /** Reads again: pings waiting meanwhile are answered, messages waiting are received. */
    public void resume() {
        boolean request;
        synchronized (this) {
            paused = false;
            request = demandHeld;
            demandHeld = false;
        }
        if (request) {
            ws.request(1);
        }
    }

    /** Asks for the next frame, unless paused (then {@link #resume} asks). */
    private void next(WebSocket webSocket) {
        synchronized (this) {
            if (paused) {
                demandHeld = true;
                return;
            }
        }
        webSocket.request(1);
    }

    /** Cuts the connection without a close frame (a network drop). */
    public void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).join();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            if (reading) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode m = Api.JSON.readTree(partial.toString());
                    frames.add(m);
                    if ("changes".equals(m.path("type").asText())) {
                        m.path("changes").forEach(received::add); // a batch: its changes, as if sent alone
                    } else {
                        received.add(m);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            next(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
            next(webSocket); // the pong itself is sent by the client library
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
