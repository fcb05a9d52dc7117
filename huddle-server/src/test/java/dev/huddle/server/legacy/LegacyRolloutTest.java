package dev.huddle.server.legacy;

import static dev.huddle.server.support.LiveFixture.story;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.RolloutSettings;
import dev.huddle.server.presence.SessionIds;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.LiveFixture;
import dev.huddle.server.support.LogCapture;
import dev.huddle.server.support.TestServer.Guest;
import dev.huddle.server.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The legacy tracker behind the rollout flag (L1–L3, H8): old clients (upsert/clear over HTTP) and new
 * clients (engine heartbeats over the socket) in the same huddle, in each mode, the shadow comparator,
 * runtime switching and bad input. Real server on port 0, real HTTP and WebSocket clients, a manual clock.
 */
@Timeout(60)
class LegacyRolloutTest {
    static final String ADMIN = "admin-token-0123456789-abcdefghijklmnop";

    @TempDir
    Path dir;
    LiveFixture f;
    Guest ann;
    Guest bob;
    String room;
    LogCapture mismatchLog;

    void start(PresenceSource source) {
        start(source, r -> r);
    }

    void start(PresenceSource source, UnaryOperator<RolloutSettings> more) {
        mismatchLog = LogCapture.of(ShadowComparator.class);
        f = new LiveFixture(dir, s -> s, c -> c.withRollout(more.apply(c.rollout().withSource(source).withAdminToken(ADMIN))));
        ann = f.guest("Ann");
        bob = f.guest("Bob");
        room = f.huddle(ann, bob).get("id").asText();
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
        if (mismatchLog != null) {
            mismatchLog.close();
        }
    }

    Api.Response upsert(Guest g, String huddle, Map<String, Object> body) {
        return f.t.api.post("/api/huddles/" + huddle + "/presence/upsert", g == null ? null : g.token(), body);
    }

    Api.Response clear(Guest g, String huddle) {
        return f.t.api.post("/api/huddles/" + huddle + "/presence/clear", g.token(), Map.of());
    }

    /** The detail's presence array by user id → "speaking/recording" flags, or null when absent. */
    Map<String, String> detailPresence(Guest g) {
        Api.Response r = f.t.read(g, room);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        if (!r.json().has("presence")) {
            return null;
        }
        Map<String, String> out = new TreeMap<>();
        r.json().get("presence").forEach(p -> out.put(p.get("userId").asText(),
                "speaking=" + p.get("isSpeaking").asBoolean() + " recording=" + p.get("isRecording").asBoolean()));
        return out;
    }

