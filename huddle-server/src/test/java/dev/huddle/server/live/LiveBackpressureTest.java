package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.Presence;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.RawWsClient;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** S4: a subscriber that stops reading never slows the others, and what the server holds for it stays bounded. */
class LiveBackpressureTest {
    private static final int OTHERS = 50;
    private static final int CHANGES = 320;
    private static final int BATCH = 16;
    private static final int QUEUE = 32;
    private static final String BIG = "x".repeat(2_000);

    @TempDir
    Path dir;

    @Test
    @DisplayName("S4: a subscriber that stops reading does not delay 50 others; its queue stays bounded; it is resynced with a snapshot")
    void slowSubscriberIsResyncedAndOthersAreNotDelayed() throws Exception {
        // Room batching off: every change is one queued frame, so the bound is reached change by change.
        try (LiveFixture f = new LiveFixture(dir, s -> s.withOutboundQueue(QUEUE).withSendTimeoutMs(600_000).withRoomBatchMs(0))) {
            Guest ann = f.guest("Ann");
            JsonNode h = f.huddle(ann);
            String room = h.get("id").asText();
            String slug = h.get("slug").asText();
            String flood = f.huddle(ann).get("id").asText();
            Presence presence = f.t.server.presence();

            try (RawWsClient slow = new RawWsClient(f.t.server.socketPort(), ann.token(), 4_096)) {
                slow.sendText("{\"type\":\"subscribe\",\"requestId\":\"s1\",\"huddle\":\"" + room + "\"}");
                slow.sendText("{\"type\":\"subscribe\",\"requestId\":\"s2\",\"huddle\":\"" + flood + "\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().subscribers(room) == 1
                        && f.t.server.live().subscribers(flood) == 1);
                List<WsClient> others = new ArrayList<>();
                for (int i = 0; i < OTHERS; i++) {
                    WsClient c = f.connect(null);
                    f.subscribe(c, slug);
                    others.add(c);
                }

                // The slow client stops reading: large changes in a room only it watches fill its socket
                // (however large the kernel's buffers are) until a send stays stuck.
                int floodChanges = 0;
                while (f.t.server.live().longestPendingSendMs() < 200 && floodChanges < 20_000) {
                    for (int k = 0; k < 20; k++, floodChanges++) {
                        presence.heartbeat(flood, "f-" + floodChanges, "fs-" + floodChanges, 10_000, Map.of("displayName", BIG));
                    }
                    await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() ->
                            f.t.server.live().longestPendingSendMs() >= 200 || f.t.server.live().queuedMessages() == 0);
                }
                assertThat(f.t.server.live().longestPendingSendMs()).as("the slow socket is stuck").isGreaterThanOrEqualTo(200);

                // Changes in the shared room come in bursts of BATCH; each burst reaches all the others, in
                // order, before the next, while the slow subscriber stays stuck.
                long started = System.nanoTime();
                for (int i = 0; i < CHANGES; i++) {
                    presence.heartbeat(room, "user-" + i, "session-" + i, 10_000, Map.of("displayName", "User " + i));
                    if ((i + 1) % BATCH == 0 || i == CHANGES - 1) {
                        long seq = i + 1;
                        await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10)).until(() -> others.stream()
                                .allMatch(c -> lastSeq(c, room) == seq));
                    }
                }
                long elapsedMs = (System.nanoTime() - started) / 1_000_000;
                for (WsClient c : others) {
                    LiveFixture.assertGapless(c.changes(room), 0);
                    assertThat(c.ofType("snapshot")).as("the others were never resynced").hasSize(1);
                }
                assertThat(f.t.server.live().tooSlowCloses()).isZero();
                int largest = f.t.server.live().largestOutboundQueue();
                assertThat(largest).as("largest outbound queue (changes + one resync marker per room)")
                        .isLessThanOrEqualTo(QUEUE + 2);
                System.out.println("S4: " + floodChanges + " flood changes stalled the slow socket; " + CHANGES
                        + " changes reached " + OTHERS + " others in " + elapsedMs + " ms; largest outbound queue " + largest);

