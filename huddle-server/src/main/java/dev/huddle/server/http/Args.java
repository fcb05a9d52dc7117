package dev.huddle.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Typed access to a JSON object of arguments. A missing required field or a value of the wrong type is
 * 400 {@code invalid_argument} naming the field; JSON {@code null} counts as absent.
 */
public final class Args {
    private final ObjectNode node;

    public Args(ObjectNode node) {
        this.node = node;
    }

    /** Arguments from request query parameters or other string pairs. */
    public static Args of(ObjectNode node) {
        return new Args(node);
    }

    public ObjectNode node() {
        return node;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> ApiException.invalidArgument(field, "is required"));
    }

    public Optional<String> optionalString(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw ApiException.invalidArgument(field, "must be a string");
        }
        return Optional.of(v.textValue());
    }

    /** A whole number; JSON numbers like {@code 10000.0} (what JavaScript may send) count as whole. */
    public long optionalLong(String field, long defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isFloatingPointNumber()) {
            double d = v.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
        }
        throw ApiException.invalidArgument(field, "must be a whole number");
    }

    public Optional<Boolean> optionalBoolean(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw ApiException.invalidArgument(field, "must be true or false");
        }
        return Optional.of(v.booleanValue());
    }
}
