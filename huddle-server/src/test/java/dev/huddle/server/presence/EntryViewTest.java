package dev.huddle.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.huddle.presence.Entry;
import dev.huddle.server.http.Json;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** H5/S3: the WebSocket's streamed rendering of an entry is exactly the HTTP API's. */
class EntryViewTest {

    @Test
    @DisplayName("write() renders the same bytes as of(): flags as booleans, missing strings as null, unknown keys dropped")
    void streamedEqualsMapped() throws Exception {
        Entry[] entries = {
            new Entry("r", "u1", true, 0, Map.of("displayName", "Ann \"the\" ünïcode ☃", "role", "participant",
                    "isSpeaking", "true", "isRecording", "false", "avatarUrl", "https://a/b.png")),
            new Entry("r", "u2", false, 1_750_000_000_123L, Map.of("role", "observer", "secret", "not shown")),
            new Entry("r", "u3", true, 0, Map.of()),
        };
        for (Entry e : entries) {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
                EntryView.write(g, e);
            }
            assertThat(out.toString()).isEqualTo(Json.MAPPER.writeValueAsString(EntryView.of(e)));
            assertThat(out.toString()).doesNotContain("secret");
        }
    }
}
