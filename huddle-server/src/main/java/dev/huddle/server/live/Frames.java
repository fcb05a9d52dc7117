package dev.huddle.server.live;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.huddle.presence.Change;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.server.http.Json;
import dev.huddle.server.presence.EntryView;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** Renders every server → client message of docs/protocol.md as one JSON text frame. */
final class Frames {
    private Frames() {
    }

    static String joined(JsonNode requestId, String huddleId, String sessionId, HeartbeatResult r, boolean resumed) {
        ObjectNode o = base("joined", requestId);
        o.put("huddleId", huddleId);
        o.put("sessionId", sessionId);
        o.put("roomToken", r.roomToken());
        o.put("sessionToken", r.sessionToken());
        o.put("resumed", resumed);
        return write(o);
    }

    static String left(JsonNode requestId, String huddleId, String sessionId) {
        ObjectNode o = base("left", requestId);
        o.put("huddleId", huddleId);
        o.put("sessionId", sessionId);
        return write(o);
    }

    static String unsubscribed(JsonNode requestId, String room) {
        ObjectNode o = base("unsubscribed", requestId);
        o.put("room", room);
        return write(o);
    }

    /**
     * R1: the room's list is {@code degraded} (the store is out of reach: what the client holds may be
     * stale, and changes may not come) or {@code live} again (a fresh snapshot follows).
     */
    static String status(String room, String state) {
        ObjectNode o = base("status", null);
        o.put("room", room);
        o.put("state", state);
        return write(o);
    }

    /** S2: the changes after {@code seq} of {@code epoch} follow; the client keeps what it holds. */
    static String resumed(JsonNode requestId, String room, String epoch, long seq) {
        ObjectNode o = base("resumed", requestId);
        o.put("room", room);
        o.put("epoch", epoch);
        o.put("seq", seq);
        return write(o);
    }

    /**
     * S1: the whole room as of {@code seq}, as UTF-8, in two parts: a socket's own {@link #snapshotHead}
     * (with its {@code requestId}), then this body, the same for every socket taking the room at that seq
     * (X1: encoded once, queued by reference). A client replaces what it holds for the room. The entries
     * come rendered from {@code entries} (see {@link SnapshotEntries}), the rest is rendered here.
     */
    static ByteBuffer snapshotBody(RoomSnapshot s, SnapshotEntries entries) {
        StringBuilder head = new StringBuilder(160)
                .append("\"room\":").append(write(TextNode.valueOf(s.roomId())))
                .append(",\"epoch\":").append(s.epoch() == null ? "null" : write(TextNode.valueOf(s.epoch())))
                .append(",\"seq\":").append(s.seq())
                .append(",\"entries\":");
        return entries.frame(head.toString().getBytes(StandardCharsets.UTF_8), s.entries(), END_OBJECT);
    }

    /** The start of a snapshot, up to its body: the type and the {@code requestId} of the subscribe it answers (none for a resync). */
    static ByteBuffer snapshotHead(JsonNode requestId) {
        StringBuilder head = new StringBuilder(64).append("{\"type\":\"snapshot\"");
        if (requestId != null && !requestId.isNull() && !requestId.isMissingNode()) {
            head.append(",\"requestId\":").append(write(requestId));
        }
        return utf8(head.append(',').toString());
    }

    private static final byte[] END_OBJECT = {'}'};

    /** One entry as snapshots and changes carry it. */
    static String entry(Entry e) {
        return render(g -> EntryView.write(g, e));
    }

    /** {@link #entry} as UTF-8, as snapshots keep it. */
    static byte[] entryUtf8(Entry e) {
        return entry(e).getBytes(StandardCharsets.UTF_8);
    }

    /** S3: one change carries the one entry it changed. */
    static String change(Change c) {
        return render(g -> {
            g.writeStartObject();
            g.writeStringField("type", "change");
            g.writeStringField("room", c.roomId());
            g.writeNumberField("seq", c.seq());
            g.writeStringField("kind", c.kind().name().toLowerCase(Locale.ROOT));
            g.writeFieldName("entry");
            EntryView.write(g, c.entry());
            g.writeEndObject();
        });
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String render(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * S3, batched: consecutive changes of one room, in seq order, each exactly as {@link #change}
     * renders it. A client applies them one after the other.
     */
    static String changes(List<Change> cs) {
        StringBuilder b = new StringBuilder(64 + cs.size() * 256);
        b.append("{\"type\":\"changes\",\"room\":").append(write(Json.MAPPER.getNodeFactory().textNode(cs.get(0).roomId())))
                .append(",\"changes\":[");
        for (int i = 0; i < cs.size(); i++) {
            b.append(i == 0 ? "" : ",").append(change(cs.get(i)));
        }
        return b.append("]}").toString();
    }

    /** An {@code error} that answers no request and concerns one huddle (H9: {@code removed_from_huddle}). */
    static String roomError(String huddleId, String code, String message) {
        ObjectNode o = base("error", null);
        o.putNull("requestId");
        o.put("huddleId", huddleId);
        o.put("code", code);
        o.put("message", message);
        return write(o);
    }

    static String error(JsonNode requestId, String code, String message) {
        ObjectNode o = base("error", requestId);
        if (!o.has("requestId")) {
            o.putNull("requestId");
        }
        o.put("code", code);
        o.put("message", message);
        return write(o);
    }

    /** The one frame that carries consecutive {@code changes} of a room, as UTF-8: a {@code change}, or a {@code changes} batch. */
    static ByteBuffer changesFrame(List<Change> changes) {
        return utf8(changes.size() == 1 ? change(changes.get(0)) : changes(changes));
    }

    /**
     * A frame's bytes, encoded once: a change goes to every subscriber of the room, and each socket sends
     * its own {@link ByteBuffer#slice() slice} of these bytes instead of encoding the text again.
     */
    static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode base(String type, JsonNode requestId) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("type", type);
        if (requestId != null && !requestId.isNull() && !requestId.isMissingNode()) {
            o.set("requestId", requestId);
        }
        return o;
    }

    private static String write(JsonNode o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
