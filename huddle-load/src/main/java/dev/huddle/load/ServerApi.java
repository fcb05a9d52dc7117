package dev.huddle.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the load tool reads from the server itself, over plain HTTP: a room's presence list and metric counters. */
final class ServerApi {
    /** The API's largest {@code limit} for {@code GET /api/presence/list} (Presence.MAX_LIMIT). */
    static final int LIST_LIMIT = 1000;

    /**
     * A room's online users as the server lists them, in its order (duplicates kept, to be counted).
     * {@code complete} is false when the list was cut at the API's limit while still listing online
     * users, so some online users may be missing from it.
     */
    record OnlineList(List<String> userIds, boolean complete) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** {@code GET /api/presence/list?huddle=<id>&limit=1000} as a member of the huddle. */
    OnlineList online(URI server, String bearerToken, String huddleId) throws IOException, InterruptedException {
        URI uri = server.resolve("/api/presence/list?huddle=" + URLEncoder.encode(huddleId, StandardCharsets.UTF_8)
                + "&limit=" + LIST_LIMIT);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearerToken).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
        }
        JsonNode entries = json.readTree(r.body());
        List<String> online = new ArrayList<>();
        boolean lastOnline = false;
        for (JsonNode e : entries) {
            lastOnline = e.path("online").asBoolean();
            if (lastOnline) {
                online.add(e.path("userId").asText());
            }
        }
        // Online users come first (P8): a list cut at the limit is complete only if it reached an offline one.
        return new OnlineList(online, entries.size() < LIST_LIMIT || !lastOnline);
    }

    /** The sum over servers of a Prometheus counter or gauge from {@code GET /metrics}, or -1 if unreadable. */
    long metric(List<URI> servers, String name) {
        long sum = 0;
        for (URI s : servers) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(s.resolve("/metrics"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    return -1;
                }
                boolean found = false;
                for (String line : r.body().split("\n")) {
                    if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        found = true;
                    }
                }
                if (!found) {
                    return -1;
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return sum;
    }
}
