package dev.huddle.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The server's one JSON mapper and strict parsing of request bodies. */
public final class Json {
    /** Shared, thread-safe mapper: strict parsing, shallow nesting. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    private Json() {
    }

    /** Parses a body that must be one JSON object; 400 {@code malformed_json} or {@code invalid_argument}. */
    public static ObjectNode object(byte[] body) {
        JsonNode node = parse(body);
        if (!(node instanceof ObjectNode o)) {
            throw ApiException.invalidArgument("body", "must be a JSON object");
        }
        return o;
    }

    /** Parses any JSON value; 400 {@code malformed_json} if the bytes are not one JSON value. */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, "malformed_json", "the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, "malformed_json", "the request body is not JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed_json", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }
}
