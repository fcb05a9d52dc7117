package dev.huddle.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The entry point: one shared {@link HttpClient} (and one small scheduler for reconnects) for any
 * number of sign-ins and sockets, so thousands of sessions fit in one JVM. Thread-safe.
 */
public final class HuddleClient implements AutoCloseable {
    final URI base;
    final HttpClient http;
    final ObjectMapper json = new ObjectMapper();
    final ScheduledExecutorService scheduler;
    /**
     * Equal participants parsed by different sockets share one instance: a room seen through many
     * connections of this client is held about once, not once per connection (with 10 000 sockets in
     * rooms of 100, a million participants shrink to the few thousand distinct ones). A direct-mapped
     * table: a collision only costs a missed share. Participants are immutable, so the races are benign.
     */
    private final Participant[] participants = new Participant[1 << 16];
    /**
     * Recently parsed server messages by their text: a change fanned out to many sockets of this client
     * is parsed once. Read-only trees, published through the array's volatile slots.
     */
    private final AtomicReferenceArray<Parsed> messages = new AtomicReferenceArray<>(1 << 12);

    private record Parsed(String text, JsonNode tree) {
    }

    private HuddleClient(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "huddle-client-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    /** A client for the server at {@code base}, e.g. {@code http://localhost:8080/}. */
    public static HuddleClient create(URI base) {
        return new HuddleClient(base);
    }

    /** Signs in as a guest (POST /api/auth/guest). */
    public Identity signInGuest(String displayName) {
        JsonNode r = call("POST", "/api/auth/guest", null, Map.of("displayName", displayName));
        return new Identity(r.get("userId").asText(), r.get("token").asText());
    }

    /** Creates a huddle; the caller becomes a participant. */
    public HuddleInfo createHuddle(Identity who, String title) {
        return huddle(call("POST", "/api/huddles", who, Map.of("title", title)));
    }

    /** Opens a huddle by id (registering the caller as an observer if new, H3) or by slug (read-only, H4). */
    public HuddleInfo openHuddle(Identity who, String idOrSlug) {
        return huddle(call("GET", "/api/huddles/" + URLEncoder.encode(idOrSlug, StandardCharsets.UTF_8), who, null));
    }

    /** Joins a huddle as {@code participant} or {@code observer}, or changes the caller's role. */
    public HuddleInfo joinHuddle(Identity who, String huddleId, String role) {
        call("POST", "/api/huddles/" + huddleId + "/join", who, Map.of("role", role));
        return openHuddle(who, huddleId);
    }

    /** Opens a socket for one huddle and starts it (subscribe, and join unless read-only). */
    public RoomConnection connect(Identity who, String huddleId, RoomConnection.Options options, RoomListener listener) {
        RoomConnection c = new RoomConnection(this, who, huddleId, options, listener);
        c.start();
        return c;
    }

    /**
     * The message {@code text} as a tree, shared with other sockets that got the same text lately; never
     * modify it. Only room changes are shared: they are the messages a server fans out, byte for byte,
     * while replies and snapshots carry a socket's own requestId and would only fill the table.
     */
    JsonNode parse(String text) throws IOException {
        if (!text.startsWith("{\"type\":\"change")) {
            return json.readTree(text);
        }
        int h = text.hashCode();
        int i = (h ^ (h >>> 16)) & (messages.length() - 1);
        Parsed seen = messages.get(i);
        if (seen != null && seen.text().equals(text)) {
            return seen.tree();
        }
        JsonNode tree = json.readTree(text);
        messages.set(i, new Parsed(text, tree));
        return tree;
    }

    /** The shared instance equal to {@code p} if one was seen lately, else {@code p}, now the shared one. */
    Participant shared(Participant p) {
        int h = p.hashCode();
        int i = (h ^ (h >>> 16)) & (participants.length - 1);
        Participant seen = participants[i];
        if (p.equals(seen)) {
            return seen;
        }
        participants[i] = p;
        return p;
    }

    URI webSocketUri() {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getAuthority() + "/ws");
    }

    private static HuddleInfo huddle(JsonNode h) {
        return new HuddleInfo(h.path("id").asText(null), h.path("slug").asText(null), h.path("title").asText(null),
                h.path("role").asText(null), h.path("readOnly").asBoolean(false));
    }

    private JsonNode call(String method, String path, Identity who, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
            if (who != null) {
                b.header("Authorization", "Bearer " + who.token());
            }
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode node = r.body().length == 0 ? json.createObjectNode() : json.readTree(r.body());
            if (r.statusCode() >= 400) {
                JsonNode e = node.path("error");
                throw new HuddleApiException(r.statusCode(), e.path("code").asText("http_" + r.statusCode()),
                        e.path("message").asText(""));
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the reconnect scheduler; open connections should be closed first. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
