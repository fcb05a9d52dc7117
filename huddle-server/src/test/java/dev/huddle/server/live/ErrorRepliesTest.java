package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.huddle.presence.SessionConflictException;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Json;
import dev.huddle.server.support.LogCapture;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * What a client reads when its message fails (docs/protocol.md, {@code error}): a refusal keeps its own
 * code and message; a failure nobody expected is {@code internal} with no detail, logged with its cause.
 */
class ErrorRepliesTest {
    private static final JsonNode REQUEST = TextNode.valueOf("r1");

    @Test
    void aRefusalOfTheApiOrTheEngineKeepsItsCodeAndMessage() throws IOException {
        try (LogCapture log = LogCapture.of(ErrorReplies.class)) {
            JsonNode api = read(ErrorReplies.of(REQUEST, ApiException.invalidArgument("graceMs", "must lie in 0…30000"), "handling 'leave'"));
            assertThat(api.path("requestId").asText()).isEqualTo("r1");
            assertThat(api.path("code").asText()).isEqualTo("invalid_argument");
            assertThat(api.path("message").asText()).contains("graceMs");

            JsonNode engine = read(ErrorReplies.of(null, new SessionConflictException("tab-1"), "refreshing session tab-1"));
            assertThat(engine.path("requestId").isNull()).as("an error that answers no request").isTrue();
            assertThat(engine.path("code").asText()).isEqualTo("session_conflict");
            assertThat(log.messages()).as("refusals are answers, not server faults").isEmpty();
        }
    }

    @Test
    void anUnexpectedFailureIsAnsweredAsInternalWithoutDetailAndLoggedWithItsCause() throws IOException {
        try (LogCapture log = LogCapture.of(ErrorReplies.class)) {
            JsonNode r = read(ErrorReplies.of(REQUEST, new IllegalStateException("secret detail of a bug"), "handling 'join'"));

            assertThat(r.path("type").asText()).isEqualTo("error");
            assertThat(r.path("requestId").asText()).isEqualTo("r1");
            assertThat(r.path("code").asText()).isEqualTo("internal");
            assertThat(r.toString()).doesNotContain("secret detail");
            assertThat(log.messages()).singleElement().asString().contains("handling 'join'");
            assertThat(log.causes()).containsExactly(IllegalStateException.class.getName());
        }
    }

    private static JsonNode read(String frame) throws IOException {
        return Json.MAPPER.readTree(frame);
    }
}
