package dev.huddle.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The server's one JSON mapper and strict parsing of request bodies: UTF-8 only (bytes that are not
 * valid UTF-8 are refused, never stored as replacement characters), one value, no duplicate keys,
 * nesting at most {@value #MAX_DEPTH} deep. Refusal messages say what is wrong with the body in the
 * client's terms, never the parser's internals.
 */
public final class Json {
    static final int MAX_DEPTH = 32;

    /** Shared, thread-safe mapper: strict parsing, shallow nesting. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
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
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "malformed_json", "the request body is not valid UTF-8");
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, "malformed_json", "the request body is not JSON");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new ApiException(400, "malformed_json", "the request body is nested more than " + MAX_DEPTH
                    + " levels deep or holds a value too long");
        } catch (JsonProcessingException e) {
            String original = e.getOriginalMessage();
            if (original != null && original.startsWith("Duplicate field ")) {
                // Jackson names the key in single quotes: keep that much, it is the client's own text.
                throw new ApiException(400, "malformed_json", "the request body repeats the key "
                        + original.substring("Duplicate field ".length()) + where(e.getLocation()));
            }
            throw new ApiException(400, "malformed_json", "the request body is not valid JSON" + where(e.getLocation()));
        }
    }

    private static String where(JsonLocation at) {
        return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    public static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }
}
