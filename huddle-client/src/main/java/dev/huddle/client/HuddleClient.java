package dev.huddle.client;

import com.fasterxml.jackson.core.JsonParseException;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * The entry point: one shared {@link HttpClient} for the HTTP API, one shared WebSocket client (Jetty's
 * core client, with one I/O selector and pools of daemon threads) and one small scheduler for reconnects, for any
 * number of sign-ins and sockets, so thousands of sessions fit in one JVM. Thread-safe.
 */
public final class HuddleClient implements AutoCloseable {
    private static final byte[] SNAPSHOT = "{\"type\":\"snapshot\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHANGE = "{\"type\":\"change".getBytes(StandardCharsets.US_ASCII);
    final URI base;
    /** Where the sockets connect: {@code base}'s {@code /ws}, or the URL given to {@link #create(URI, URI)}. */
    private final URI webSocket;
    final HttpClient http;
    /**
     * The sockets' client. It hands each frame over as bytes: the JDK's WebSocket decodes every text
     * frame to a String first, byte by byte (its read buffers are read-only, which sends the decoder down
     * its slow path), and with thousands of sockets receiving the same frames that decoding was most of
     * the client's work. Here a frame seen lately is recognised by its bytes and never decoded again.
     */
    final WebSocketCoreClient sockets;
    /**
     * Each socket's settings: no idle timeout, as with the JDK's WebSocket (the server pings and ends
     * what goes quiet, T1); 16 KB reads, which took a burst of big snapshots in fewer reads than 2 KB.
     */
    final Configuration.ConfigurationCustomizer socketSettings = new Configuration.ConfigurationCustomizer();
    final ObjectMapper json = new ObjectMapper();
    final ScheduledExecutorService scheduler;
    /**
     * Equal participants parsed by different sockets share one instance: a room seen through many
     * connections of this client is held about once, not once per connection (with 10 000 sockets in
     * rooms of 100, a million participants shrink to the few thousand distinct ones). A direct-mapped
     * table: a collision only costs a missed share. Participants are immutable, so the races are benign.
     */
    private final Participant[] participants = new Participant[1 << 16];
    /** Snapshots' entries, read on what this client read of the same rooms before. */
    private final SnapshotReader snapshots = new SnapshotReader(json, this::participant);
    /**
     * Recently parsed server messages by their bytes: a change fanned out to many sockets of this client
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
    /**
     * The last state reached of each room (direct-mapped by room): a snapshot is built on it, sharing
     * every entry that did not change. In a join burst every joiner's snapshot has a seq of its own, and
     * each built from scratch held a whole room; the states table kept thousands of them alive.
     */
    private final AtomicReferenceArray<Reached> latest = new AtomicReferenceArray<>(1 << 10);

    private record Parsed(ByteBuffer bytes, Message message) {
    }

    private record Reached(String room, RoomState state) {
    }

    /**
     * A server message, parsed. {@code changes} is set for {@code change} (one) and {@code changes}
     * frames, {@code snapshot} for snapshots (the room as of its seq, S1); {@code tree} for the rest.
     */
    record Message(String type, String room, JsonNode tree, List<RoomState.Change> changes, RoomState snapshot) {
    }

    private HuddleClient(URI base, URI webSocket) {
        this.base = base;
        this.webSocket = webSocket != null ? webSocket
                : URI.create(("https".equals(base.getScheme()) ? "wss" : "ws") + "://" + base.getAuthority() + "/ws");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        // Daemon threads, as the JDK's: a client left open does not keep its JVM alive.
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("huddle-client-ws");
        pool.setDaemon(true);
        org.eclipse.jetty.client.HttpClient upgrades = new org.eclipse.jetty.client.HttpClient();
        upgrades.setExecutor(pool);
        upgrades.setScheduler(new ScheduledExecutorScheduler("huddle-client-ws-timer", true));
        upgrades.setConnectTimeout(10_000);
        // Thousands of sockets may be opened at once: they queue for their handshakes rather than fail.
        upgrades.setMaxRequestsQueuedPerDestination(1 << 16);
        this.sockets = new WebSocketCoreClient(upgrades, null);
        // The WebSocket layer's own pool (it shares the HTTP client's buffers): daemon threads too. Given the
        // HTTP client's pool instead, the load tests lost a goodbye now and then (cause not found), so it keeps its own.
        if (sockets.getWebSocketComponents().getExecutor() instanceof QueuedThreadPool own) {
            own.setName("huddle-client-ws-frames");
            own.setDaemon(true);
        }
        socketSettings.setIdleTimeout(Duration.ZERO);
        socketSettings.setInputBufferSize(16 * 1024);
        try {
            sockets.start();
        } catch (Exception e) {
            throw new IllegalStateException("the WebSocket client did not start", e);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "huddle-client-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A client for the server at {@code base}, e.g. {@code http://localhost:8080/}. Socket events and
     * listener calls run on the client's I/O threads: a listener must never block, nor call this
     * client's blocking methods (sign-in, huddle calls), or it stalls the sockets behind it.
     */
    public static HuddleClient create(URI base) {
        return new HuddleClient(base, null);
    }

    /**
     * A client for the server at {@code base} whose sockets connect to {@code webSocket} instead of
     * {@code base}'s {@code /ws}, e.g. {@code ws://localhost:8081/ws}: the server's second listener for
     * {@code /ws} ({@code --ws-port}). Null: {@code base}'s {@code /ws}, as {@link #create(URI)}.
     */
    public static HuddleClient create(URI base, URI webSocket) {
        return new HuddleClient(base, webSocket);
    }

    /** Signs in as a guest (POST /api/auth/guest). */
    public Identity signInGuest(String displayName) {
        JsonNode r = call("POST", "/api/auth/guest", null, Map.of("displayName", displayName));
        return new Identity(r.get("userId").asText(), r.get("token").asText());
    }

    /** Creates a huddle; the caller becomes its first host (H9). */
    public HuddleInfo createHuddle(Identity who, String title) {
        return huddle(call("POST", "/api/huddles", who, Map.of("title", title)));
    }

    /**
     * Opens a huddle as the huddle page does: reads it by id or slug, and when signed in registers the
     * caller as an observer unless already a member (H3, {@code POST /api/huddles/{id}/open}). Without
     * an identity (null) it is a read-only view by slug (H4).
     */
    public HuddleInfo openHuddle(Identity who, String idOrSlug) {
        if (who == null) {
            return viewHuddle(null, idOrSlug);
        }
        String id;
        try {
            HuddleInfo seen = viewHuddle(who, idOrSlug);
            if (seen.role() != null && !seen.readOnly()) {
                return seen;
            }
            id = seen.id();
        } catch (HuddleApiException e) {
            if (!"not_a_member".equals(e.code())) {
                throw e;
            }
            id = idOrSlug; // by id, where only members may read: it is the canonical id
        }
        return huddle(call("POST", "/api/huddles/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/open", who, null));
    }

    /** Reads a huddle without joining it: by id for members, by slug read-only for anyone allowed (H4). */
    public HuddleInfo viewHuddle(Identity who, String idOrSlug) {
        return huddle(call("GET", "/api/huddles/" + URLEncoder.encode(idOrSlug, StandardCharsets.UTF_8), who, null));
    }

    /** Joins a huddle as {@code participant} or {@code observer} (or {@code host}, with an invite), or changes the caller's role. */
    public HuddleInfo joinHuddle(Identity who, String huddleId, String role) {
        return huddle(call("POST", "/api/huddles/" + huddleId + "/join", who, Map.of("role", role)));
    }

    /** Opens a socket for one huddle and starts it (subscribe, and join unless read-only). */
    public RoomConnection connect(Identity who, String huddleId, RoomConnection.Options options, RoomListener listener) {
        RoomConnection c = new RoomConnection(this, who, huddleId, options, listener);
        c.start();
        return c;
    }

    /** {@link #parse(ByteBuffer)} of a message's text. */
    Message parse(String text) throws IOException {
        return parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The message in {@code utf8} (its remaining bytes, left untouched), parsed; never modify it. Room
     * changes are shared with other sockets that got the same bytes lately: they are the messages a
     * server fans out, byte for byte (replies and snapshots carry a socket's own requestId and would only
     * fill the table). A snapshot of a room state some socket of this client already holds is not read
     * past its header. Bytes that are not UTF-8 JSON fail with the parser's exception.
     */
    Message parse(ByteBuffer utf8) throws IOException {
        if (startsWith(utf8, SNAPSHOT)) {
            return snapshot(utf8);
        }
        if (!startsWith(utf8, CHANGE)) {
            return message(readTree(utf8)); // any other message, or one laid out differently
        }
        int h = sampleHash(utf8);
        int i = (h ^ (h >>> 16)) & (messages.length() - 1);
        Parsed seen = messages.get(i);
        if (seen != null && seen.bytes().equals(utf8)) {
            return seen.message();
        }
        ByteBuffer copy = ByteBuffer.wrap(bytes(utf8));
        Message m = message(json.readTree(copy.array()));
        messages.set(i, new Parsed(copy, m));
        return m;
    }

    private static boolean startsWith(ByteBuffer b, byte[] prefix) {
        return b.remaining() >= prefix.length && b.slice(b.position(), prefix.length).equals(ByteBuffer.wrap(prefix));
    }

    /**
     * A hash of a frame's length, its head and its tail: enough to tell apart the frames of a room (the
     * head holds the first seq), and cheap whatever the frame's size. Equal hashes are then compared
     * byte for byte, so a collision only costs a missed share.
     */
    private static int sampleHash(ByteBuffer b) {
        int from = b.position();
        int to = b.limit();
        int h = to - from;
        for (int i = from, end = Math.min(to, from + 96); i < end; i++) {
            h = 31 * h + b.get(i);
        }
        for (int i = Math.max(from + 96, to - 32); i < to; i++) {
            h = 31 * h + b.get(i);
        }
        return h;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(b.position(), a);
        return a;
    }

    private JsonNode readTree(ByteBuffer b) throws IOException {
        return b.hasArray() ? json.readTree(b.array(), b.arrayOffset() + b.position(), b.remaining()) : json.readTree(bytes(b));
    }

    /** A message from its tree: changes and snapshots made ready to apply, the rest kept as the tree. */
    private Message message(JsonNode tree) throws JsonParseException {
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
                JsonNode listed = tree.path("entries");
                if (!listed.isMissingNode() && !listed.isArray()) {
                    throw new JsonParseException(null, "a snapshot's entries must be an array");
                }
                List<Participant> entries = new ArrayList<>();
                for (JsonNode e : listed) {
                    if (!e.isObject()) {
                        throw new JsonParseException(null, "a snapshot's entries must be objects");
                    }
                    entries.add(participant(e));
                }
                return new Message(type, room, null, null,
                        reach(room, RoomState.of(tree.path("epoch").asText(null), tree.path("seq").asLong(), entries, latest(room))));
            }
            default -> {
                return new Message(type, room, tree, null, null);
            }
        }
    }

    /**
     * A snapshot, read as a stream: its header first, then its entries unless that state is known here.
     * A resync (no {@code requestId}: the server found the socket behind, or the store lost its data) is
     * always read, so a state this client holds can never stand in for what the server now says.
     */
    private Message snapshot(ByteBuffer utf8) throws IOException {
        String room = null;
        String epoch = null;
        long seq = -1;
        boolean reply = false;
        byte[] a = utf8.hasArray() ? utf8.array() : bytes(utf8);
        int start = utf8.hasArray() ? utf8.arrayOffset() + utf8.position() : 0;
        int limit = start + utf8.remaining();
        try (JsonParser p = json.createParser(a, start, utf8.remaining())) {
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
                        if (!p.isExpectedStartArrayToken()) {
                            throw new JsonParseException(p, "a snapshot's entries must be an array");
                        }
                        if (room == null || seq < 0) {
                            return message(readTree(utf8)); // laid out otherwise: read as a tree
                        }
                        RoomState known = reply ? reached(room, epoch, seq) : null;
                        if (known != null) {
                            // A state some socket here holds: the rest is those same entries, unread.
                            return new Message("snapshot", room, null, null, known);
                        }
                        int open = start + (int) p.currentTokenLocation().getByteOffset();
                        SnapshotReader.Read read = snapshots.read(p, room, epoch, seq, a, open, limit, latest(room));
                        int rest = SnapshotReader.space(a, read.end(), limit);
                        if (rest >= limit || a[rest] != '}' || SnapshotReader.space(a, rest + 1, limit) != limit) {
                            return message(readTree(utf8)); // fields after the entries: read as a tree
                        }
                        return snapshot(room, reply, read.state());
                    }
                    default -> p.skipChildren();
                }
            }
        }
        return snapshot(room, reply, RoomState.of(epoch, seq, List.of(), latest(room)));
    }

    /** A snapshot read: a reply joins whatever another socket here reached meanwhile; a resync replaces it (what the server says now). */
    private Message snapshot(String room, boolean reply, RoomState read) {
        return new Message("snapshot", room, null, null, reply ? share(room, read) : reach(room, read));
    }

    /** {@code state} with {@code c} applied, shared with the sockets of this client that reached the same state. */
    RoomState advance(String room, RoomState state, RoomState.Change c) {
        if (room == null || state.epoch() == null || !state.synced() || state.gap() || c.seq() != state.seq() + 1) {
            return state.withChange(c);
        }
        RoomState known = reached(room, state.epoch(), c.seq());
        if (known != null) {
            return known;
        }
        return share(room, state.withChange(c));
    }

    /**
     * Publishes {@code state} unless a state of the same room, epoch and seq is there already, and returns
     * the one published. Sockets on different I/O threads may reach the same state at once: the first
     * to publish wins and the others take its instance, so they still converge on one.
     */
    private RoomState share(String room, RoomState state) {
        if (room == null || state.epoch() == null || !state.synced() || state.gap()) {
            return state;
        }
        Reached mine = new Reached(room, state);
        int slot = stateSlot(room, state.epoch(), state.seq());
        while (true) {
            Reached there = states.get(slot);
            if (there != null && there.state().seq() == state.seq() && state.epoch().equals(there.state().epoch())
                    && room.equals(there.room())) {
                return there.state();
            }
            if (states.compareAndSet(slot, there, mine)) {
                latest.set(latestSlot(room), mine);
                return state;
            }
        }
    }

    private RoomState reached(String room, String epoch, long seq) {
        if (room == null || epoch == null) {
            return null;
        }
        Reached r = states.get(stateSlot(room, epoch, seq));
        return r != null && r.state().seq() == seq && epoch.equals(r.state().epoch()) && room.equals(r.room()) ? r.state() : null;
    }

    /** Publishes {@code state} for its room, epoch and seq, replacing what was there. */
    private RoomState reach(String room, RoomState state) {
        if (room != null && state.epoch() != null && state.synced() && !state.gap()) {
            Reached r = new Reached(room, state);
            states.set(stateSlot(room, state.epoch(), state.seq()), r);
            latest.set(latestSlot(room), r);
        }
        return state;
    }

    /** The last state reached of {@code room} by a socket of this client, or null. */
    private RoomState latest(String room) {
        if (room == null) {
            return null;
        }
        Reached r = latest.get(latestSlot(room));
        return r != null && room.equals(r.room()) ? r.state() : null;
    }

    private int latestSlot(String room) {
        return (room.hashCode() & 0x7fffffff) % latest.length();
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
        return webSocket;
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

    /**
     * Stops the reconnect scheduler and the WebSocket client. Connections still open are cut (no goodbye:
     * their sessions live to their deadlines, T2) and end as closed.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            sockets.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the WebSocket client did not stop", e);
        }
    }
}
