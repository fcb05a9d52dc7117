package dev.huddle.server.presence;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.huddle.presence.Entry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An entry as the API shows it: flags as booleans, missing strings as null, nothing else. */
public final class EntryView {
    private EntryView() {
    }

    public static Map<String, Object> of(Entry e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(SessionData.DISPLAY_NAME, e.data().get(SessionData.DISPLAY_NAME));
        data.put(SessionData.AVATAR_URL, e.data().get(SessionData.AVATAR_URL));
        data.put(SessionData.ROLE, e.data().get(SessionData.ROLE));
        data.put(SessionData.IS_SPEAKING, SessionData.TRUE.equals(e.data().get(SessionData.IS_SPEAKING)));
        data.put(SessionData.IS_RECORDING, SessionData.TRUE.equals(e.data().get(SessionData.IS_RECORDING)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", e.userId());
        out.put("online", e.online());
        out.put("lastDisconnected", e.lastDisconnected());
        out.put("data", data);
        return out;
    }

    public static List<Map<String, Object>> of(List<Entry> entries) {
        return entries.stream().map(EntryView::of).toList();
    }

    /**
     * Writes exactly what {@link #of(Entry)} renders, straight to {@code g}: the WebSocket fan-out
     * renders whole rooms for snapshots, and building maps first doubled that work.
     */
    public static void write(JsonGenerator g, Entry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("userId", e.userId());
        g.writeBooleanField("online", e.online());
        g.writeNumberField("lastDisconnected", e.lastDisconnected());
        g.writeObjectFieldStart("data");
        g.writeStringField(SessionData.DISPLAY_NAME, e.data().get(SessionData.DISPLAY_NAME));
        g.writeStringField(SessionData.AVATAR_URL, e.data().get(SessionData.AVATAR_URL));
        g.writeStringField(SessionData.ROLE, e.data().get(SessionData.ROLE));
        g.writeBooleanField(SessionData.IS_SPEAKING, SessionData.TRUE.equals(e.data().get(SessionData.IS_SPEAKING)));
        g.writeBooleanField(SessionData.IS_RECORDING, SessionData.TRUE.equals(e.data().get(SessionData.IS_RECORDING)));
        g.writeEndObject();
        g.writeEndObject();
    }
}
