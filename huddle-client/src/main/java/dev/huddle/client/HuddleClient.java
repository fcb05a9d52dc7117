package dev.huddle.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
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
     * is parsed once. Read-only, published through the array's volatile slots.
     */
    private final AtomicReferenceArray<Parsed> messages = new AtomicReferenceArray<>(1 << 12);
    /**
     * Recently reached room states by room, epoch and seq. A room's content at a seq of an epoch is one
     * thing (P11: the snapshot at seq n equals changes 1..n applied), so the sockets of this client in
     * one room converge on one instance: the first applies a change or reads a snapshot, the others
     * look it up. A direct-mapped table: a collision only costs a missed share.
     */
    private final AtomicReferenceArray<Reached> states = new AtomicReferenceArray<>(1 << 12);

    private record Parsed(String text, Message message) {
    }

    private record Reached(String room, RoomState state) {
    }

    /**
     * A server message, parsed. {@code changes} is set for {@code change} (one) and {@code changes}
     * frames, {@code snapshot} for snapshots (the room as of its seq, S1); {@code tree} for the rest.
     */
    record Message(String type, String room, JsonNode tree, List<RoomState.Change> changes, RoomState snapshot) {
    }

    private HuddleClient(URI base, Executor callbacks) {
        this.base = base;
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (callbacks != null) {
            hb.executor(callbacks);
        }
        this.http = hb.build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "huddle-client-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    /** A client for the server at {@code base}, e.g. {@code http://localhost:8080/}. */
    public static HuddleClient create(URI base) {
        return new HuddleClient(base, null);
    }

    /**
     * A client whose socket events, listener calls included, run on {@code callbacks} (the JDK
     * HttpClient's executor). {@code Runnable::run} runs them on the client's I/O thread: no hand-off
     * per message, which is what lets one JVM hold thousands of busy sockets (the load tool). A listener
     * must then never block, nor call this client's blocking methods (sign-in, huddle calls): that
     * would stall every socket of the client.
     */
    public static HuddleClient create(URI base, Executor callbacks) {
        return new HuddleClient(base, Objects.requireNonNull(callbacks, "callbacks"));
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
        return huddle(call("POST", "/api/huddles/" + huddleId + "/join", who, Map.of("role", role)));
    }

    /** Opens a socket for one huddle and starts it (subscribe, and join unless read-only). */
    public RoomConnection connect(Identity who, String huddleId, RoomConnection.Options options, RoomListener listener) {
        RoomConnection c = new RoomConnection(this, who, huddleId, options, listener);
        c.start();
        return c;
    }

    /**
     * The message {@code text}, parsed; never modify it. Room changes are shared with other sockets that
     * got the same text lately: they are the messages a server fans out, byte for byte (replies and
     * snapshots carry a socket's own requestId and would only fill the table). A snapshot of a room state
     * some socket of this client already holds is not read past its header.
     */
    Message parse(String text) throws IOException {
        if (text.startsWith("{\"type\":\"snapshot\"")) {
            return snapshot(text);
        }
        if (!text.startsWith("{\"type\":\"change")) {
            return message(json.readTree(text)); // any other message, or one laid out differently
        }
        int h = text.hashCode();
        int i = (h ^ (h >>> 16)) & (messages.length() - 1);
        Parsed seen = messages.get(i);
        if (seen != null && seen.text().equals(text)) {
            return seen.message();
        }
        Message m = message(json.readTree(text));
        messages.set(i, new Parsed(text, m));
        return m;
    }

    /** A message from its tree: changes and snapshots made ready to apply, the rest kept as the tree. */
    private Message message(JsonNode tree) {
        String type = tree.path("type").asText();
        String room = tree.path("room").asText(null);
        switch (type) {
            case "change", "changes" -> {
                List<RoomState.Change> changes = new ArrayList<>();
                if ("change".equals(type)) {
                    changes.add(change(tree));
                } else {
                    tree.path("changes").forEach(c -> changes.add(change(c)));
                }
                return new Message(type, room, null, List.copyOf(changes), null);
            }
            case "snapshot" -> {
                List<Participant> entries = new ArrayList<>();
                tree.path("entries").forEach(e -> entries.add(participant(e)));
                return new Message(type, room, null, null,
                        reach(room, RoomState.of(tree.path("epoch").asText(null), tree.path("seq").asLong(), entries)));
            }
            default -> {
                return new Message(type, room, tree, null, null);
            }
        }
    }

    /**
     * A snapshot, read as a stream: its header first, then its entries unless that state is known here.
     * A resync (no {@code requestId}: the server found the socket behind, or the store lost its data) is
     * always read in full, so a state this client holds can never stand in for what the server now says.
     */
    private Message snapshot(String text) throws IOException {
        String room = null;
        String epoch = null;
        long seq = -1;
        boolean reply = false;
        List<Participant> entries = null;
        try (JsonParser p = json.createParser(text)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "requestId" -> {
                        reply = true;
                        p.skipChildren();
                    }
                    case "room" -> room = p.getValueAsString();
                    case "epoch" -> epoch = p.getValueAsString();
                    case "seq" -> seq = p.getValueAsLong();
                    case "entries" -> {
                        RoomState known = reply ? reached(room, epoch, seq) : null;
                        if (known != null) {
                            // A state some socket here holds: the rest is those same entries, unread.
                            return new Message("snapshot", room, null, null, known);
                        }
                        entries = new ArrayList<>();
                        for (JsonNode e : (JsonNode) json.readTree(p)) {
                            entries.add(participant(e));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        return new Message("snapshot", room, null, null, reach(room, RoomState.of(epoch, seq, entries == null ? List.of() : entries)));
    }

    /** {@code state} with {@code c} applied, shared with the sockets of this client that reached the same state. */
    RoomState advance(String room, RoomState state, RoomState.Change c) {
        if (room == null || !state.synced() || state.gap() || c.seq() != state.seq() + 1) {
            return state.withChange(c);
        }
        RoomState known = reached(room, state.epoch(), c.seq());
        return known != null ? known : reach(room, state.withChange(c));
    }

    private RoomState reached(String room, String epoch, long seq) {
        if (room == null || epoch == null) {
            return null;
        }
        Reached r = states.get(stateSlot(room, epoch, seq));
        return r != null && r.state().seq() == seq && epoch.equals(r.state().epoch()) && room.equals(r.room()) ? r.state() : null;
    }

    private RoomState reach(String room, RoomState state) {
        if (room != null && state.epoch() != null && state.synced() && !state.gap()) {
            states.set(stateSlot(room, state.epoch(), state.seq()), new Reached(room, state));
        }
        return state;
    }

    private int stateSlot(String room, String epoch, long seq) {
        int h = (room.hashCode() * 31 + epoch.hashCode()) * 31 + Long.hashCode(seq);
        return (h ^ (h >>> 16)) & (states.length() - 1);
    }

    private RoomState.Change change(JsonNode m) {
        return new RoomState.Change(m.path("seq").asLong(), m.path("kind").asText(), participant(m.path("entry")));
    }

    private Participant participant(JsonNode e) {
        JsonNode d = e.path("data");
        return shared(new Participant(e.path("userId").asText(), e.path("online").asBoolean(), e.path("lastDisconnected").asLong(),
                d.path("displayName").asText(null), d.path("avatarUrl").isNull() ? null : d.path("avatarUrl").asText(null),
                d.path("role").asText(null), d.path("isSpeaking").asBoolean(false), d.path("isRecording").asBoolean(false)));
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