                // The slow one reads again: changes in order, fresh snapshots where it fell behind, and in
                // the end both rooms as the server has them.
                long last = presence.snapshot(room).seq();
                long floodLast = presence.snapshot(flood).seq();
                Map<String, Map<String, Boolean>> state = new HashMap<>();
                Map<String, Long> seqs = new HashMap<>();
                int resyncs = 0;
                while (seqs.getOrDefault(room, -1L) != last || seqs.getOrDefault(flood, -1L) != floodLast) {
                    RawWsClient.Frame fr = slow.readFrame();
                    if (fr.opcode() != 1) {
                        continue;
                    }
                    JsonNode frame = Api.JSON.readTree(fr.text());
                    // A batch is its changes, one after the other.
                    List<JsonNode> messages = new java.util.ArrayList<>();
                    if ("changes".equals(frame.path("type").asText())) {
                        frame.path("changes").forEach(messages::add);
                    } else {
                        messages.add(frame);
                    }
                    for (JsonNode m : messages) {
                        String r = m.path("room").asText();
                        Map<String, Boolean> st = state.computeIfAbsent(r, k -> new HashMap<>());
                        switch (m.path("type").asText()) {
                            case "snapshot" -> {
                                if (!m.has("requestId")) {
                                    resyncs++;
                                }
                                st.clear();
                                m.path("entries").forEach(e -> st.put(e.path("userId").asText(), e.path("online").asBoolean()));
                                seqs.put(r, m.path("seq").asLong());
                            }
                            case "change" -> {
                                assertThat(m.path("seq").asLong()).as("no gap in %s", r).isEqualTo(seqs.get(r) + 1);
                                seqs.put(r, m.path("seq").asLong());
                                st.put(m.path("entry").path("userId").asText(), m.path("entry").path("online").asBoolean());
                            }
                            default -> throw new AssertionError("unexpected " + m);
                        }
                    }
                }
                assertThat(resyncs).as("resync snapshots").isGreaterThanOrEqualTo(1);
                assertThat(f.t.server.live().resyncs()).isGreaterThanOrEqualTo(resyncs);
                assertThat(f.t.api.get("/metrics", (String) null).body()).contains("huddle_ws_resyncs_total")
                        .contains("huddle_ws_sockets");
                assertThat(state.get(room)).hasSize(CHANGES).doesNotContainValue(false);
                assertThat(state.get(flood)).hasSize(floodChanges).doesNotContainValue(false);
            }
        }
    }

    private static long lastSeq(WsClient c, String room) {
        List<JsonNode> ch = c.changes(room);
        return ch.isEmpty() ? 0 : ch.get(ch.size() - 1).path("seq").asLong();
    }

    @Test
    @DisplayName("S4: a subscriber stuck past the send timeout is closed with 4008 too_slow")
    void stuckSubscriberIsClosedWithTooSlow() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withOutboundQueue(8).withSendTimeoutMs(300).withPingIntervalMs(100))) {
            Guest ann = f.guest("Ann");
            String room = f.huddle(ann).get("id").asText();
            Presence presence = f.t.server.presence();
            try (RawWsClient slow = new RawWsClient(f.t.server.socketPort(), ann.token(), 4_096)) {
                slow.sendText("{\"type\":\"subscribe\",\"huddle\":\"" + room + "\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().subscribers(room) == 1);
                int i = 0;
                while (f.t.server.live().tooSlowCloses() == 0 && i < 20_000) {
                    for (int k = 0; k < 20; k++, i++) {
                        presence.heartbeat(room, "user-" + i, "session-" + i, 10_000, Map.of("displayName", BIG));
                    }
                    await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() ->
                            f.t.server.live().tooSlowCloses() > 0 || f.t.server.live().queuedMessages() == 0);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().tooSlowCloses() == 1);
                assertThat(slow.readCloseCode()).isEqualTo(4008);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().subscribers(room) == 0);
        }
    }

    @Test
    @DisplayName("S4: a client that asks for snapshots of big rooms and reads none is closed with 4008: the bound weighs bytes")
    void snapshotsPilingUpCountTheirBytes() throws Exception {
        try (LiveFixture f = new LiveFixture(dir, s -> s.withOutboundQueue(QUEUE).withSendTimeoutMs(600_000))) {
            Guest ann = f.guest("Ann");
            Presence presence = f.t.server.presence();
            List<String> rooms = new ArrayList<>();
            for (int r = 0; r < 16; r++) { // snapshots of about 530 KB each: 17 units of the bound
                String room = f.huddle(ann).get("id").asText();
                for (int i = 0; i < 250; i++) {
                    presence.heartbeat(room, "user-" + i, "session-" + r + "-" + i, 10_000, Map.of("displayName", BIG));
                }
                rooms.add(room);
            }
            try (RawWsClient slow = new RawWsClient(f.t.server.socketPort(), ann.token(), 4_096)) {
                // 16 requests, far fewer than twice the bound in messages (so, counted by message, never
                // closed), but 8 MB of snapshots: more than the socket buffers take, and four times twice
                // the bound's bytes. (Asking for one room again would replace its queued snapshot, X1.)
                for (int i = 0; i < rooms.size() && f.t.server.live().tooSlowCloses() == 0; i++) {
                    try {
                        slow.sendText("{\"type\":\"subscribe\",\"requestId\":\"s" + i + "\",\"huddle\":\"" + rooms.get(i) + "\"}");
                    } catch (java.io.IOException closedMeanwhile) {
                        break;
                    }
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> f.t.server.live().tooSlowCloses() == 1);
                assertThat(slow.readCloseCode()).isEqualTo(4008);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> rooms.stream().allMatch(r -> f.t.server.live().subscribers(r) == 0));
        }
    }
}