    /** Who the engine lists online in the room (the live list). */
    List<String> liveOnline() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : f.serverList(bob, room)) {
            if (e.path("online").asBoolean()) {
                out.add(e.path("userId").asText());
            }
        }
        return out.stream().sorted().toList();
    }

    Api.Response switchTo(String source) {
        return f.t.api.put("/api/admin/presence-source", ADMIN, Map.of("source", source));
    }

    double mismatchCount(String field) {
        var c = f.t.server.metrics().find("presence.shadow.mismatches").tag("field", field).counter();
        return c == null ? 0 : c.count();
    }

    List<String> mismatchLines() {
        return mismatchLog.events("presence_shadow_mismatch");
    }

    static Map<String, Object> flags(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<String> joinsAndLeaves(List<JsonNode> changes) {
        return story(changes).stream().filter(s -> s.startsWith("join ") || s.startsWith("leave ")).toList();
    }

    @Test
    @DisplayName("L2 on SQLite: the node is its database's only server, so it keeps no re-read of the recorded flag running; a switch through it applies at once and is recorded")
    void sqliteNodeDoesNotReReadTheFlag() {
        start(PresenceSource.LEGACY);
        assertThat(f.t.server.legacy().rereadsRecordedFlag()).isFalse();
        assertThat(switchTo("component").json().get("source").asText()).isEqualTo("component");
        assertThat(f.t.server.legacy().source()).isEqualTo(PresenceSource.COMPONENT);
        assertThat(f.t.server.legacy().table().recordedSource()).contains(PresenceSource.COMPONENT);
    }

    @Test
    @DisplayName("L1 legacy: the table serves the detail (old client's flags, clear, stale rows); new clients live only in the engine")
    void legacyMode() {
        start(PresenceSource.LEGACY);
        Api.Response up = upsert(ann, room, flags("isSpeaking", true));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        assertThat(up.json().get("source").asText()).isEqualTo("legacy");
        WsClient b = f.connect(bob);
        f.join(b, room, "bob-tab");

        assertThat(detailPresence(bob)).containsExactly(Map.entry(ann.userId(), "speaking=true recording=false"));
        assertThat(liveOnline()).as("the legacy calls do not feed the engine in legacy mode").containsExactly(bob.userId());

        // a heartbeat without flags keeps them; a flag given changes only itself
        upsert(ann, room, flags("isRecording", true));
        assertThat(detailPresence(bob)).containsExactly(Map.entry(ann.userId(), "speaking=true recording=true"));
        assertThat(clear(ann, room).json().get("cleared").asBoolean()).isTrue();
        assertThat(detailPresence(bob)).isEmpty();

        // the stale-row job: a row last seen 2.5 intervals ago is gone from the detail and deleted by the job
        upsert(ann, room, Map.of());
        f.clock().advance(24_999);
        assertThat(detailPresence(bob)).containsOnlyKeys(ann.userId());
        f.clock().advance(1);
        assertThat(detailPresence(bob)).isEmpty();
        assertThat(f.t.server.legacy().sweep()).isEqualTo(1);
        assertThat(f.t.server.legacy().table().report(Long.MAX_VALUE).rows()).isZero();
    }

    @Test
    @DisplayName("L2 shadow: the table serves the detail, the engine is fed the same heartbeats; a socket-only client shows as an online mismatch")
    void shadowMode() {
        start(PresenceSource.SHADOW);
        WsClient b = f.connect(bob);
        f.join(b, room, "bob-tab");
        assertThat(upsert(ann, room, flags("isSpeaking", true)).status()).isEqualTo(200);

        assertThat(detailPresence(bob)).containsExactly(Map.entry(ann.userId(), "speaking=true recording=false"));
        assertThat(liveOnline()).containsExactlyInAnyOrder(ann.userId(), bob.userId());
        JsonNode annEntry = f.serverList(ann, room).stream().filter(e -> e.path("userId").asText().equals(ann.userId()))
                .findFirst().orElseThrow();
        assertThat(annEntry.path("data").path("isSpeaking").asBoolean()).isTrue();

        f.t.server.legacy().compareNow();
        assertThat(mismatchLines()).containsExactly("event=presence_shadow_mismatch room=" + room + " user=" + bob.userId()
                + " field=online legacy=false engine=true");
        assertThat(mismatchCount("online")).isEqualTo(1.0);

        assertThat(clear(ann, room).status()).isEqualTo(200);
        assertThat(detailPresence(bob)).isEmpty();
        // leaving the huddle drops the member's row as well (Ann, its only host, hands it to Bob: H9)
        upsert(ann, room, Map.of());
        assertThat(f.t.api.post("/api/huddles/" + room + "/leave", ann.token(), Map.of("newHost", bob.userId())).status())
                .isEqualTo(200);
        assertThat(detailPresence(bob)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> liveOnline().equals(List.of(bob.userId())));
    }

    @Test
    @DisplayName("L2 component: upsert/clear are thin wrappers over heartbeat and disconnect; the detail's array comes from the engine (H8); no stale-row job")
    void componentMode() {
        start(PresenceSource.COMPONENT);
        WsClient b = f.connect(bob);
        f.subscribe(b, room);
        f.join(b, room, "bob-tab");
        assertThat(upsert(ann, room, flags("isSpeaking", true)).status()).isEqualTo(200);

        assertThat(detailPresence(bob)).containsOnly(Map.entry(ann.userId(), "speaking=true recording=false"),
                Map.entry(bob.userId(), "speaking=false recording=false"));
        assertThat(liveOnline()).containsExactlyInAnyOrder(ann.userId(), bob.userId());
        assertThat(f.t.server.presence().liveSessionToken(room, ann.userId(), SessionIds.legacy(room, ann.userId()))).isPresent();
        assertThat(f.t.server.legacy().table().report(Long.MAX_VALUE).rows()).as("nothing written to the table").isZero();

        // the Convex-style call of the old app reaches the same wrapper
        Api.Response convex = f.t.api.post("/api/mutation", ann.token(),
                Map.of("path", "huddle:upsertPresence", "args", List.of(Map.of("huddleId", room, "isRecording", true))));
        assertThat(convex.status()).as(convex.body()).isEqualTo(200);
        assertThat(detailPresence(bob).get(ann.userId())).isEqualTo("speaking=true recording=true");

        assertThat(clear(ann, room).json().get("cleared").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> story(b.changes(room)).contains("leave " + ann.userId()));
        assertThat(liveOnline()).containsExactly(bob.userId());
        assertThat(detailPresence(bob)).containsOnlyKeys(bob.userId());

        // the stale-row job does not run in component mode (L3)
        f.t.server.legacy().table().upsert(room, ann.userId(), null, null, f.clock().millis() - 100_000);
        assertThat(f.t.server.legacy().sweep()).isZero();
        assertThat(f.t.server.legacy().table().report(Long.MAX_VALUE).rows()).isEqualTo(1);
    }

    @Test
    @DisplayName("H8: with the transitional setting off, the component-mode detail has no presence array")
    void detailArrayOff() {
        start(PresenceSource.COMPONENT, r -> r.withDetailArray(false));
        upsert(ann, room, Map.of());
        assertThat(detailPresence(bob)).isNull();
        assertThat(liveOnline()).containsExactly(ann.userId());
    }

    @Test
    @DisplayName("H8: the transitional array is on GET only: a join's or an open's answer does not grow with the room")
    void detailArrayOnlyOnGet() {
        start(PresenceSource.COMPONENT);
        upsert(ann, room, Map.of());
        upsert(bob, room, Map.of());
        assertThat(detailPresence(bob)).containsOnlyKeys(ann.userId(), bob.userId());
        Api.Response join = f.t.api.post("/api/huddles/" + room + "/join", bob.token(), Map.of("role", "participant"));
        assertThat(join.status()).as(join.body()).isEqualTo(200);
        assertThat(join.json().has("presence")).as(join.body()).isFalse();
        assertThat(join.json().get("memberCount").asInt()).isEqualTo(2);
        Api.Response open = f.t.api.post("/api/huddles/" + room + "/open", ann.token(), Map.of());
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        assertThat(open.json().has("presence")).as(open.body()).isFalse();
    }

    @Test
    @DisplayName("L2 shadow: a legacy row without an engine session and a differing speaking flag are each logged and counted exactly once; none when both agree")
    void shadowDivergence() {
        start(PresenceSource.SHADOW);
        upsert(ann, room, Map.of());
        upsert(bob, room, flags("isSpeaking", false));
        f.t.server.legacy().compareNow();
        assertThat(mismatchLines()).as("both views agree").isEmpty();
        assertThat(mismatchCount("online") + mismatchCount("isSpeaking") + mismatchCount("isRecording")).isZero();

        // a real divergence, made through the engine itself: Ann's session ends, Bob's speaking flag differs
        String annToken = f.t.server.presence().liveSessionToken(room, ann.userId(), SessionIds.legacy(room, ann.userId())).orElseThrow();
        f.t.server.presence().disconnect(annToken);
        f.t.server.presence().updateSession(room, bob.userId(), SessionIds.legacy(room, bob.userId()), Map.of("isSpeaking", "true"));
        f.t.server.legacy().compareNow();
        f.t.server.legacy().compareNow(); // the timer again: a standing mismatch is not counted twice

        assertThat(mismatchLines()).containsExactlyInAnyOrder(
                "event=presence_shadow_mismatch room=" + room + " user=" + ann.userId() + " field=online legacy=true engine=false",
                "event=presence_shadow_mismatch room=" + room + " user=" + bob.userId() + " field=isSpeaking legacy=false engine=true");
        assertThat(mismatchCount("online")).isEqualTo(1.0);
        assertThat(mismatchCount("isSpeaking")).isEqualTo(1.0);
        assertThat(mismatchCount("isRecording")).isZero();
        String metrics = f.t.api.get("/metrics", (String) null).body();
        assertThat(metrics).contains("presence_shadow_mismatches_total{field=\"online\"} 1.0")
                .contains("presence_shadow_mismatches_total{field=\"isSpeaking\"} 1.0");

        // the next heartbeats heal both; nothing new is counted
        upsert(ann, room, Map.of());
        upsert(bob, room, flags("isSpeaking", true));
        f.t.server.legacy().compareNow();
        assertThat(mismatchLines()).hasSize(2);
        assertThat(mismatchCount("online") + mismatchCount("isSpeaking")).isEqualTo(2.0);
    }

    @Test
    @DisplayName("L2: switching legacy → shadow → component at runtime while clients heartbeat loses no user and emits no spurious leave or join")
    void runtimeSwitching() {
        start(PresenceSource.LEGACY);
        Guest cid = f.guest("Cid");
        f.t.api.post("/api/huddles/" + room + "/join", cid.token(), Map.of("role", "observer"));
        WsClient b = f.connect(bob);
        f.subscribe(b, room);
        f.join(b, room, "bob-tab");
        upsert(ann, room, flags("isSpeaking", true));
        upsert(cid, room, Map.of());
        assertThat(detailPresence(bob)).containsOnlyKeys(ann.userId(), cid.userId());

        assertThat(switchTo("shadow").json().get("previous").asText()).isEqualTo("legacy");
        for (int i = 0; i < 2; i++) {
            f.clock().advance(10_000);
            f.join(b, room, "bob-tab"); // the new client's heartbeat on its socket
            upsert(ann, room, Map.of());
            upsert(cid, room, Map.of());
            assertThat(detailPresence(bob)).containsOnlyKeys(ann.userId(), cid.userId());
            assertThat(liveOnline()).containsExactlyInAnyOrder(ann.userId(), bob.userId(), cid.userId());
        }
        Api.Response sw = switchTo("component");
        assertThat(sw.json().get("source").asText()).isEqualTo("component");
        for (int i = 0; i < 2; i++) {
            f.clock().advance(10_000);
            f.join(b, room, "bob-tab"); // the new client's heartbeat on its socket
            upsert(ann, room, Map.of());
            upsert(cid, room, Map.of());
            assertThat(detailPresence(bob)).containsOnlyKeys(ann.userId(), bob.userId(), cid.userId());
            assertThat(detailPresence(bob).get(ann.userId())).isEqualTo("speaking=true recording=false");
        }
        assertThat(f.t.server.legacy().sweep()).isZero();
        assertThat(liveOnline()).containsExactlyInAnyOrder(ann.userId(), bob.userId(), cid.userId());

        await().atMost(Duration.ofSeconds(10)).until(() -> joinsAndLeaves(b.changes(room)).size() >= 3);
        assertThat(joinsAndLeaves(b.changes(room))).as("one join per user, no leave")
                .containsExactlyInAnyOrder("join " + bob.userId(), "join " + ann.userId(), "join " + cid.userId());
        LiveFixture.assertGapless(b.changes(room), b.changes(room).get(0).path("seq").asLong() - 1);
        assertThat(mismatchLines()).as("only the socket-only client differs in shadow")
                .allMatch(l -> l.contains("user=" + bob.userId() + " field=online"));
        assertThat(f.t.api.get("/api/admin/presence-source", ADMIN).json().get("source").asText()).isEqualTo("component");
    }

    @Test
    @DisplayName("L1/H2: bad input on the legacy calls gets the new API's errors and changes nothing; the admin call needs the admin token")
    void badInput() {
        start(PresenceSource.SHADOW);
        Guest dan = f.guest("Dan");
        Guest obs = f.guest("Obs");
        f.t.api.post("/api/huddles/" + room + "/join", obs.token(), Map.of("role", "observer"));

        // unknown huddle, non-member, observer flag: same status and code as the new API's heartbeat
        record Case(Guest who, String huddle, Map<String, Object> body, int status, String code) {
        }
        for (Case c : List.of(new Case(ann, "no-such-huddle", Map.of(), 404, "not_found"),
                new Case(dan, room, Map.of(), 403, "not_a_member"),
                new Case(obs, room, flags("isSpeaking", true), 403, "observer_cannot_set_flags"))) {
            Api.Response legacy = upsert(c.who(), c.huddle(), c.body());
            assertThat(legacy.status()).as(legacy.body()).isEqualTo(c.status());
            assertThat(legacy.errorCode()).isEqualTo(c.code());
            Map<String, Object> hb = new LinkedHashMap<>(Map.of("roomId", c.huddle(), "userId", c.who().userId(), "sessionId", "s1"));
            hb.putAll(c.body());
            // the new API sets flags with /flags (a heartbeat carries none)
            Api.Response modern = f.t.api.post(c.body().isEmpty() ? "/api/presence/heartbeat" : "/api/presence/flags",
                    c.who().token(), hb);
            assertThat(modern.status()).isEqualTo(legacy.status());
            assertThat(modern.errorCode()).isEqualTo(legacy.errorCode());
        }
        assertThat(f.t.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), "{not json").errorCode())
                .isEqualTo("malformed_json");
        assertThat(f.t.api.post("/api/huddles/" + room + "/presence/upsert", ann.token(), "[1]").status()).isEqualTo(400);
        Api.Response wrongType = upsert(ann, room, flags("isSpeaking", "yes"));
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.errorCode()).isEqualTo("invalid_argument");
        assertThat(wrongType.json().path("error").path("message").asText()).contains("isSpeaking");
        assertThat(upsert(null, room, Map.of()).status()).isEqualTo(401);
        assertThat(clear(dan, room).errorCode()).isEqualTo("not_a_member");
        assertThat(f.t.api.post("/api/huddles/nope/presence/clear", ann.token(), Map.of()).status()).isEqualTo(404);

        assertThat(f.t.server.legacy().table().report(Long.MAX_VALUE).rows()).as("nothing written").isZero();
        assertThat(liveOnline()).as("nothing in the engine").isEmpty();

        // the admin API: token required, source checked, nothing switched by a refused call
        assertThat(f.t.api.put("/api/admin/presence-source", null, Map.of("source", "component")).status()).isEqualTo(401);
        assertThat(f.t.api.put("/api/admin/presence-source", ann.token(), Map.of("source", "component")).errorCode())
                .isEqualTo("not_an_admin");
        assertThat(switchTo("sideways").errorCode()).isEqualTo("invalid_argument");
        assertThat(f.t.server.legacy().source()).isEqualTo(PresenceSource.SHADOW);
    }
}
