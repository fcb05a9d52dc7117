package dev.huddle.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small real HTTP client for tests: JSON in, {@link Response} out. Every request carries a timeout. */
public final class Api {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public Api(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A response: status, parsed JSON body (or null), raw body and headers. */
    public record Response(int status, JsonNode json, String body, java.net.http.HttpHeaders headers) {
        /** The {@code error.code} of an error body. */
        public String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }
    }

    /** The value of one metric (its first series) on this server's {@code /metrics}; fails the test if absent. */
    public double metric(String name) {
        Response r = get("/metrics", (String) null);
        if (r.status() != 200) {
            throw new AssertionError("/metrics answered " + r.status() + ": " + r.body());
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(r.body());
        if (!m.find()) {
            throw new AssertionError(name + " not in\n" + r.body());
        }
        return Double.parseDouble(m.group(2));
    }

    public Response get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    public Response post(String path, String token, String body) {
        return post(path, token, "application/json", body);
    }

    public Response post(String path, String token, Object body) {
        try {
            return post(path, token, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response post(String path, String token, String contentType, String body) {
        return send(request(path, token).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Response put(String path, String token, Object body) {
        try {
            return send(request(path, token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response patch(String path, String token, Object body) {
        try {
            return send(request(path, token).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response delete(String path, String token) {
        return send(request(path, token).DELETE().build());
    }

    public Response postBytes(String path, String token, byte[] body) {
        return send(request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /** A request with extra headers (e.g. a cookie instead of a bearer token). */
    public Response get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = request(path, null);
        headers.forEach(b::header);
        return send(b.GET().build());
    }

    /**
     * Any request with the given headers (no bearer token unless given as a header) and, when {@code body}
     * is not null, that body with {@code contentType} (null sends none).
     */
    public Response send(String method, String path, Map<String, String> headers, String contentType, String body) {
        HttpRequest.Builder b = request(path, null);
        headers.forEach(b::header);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (ct.startsWith("application/json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), json, r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
