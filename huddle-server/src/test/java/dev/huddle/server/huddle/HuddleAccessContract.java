package dev.huddle.server.huddle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.TestServer;
import dev.huddle.server.support.TestServer.Guest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * H4 and H9 over HTTP against a real server: hosts, settings, join policy, invites, roles, removal and
 * bans, with the hostile cases (a non-host at every host endpoint, forged, expired, used-up and revoked
 * invites, the last host, a banned user, self-promotion, private huddles by slug and by id). SQLite and
 * PostgreSQL run the same tests.
 */
abstract class HuddleAccessContract {
    TestServer t;
    Api api;
    Guest ann;
    Guest bob;
    Guest cat;
    String id;
    String slug;

    abstract TestServer server();

    @BeforeEach
    void start() {
        t = server();
        api = t.api;
        ann = t.guest("Ann");
        bob = t.guest("Bob");
        cat = t.guest("Cat");
        JsonNode h = t.huddle(ann, "Access");
        id = h.get("id").asText();
        slug = h.get("slug").asText();
        assertThat(h.get("role").asText()).isEqualTo("host");
        assertThat(h.get("joinPolicy").asText()).isEqualTo("open");
        assertThat(h.get("publicViewing").asBoolean()).isTrue();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private Api.Response join(Guest g, Object... kv) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            body.put((String) kv[i], kv[i + 1]);
        }
        return api.post("/api/huddles/" + id + "/join", g.token(), body);
    }

    private Api.Response settings(Guest g, Map<String, Object> body) {
        return api.patch("/api/huddles/" + id, g.token(), body);
    }

    private String invite(Guest host, Map<String, Object> body) {
        Api.Response r = api.post("/api/huddles/" + id + "/invites", host.token(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("inviteToken").asText();
    }

    private String roleOf(Guest g) {
        Api.Response r = t.read(g, id);
        return r.status() == 200 ? r.json().get("role").asText() : r.errorCode();
    }

    private Map<String, String> members() {
        Map<String, String> out = new LinkedHashMap<>();
        t.members(ann, id).json().get("members").forEach(m -> out.put(m.get("userId").asText(), m.get("role").asText()));
        return out;
    }

    @Test
    @DisplayName("H9: a non-host gets 403 not_a_host from every host endpoint, and nothing changes")
    void nonHostRefusedEverywhere() {
        assertThat(join(bob, "role", "participant").status()).isEqualTo(200);
        String token = invite(ann, Map.of());
        Map<String, String> before = members();
        List<Api.Response> tries = new ArrayList<>();
        for (Guest g : List.of(bob, cat)) {
            tries.add(settings(g, Map.of("title", "Mine", "joinPolicy", "closed")));
            tries.add(api.post("/api/huddles/" + id + "/invites", g.token(), Map.of("role", "host")));
            tries.add(api.get("/api/huddles/" + id + "/invites", g.token()));
            tries.add(api.delete("/api/huddles/" + id + "/invites/" + token, g.token()));
            tries.add(api.put("/api/huddles/" + id + "/members/" + g.userId(), g.token(), Map.of("role", "host")));
            tries.add(api.put("/api/huddles/" + id + "/members/" + ann.userId(), g.token(), Map.of("role", "observer")));
            tries.add(api.delete("/api/huddles/" + id + "/members/" + ann.userId() + "?ban=true", g.token()));
            tries.add(api.delete("/api/huddles/" + id + "/bans/" + g.userId(), g.token()));
        }
        for (Api.Response r : tries) {
            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertThat(r.errorCode()).as("bob (a participant) and cat (a stranger, public huddle)").isEqualTo("not_a_host");
        }
        assertThat(members()).isEqualTo(before);
        JsonNode h = t.read(ann, id).json();
        assertThat(h.get("title").asText()).isEqualTo("Access");
        assertThat(h.get("joinPolicy").asText()).isEqualTo("open");
        assertThat(join(cat, "role", "participant", "inviteToken", token).status()).as("the invite still works").isEqualTo(200);
    }

    @Test
    @DisplayName("H9: a host changes title, public viewing and join policy; the detail shows them; bad values are 400 and change nothing")
    void settingsChange() {
        Api.Response r = settings(ann, Map.of("title", "  Renamed  ", "publicViewing", false, "joinPolicy", "invite"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("title").asText()).isEqualTo("Renamed");
        JsonNode h = t.read(ann, id).json();
        assertThat(h.get("publicViewing").asBoolean()).isFalse();
        assertThat(h.get("joinPolicy").asText()).isEqualTo("invite");
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("joinPolicy", "everyone"), Map.of("publicViewing", "yes"),
                Map.of("title", "   "), Map.of())) {
            Api.Response refused = settings(ann, bad);
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        }
        assertThat(t.read(ann, id).json().get("title").asText()).isEqualTo("Renamed");
    }

    @Test
    @DisplayName("H4: without public viewing, strangers get not_found by slug and id (detail, list, member list, open, join), signed in or not; members still see it")
    void privateHuddleHidden() {
        assertThat(join(bob, "role", "participant").status()).isEqualTo(200);
        settings(ann, Map.of("publicViewing", false));
        for (Api.Response r : List.of(t.read(cat, slug), t.read(cat, id), t.read(null, slug), t.list(cat, slug), t.list(null, slug),
                t.open(cat, id), join(cat, "role", "observer"), t.members(cat, id), t.members(cat, slug), t.members(null, slug))) {
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        }
        Api.Response unknown = t.read(cat, "no-such-huddle-aaaaaa");
        assertThat(unknown.body()).as("the same answer as a huddle that does not exist")
                .isEqualTo(t.read(cat, slug).body().replace(slug, "no-such-huddle-aaaaaa"));
        assertThat(t.read(bob, slug).status()).isEqualTo(200);
        assertThat(t.list(bob, slug).status()).isEqualTo(200);
        assertThat(t.members(bob, slug).status()).isEqualTo(200);
        assertThat(members()).doesNotContainKey(cat.userId());
    }

    @Test
    @DisplayName("H9: under invite a newcomer may observe but not self-promote (invite_required); an invite or a host's promotion makes them a participant")
    void invitePolicy() {
        settings(ann, Map.of("joinPolicy", "invite"));
        Api.Response self = join(bob, "role", "participant");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.errorCode()).isEqualTo("invite_required");
        assertThat(roleOf(bob)).as("a refusal changes nothing").isEqualTo("not_a_member");
        assertThat(join(bob, "role", "observer").status()).isEqualTo(200);
        assertThat(join(bob, "role", "participant").errorCode()).isEqualTo("invite_required");
        assertThat(join(bob, "role", "host").errorCode()).isEqualTo("invite_required");
        assertThat(roleOf(bob)).isEqualTo("observer");

        String token = invite(ann, Map.of("role", "participant", "maxUses", 1));
        assertThat(join(bob, "inviteToken", token).json().get("role").asText()).isEqualTo("participant");
        assertThat(roleOf(bob)).isEqualTo("participant");

        assertThat(t.open(cat, id).status()).isEqualTo(200);
        assertThat(api.put("/api/huddles/" + id + "/members/" + cat.userId(), ann.token(), Map.of("role", "participant"))
                .status()).isEqualTo(200);
        assertThat(roleOf(cat)).isEqualTo("participant");
    }

    @Test
    @DisplayName("H9: under open, anyone becomes a participant but only an invite or a promotion makes a host")
    void openPolicyHosts() {
        assertThat(join(bob, "role", "participant").status()).isEqualTo(200);
        assertThat(join(bob, "role", "host").errorCode()).isEqualTo("invite_required");
        String hostInvite = invite(ann, Map.of("role", "host"));
        assertThat(join(bob, "role", "host", "inviteToken", hostInvite).json().get("role").asText()).isEqualTo("host");
        assertThat(roleOf(bob)).isEqualTo("host");
        // Two hosts: Ann may now step down.
        assertThat(join(ann, "role", "observer").status()).isEqualTo(200);
        assertThat(roleOf(ann)).isEqualTo("observer");
    }

    @Test
    @DisplayName("H9: invalid_invite for forged, foreign, expired, used-up and revoked tokens — one code for all, nothing changes")
    void badInvites() {
        settings(ann, Map.of("joinPolicy", "invite"));
        String once = invite(ann, Map.of("maxUses", 1));
        String soon = invite(ann, Map.of("expiresInMs", 60_000));
        String revoked = invite(ann, Map.of());
        JsonNode other = t.huddle(ann, "Other");
        String foreign = api.post("/api/huddles/" + other.get("id").asText() + "/invites", ann.token(), Map.of())
                .json().get("inviteToken").asText();
        assertThat(api.delete("/api/huddles/" + id + "/invites/" + revoked, ann.token()).json().get("revoked").asBoolean()).isTrue();
        assertThat(join(bob, "inviteToken", once).status()).isEqualTo(200);
        t.clock.advance(60_000);
        String forged = once.substring(0, 26) + "b".repeat(26);
        for (String bad : List.of(once, soon, revoked, foreign, forged, "x", "a".repeat(52))) {
            Api.Response r = join(cat, "role", "participant", "inviteToken", bad);
            assertThat(r.status()).as(bad).isEqualTo(403);
            assertThat(r.errorCode()).as(bad).isEqualTo("invalid_invite");
        }
        assertThat(roleOf(cat)).isEqualTo("not_a_member");
        JsonNode listed = api.get("/api/huddles/" + id + "/invites", ann.token()).json().get("invites");
        assertThat(listed).hasSize(2);
        assertThat(listed.toString()).as("the list never shows a secret").doesNotContain(once).doesNotContain(soon);
        Api.Response observerInvite = api.post("/api/huddles/" + id + "/invites", ann.token(), Map.of("role", "observer"));
        assertThat(observerInvite.status()).isEqualTo(400);
        assertThat(api.post("/api/huddles/" + id + "/invites", ann.token(), Map.of("maxUses", 0)).status()).isEqualTo(400);
        assertThat(api.post("/api/huddles/" + id + "/invites", ann.token(), Map.of("expiresInMs", -5)).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("X1/H9: a huddle holds at most 100 invites (409 too_many_invites, nothing stored); revoking one makes room")
    void inviteCap() {
        String first = invite(ann, Map.of());
        for (int i = 1; i < 100; i++) {
            invite(ann, Map.of("maxUses", 1));
        }
        Api.Response over = api.post("/api/huddles/" + id + "/invites", ann.token(), Map.of());
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.errorCode()).isEqualTo("too_many_invites");
        assertThat(api.get("/api/huddles/" + id + "/invites", ann.token()).json().get("invites")).hasSize(100);
        assertThat(api.delete("/api/huddles/" + id + "/invites/" + first, ann.token()).json().get("revoked").asBoolean()).isTrue();
        assertThat(api.post("/api/huddles/" + id + "/invites", ann.token(), Map.of()).status()).isEqualTo(201);
    }

    @Test
    @DisplayName("H9: under closed nobody new joins (huddle_closed), not even with an invite; members stay")
    void closedPolicy() {
        assertThat(join(bob, "role", "participant").status()).isEqualTo(200);
        String token = invite(ann, Map.of());
        settings(ann, Map.of("joinPolicy", "closed"));
        for (Api.Response r : List.of(join(cat, "role", "observer"), join(cat, "inviteToken", token), t.open(cat, id))) {
            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("huddle_closed");
        }
        assertThat(api.post("/api/huddles/" + id + "/invites", ann.token(), Map.of()).errorCode()).isEqualTo("huddle_closed");
        assertThat(roleOf(bob)).isEqualTo("participant");
        assertThat(roleOf(cat)).isEqualTo("not_a_member");
    }

    @Test
    @DisplayName("H9: the last host cannot demote or remove themself or leave without naming a host (409 last_host); naming one hands over")
    void lastHost() {
        assertThat(join(bob, "role", "participant").status()).isEqualTo(200);
        List<Api.Response> refused = List.of(
                api.put("/api/huddles/" + id + "/members/" + ann.userId(), ann.token(), Map.of("role", "participant")),
                api.delete("/api/huddles/" + id + "/members/" + ann.userId(), ann.token()),
                join(ann, "role", "observer"),
                api.post("/api/huddles/" + id + "/leave", ann.token(), Map.of()));
        for (Api.Response r : refused) {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("last_host");
        }
        assertThat(roleOf(ann)).isEqualTo("host");
        Api.Response badHeir = api.post("/api/huddles/" + id + "/leave", ann.token(), Map.of("newHost", cat.userId()));
        assertThat(badHeir.status()).as("cat is no member").isEqualTo(404);
        Api.Response handOver = api.post("/api/huddles/" + id + "/leave", ann.token(), Map.of("newHost", bob.userId()));
        assertThat(handOver.status()).as(handOver.body()).isEqualTo(200);
        assertThat(roleOf(bob)).isEqualTo("host");
        assertThat(roleOf(ann)).isEqualTo("not_a_member");
    }

    @Test
    @DisplayName("H9: a removed member may come back; a banned one may not (banned), nor see a private huddle, until a host lifts the ban")
    void removeAndBan() {
        assertThat(join(bob, "role", "participant").status()).isEqualTo(200);
        assertThat(join(cat, "role", "participant").status()).isEqualTo(200);
        Api.Response removed = api.delete("/api/huddles/" + id + "/members/" + bob.userId(), ann.token());
        assertThat(removed.json().get("wasMember").asBoolean()).isTrue();
        assertThat(roleOf(bob)).isEqualTo("not_a_member");
        assertThat(join(bob, "role", "participant").status()).as("removed, not banned").isEqualTo(200);

        assertThat(api.delete("/api/huddles/" + id + "/members/" + cat.userId() + "?ban=true", ann.token()).status()).isEqualTo(200);
        for (Api.Response r : List.of(join(cat, "role", "participant"), t.open(cat, id), join(cat, "inviteToken", invite(ann, Map.of())))) {
            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("banned");
        }
        assertThat(t.read(cat, slug).status()).as("public: anyone may watch").isEqualTo(200);
        settings(ann, Map.of("publicViewing", false));
        assertThat(t.read(cat, slug).status()).isEqualTo(404);
        assertThat(api.delete("/api/huddles/" + id + "/members/" + bob.userId() + "?ban=maybe", ann.token()).status()).isEqualTo(400);
        assertThat(roleOf(bob)).isEqualTo("participant");

        assertThat(api.delete("/api/huddles/" + id + "/bans/" + cat.userId(), ann.token()).json().get("wasBanned").asBoolean()).isTrue();
        assertThat(api.delete("/api/huddles/" + id + "/bans/" + cat.userId(), ann.token()).json().get("wasBanned").asBoolean()).isFalse();
        assertThat(join(cat, "role", "participant").status()).as("private: not found without an invite").isEqualTo(404);
        assertThat(join(cat, "inviteToken", invite(ann, Map.of())).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("H9: a host promotes and demotes; a non-member cannot be given a role (404); roles in the member list follow")
    void hostChangesRoles() {
        assertThat(join(bob, "role", "observer").status()).isEqualTo(200);
        String members = "/api/huddles/" + id + "/members/";
        assertThat(api.put(members + bob.userId(), ann.token(), Map.of("role", "host")).status()).isEqualTo(200);
        assertThat(members()).containsEntry(bob.userId(), "host");
        assertThat(api.put(members + ann.userId(), bob.token(), Map.of("role", "observer")).status())
                .as("a second host may demote the first").isEqualTo(200);
        assertThat(members()).containsEntry(ann.userId(), "observer");
        assertThat(api.put(members + cat.userId(), bob.token(), Map.of("role", "participant")).status()).isEqualTo(404);
        assertThat(api.put(members + ann.userId(), bob.token(), Map.of("role", "admin")).status()).isEqualTo(400);
    }
}
