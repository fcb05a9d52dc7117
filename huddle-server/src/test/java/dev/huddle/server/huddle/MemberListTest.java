package dev.huddle.server.huddle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The huddle detail's member count and own membership, and the paginated member list (docs/http-api.md). */
@Timeout(120)
class MemberListTest {
    @TempDir
    Path dir;
    TestServer t;
    Guest ann;

    @BeforeEach
    void start() {
        t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withoutGuestSignInLimits());
        ann = t.guest("Ann");
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private String huddle(String title) {
        return t.huddle(ann, title).get("id").asText();
    }

    private Api.Response join(Guest g, String id) {
        Api.Response r = t.api.post("/api/huddles/" + id + "/join", g.token(), Map.of("role", "participant"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    private Api.Response page(Guest g, String id, String query) {
        return t.api.get("/api/huddles/" + id + "/members" + query, g == null ? null : g.token());
    }

    @Test
    @DisplayName("the join's answer and the detail carry the member count and the caller's own membership, never the members")
    void detailCarriesCountAndOwnMembership() {
        String id = huddle("Standup");
        String slug = t.read(ann, id).json().get("slug").asText();
        Guest bob = t.guest("Bob");
        t.clock.advance(5_000);
        JsonNode joined = join(bob, id).json();
        assertThat(joined.get("memberCount").asLong()).isEqualTo(2);
        assertThat(joined.has("members")).isFalse();
        assertThat(joined.get("membership").get("userId").asText()).isEqualTo(bob.userId());
        assertThat(joined.get("membership").get("displayName").asText()).isEqualTo("Bob");
        assertThat(joined.get("membership").get("role").asText()).isEqualTo("participant");
        assertThat(joined.get("membership").get("joinedAt").asLong()).isEqualTo(TestServer.T0 + 5_000);
        assertThat(joined.get("title").asText()).isEqualTo("Standup");

        JsonNode byId = t.read(ann, id).json();
        assertThat(byId.get("memberCount").asLong()).isEqualTo(2);
        assertThat(byId.get("membership").get("role").asText()).isEqualTo("host");
        assertThat(byId.get("membership").get("joinedAt").asLong()).isEqualTo(TestServer.T0);

        JsonNode anonymous = t.read(null, slug).json();
        assertThat(anonymous.get("memberCount").asLong()).isEqualTo(2);
        assertThat(anonymous.get("membership").isNull()).isTrue();
        assertThat(anonymous.has("members")).isFalse();

        t.api.post("/api/huddles/" + id + "/leave", bob.token(), "");
        assertThat(t.read(ann, id).json().get("memberCount").asLong()).as("leaving counts").isEqualTo(1);
    }

    @Test
    @DisplayName("pages of 5 walk every member exactly once in join order (ties by user id), also while members join mid-walk; the last page's nextCursor is null")
    void pagesWalkEveryMemberOnce() {
        String id = huddle("Town hall");
        List<Guest> guests = new ArrayList<>(List.of(ann));
        for (int i = 0; i < 11; i++) {
            Guest g = t.guest("Member " + i);
            if (i % 3 == 0) {
                t.clock.advance(1_000); // the others join at the same instant: ordered by user id
            }
            join(g, id);
            guests.add(g);
        }
        List<JsonNode> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response r = page(ann, id, "?limit=5" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().get("members").forEach(seen::add);
            assertThat(r.json().get("members").size()).isLessThanOrEqualTo(5);
            cursor = r.json().get("nextCursor").isNull() ? null : r.json().get("nextCursor").asText();
            if (pages++ == 0) { // three more join after the first page: they come at the end, once each
                for (int i = 0; i < 3; i++) {
                    t.clock.advance(1_000);
                    Guest late = t.guest("Late " + i);
                    join(late, id);
                    guests.add(late);
                }
            }
        } while (cursor != null);
        assertThat(pages).isEqualTo(3); // 15 members: 5 + 5 + 5, the last with nextCursor null
        assertThat(seen).extracting(m -> m.get("userId").asText())
                .containsExactlyInAnyOrderElementsOf(guests.stream().map(Guest::userId).toList())
                .doesNotHaveDuplicates();
        assertThat(seen).isSortedAccordingTo(Comparator.<JsonNode>comparingLong(m -> m.get("joinedAt").asLong())
                .thenComparing(m -> m.get("userId").asText()));
        assertThat(seen.get(0).get("role").asText()).isEqualTo("host");
        assertThat(seen.get(1).get("displayName").asText()).startsWith("Member ");

        Api.Response all = page(ann, id, "");
        assertThat(all.json().get("members")).as("default limit 50").hasSize(15);
        assertThat(all.json().get("nextCursor").isNull()).isTrue();
    }

    @Test
    @DisplayName("a bad limit or cursor is 400 invalid_argument naming it")
    void badLimitOrCursor() {
        String id = huddle("Strict");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString("soon:someone".getBytes(StandardCharsets.UTF_8));
        for (String q : List.of("?limit=0", "?limit=201", "?limit=-1", "?limit=ten", "?limit=1.5")) {
            Api.Response r = page(ann, id, q);
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_argument");
            assertThat(r.json().path("error").path("message").asText()).as(q).startsWith("limit ");
        }
        for (String c : List.of("%21%21%21", forged, "bm9jb2xvbg", "x".repeat(600))) {
            Api.Response r = page(ann, id, "?cursor=" + c);
            assertThat(r.status()).as(c).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_argument");
            assertThat(r.json().path("error").path("message").asText()).as(c).startsWith("cursor ");
        }
        assertThat(page(ann, id, "?limit=200").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("H4: a private huddle's member list is not_found to strangers and anonymous callers (as for a huddle that does not exist); a public one's is open to all")
    void visibility() {
        String id = huddle("Secret");
        String slug = t.read(ann, id).json().get("slug").asText();
        Guest cat = t.guest("Cat");
        assertThat(page(null, slug, "").status()).as("public: anyone, by slug").isEqualTo(200);
        assertThat(page(cat, id, "").json().get("members")).hasSize(1);
        assertThat(t.api.patch("/api/huddles/" + id, ann.token(), Map.of("publicViewing", false)).status()).isEqualTo(200);
        for (Api.Response r : List.of(page(cat, id, ""), page(cat, slug, ""), page(null, id, ""))) {
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        }
        assertThat(page(cat, slug, "").body()).isEqualTo(page(cat, "no-such-huddle-aaaaaa", "").body().replace("no-such-huddle-aaaaaa", slug));
        assertThat(page(ann, slug, "").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("the join's answer is the same size for a room of 300 as for a room of 3 (± the count's digits)")
    void joinAnswerDoesNotGrowWithTheRoom() {
        String small = huddle("Room");
        String large = huddle("Room");
        for (int i = 0; i < 2; i++) {
            join(t.guest("Small " + i), small);
        }
        for (int i = 0; i < 299; i++) {
            join(t.guest("Large " + i), large);
        }
        Guest zed = t.guest("Zed");
        Api.Response intoSmall = join(zed, small);
        Api.Response intoLarge = join(zed, large);
        assertThat(intoSmall.json().get("memberCount").asLong()).isEqualTo(4);
        assertThat(intoLarge.json().get("memberCount").asLong()).isEqualTo(301);
        assertThat(intoLarge.body().length()).isBetween(intoSmall.body().length(), intoSmall.body().length() + 2);
    }
}
