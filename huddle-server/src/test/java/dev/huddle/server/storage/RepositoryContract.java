package dev.huddle.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.server.huddle.Huddle;
import dev.huddle.server.huddle.HuddleRepository.Outcome;
import dev.huddle.server.huddle.InviteRepository;
import dev.huddle.server.huddle.JoinPolicy;
import java.util.Optional;
import dev.huddle.server.huddle.HuddleRepository;
import dev.huddle.server.huddle.Slugs;
import dev.huddle.server.huddle.Member;
import dev.huddle.server.huddle.Role;
import dev.huddle.server.user.Ids;
import dev.huddle.server.user.User;
import dev.huddle.server.user.UserRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The repository behaviour every database must give (SQLite and PostgreSQL run the same tests). */
abstract class RepositoryContract {
    UserRepository users;
    HuddleRepository huddles;
    static int counter;
    String ann;
    String bob;

    /** A migrated, empty-or-shared database for this test. */
    abstract Database database();

    @BeforeEach
    void repositories() {
        users = new UserRepository(database().jdbi());
        huddles = new HuddleRepository(database().jdbi());
        counter++;
        ann = "ann" + counter + System.nanoTime();
        bob = "bob" + counter + System.nanoTime();
        users.insert(new User(ann, "Ann", "https://example.com/a.png", 1));
        users.insert(new User(bob, "Bob", null, 2));
    }

    private Huddle huddle(String id, String slug) {
        Huddle h = new Huddle(id, slug, "Title " + id, ann, 10, true, dev.huddle.server.huddle.JoinPolicy.OPEN);
        huddles.create(h);
        return h;
    }

    @Test
    @DisplayName("Bad input: ids and slugs that no huddle could have (a NUL, markup, upper case) find nothing, on every database")
    void impossibleIdsFindNothing() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("real"));
        for (String bad : new String[] {"a\u0000b", h.id() + "\u0000", h.id().toUpperCase(), "<script>", "", " " + h.id()}) {
            assertThat(huddles.findById(bad)).as("id %s", bad).isEmpty();
            assertThat(huddles.findBySlug(bad)).as("slug %s", bad).isEmpty();
        }
        assertThat(huddles.findBySlug(h.slug() + "\u0000")).isEmpty();
        assertThat(huddles.findById(h.id())).isPresent();
        assertThat(huddles.findBySlug(h.slug())).isPresent();
    }

    @Test
    @DisplayName("users: insert, find, insertIfAbsent keeps the first profile")
    void users() {
        assertThat(users.find(ann)).hasValueSatisfying(u -> {
            assertThat(u.displayName()).isEqualTo("Ann");
            assertThat(u.avatarUrl()).isEqualTo("https://example.com/a.png");
            assertThat(u.createdAt()).isEqualTo(1);
        });
        assertThat(users.insertIfAbsent(new User(ann, "Other", null, 5)).displayName()).isEqualTo("Ann");
        assertThat(users.find("nobody")).isEmpty();
    }

    @Test
    @DisplayName("H1, H9: a huddle is found by id and by slug; the creator is its host; publicViewing and joinPolicy kept")
    void createAndFind() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("slug"));
        assertThat(huddles.findById(h.id())).contains(h);
        assertThat(huddles.findBySlug(h.slug())).contains(h);
        assertThat(huddles.findById(h.slug())).isEmpty();
        assertThat(huddles.role(h.id(), ann)).contains(Role.HOST);
        assertThat(huddles.slugTaken(h.slug())).isTrue();
    }

    @Test
    @DisplayName("H1: slugs are unique; a failed create leaves nothing behind")
    void slugUnique() {
        String dup = Slugs.forTitle("dup");
        huddle(Ids.huddleId(), dup);
        assertThatThrownBy(() -> huddle(Ids.huddleId(), dup)).isInstanceOf(RuntimeException.class);
        assertThat(huddles.findById("h2" + ann)).isEmpty();
        assertThat(huddles.role("h2" + ann, ann)).isEmpty();
    }

    @Test
    @DisplayName("H2, H3: observer registration is idempotent; setRole changes the role and keeps joinedAt; remove")
    void memberships() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("m"));
        assertThat(huddles.addObserverIfAbsent(h.id(), bob, 20)).isTrue();
        assertThat(huddles.addObserverIfAbsent(h.id(), bob, 30)).isFalse();
        assertThat(huddles.addObserverIfAbsent(h.id(), ann, 30)).as("a host stays one").isFalse();
        assertThat(huddles.role(h.id(), ann)).contains(Role.HOST);
        assertThat(huddles.role(h.id(), bob)).contains(Role.OBSERVER);

        huddles.setRole(h.id(), bob, Role.PARTICIPANT, 40);
        assertThat(huddles.members(h.id())).containsExactly(
                new Member(ann, "Ann", Role.HOST, 10), new Member(bob, "Bob", Role.PARTICIPANT, 20));

        assertThat(huddles.removeMember(h.id(), bob, Optional.empty(), false, 50)).isEqualTo(Outcome.DONE);
        assertThat(huddles.removeMember(h.id(), bob, Optional.empty(), false, 50)).isEqualTo(Outcome.NOT_MEMBER);
        assertThat(huddles.role(h.id(), bob)).isEmpty();
        assertThat(huddles.removedByHost(h.id(), bob)).as("a leave is no host's removal").isFalse();
    }

    @Test
    @DisplayName("the schema refuses a role other than host, participant or observer")
    void roleChecked() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("r"));
        assertThatThrownBy(() -> database().jdbi().useHandle(x -> x.execute(
                "INSERT INTO memberships (huddle_id, user_id, role, joined_at) VALUES (?, ?, 'admin', 1)", h.id(), bob)))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    @DisplayName("public_viewing defaults to true when not given")
    void publicViewingDefault() {
        String id = Ids.huddleId();
        database().jdbi().useHandle(x -> x.execute(
                "INSERT INTO huddles (id, slug, title, created_by, created_at) VALUES (?, ?, 't', ?, 1)",
                id, Slugs.forTitle("d"), ann));
        assertThat(huddles.findById(id)).hasValueSatisfying(h -> assertThat(h.publicViewing()).isTrue());
    }

    @Test
    @DisplayName("H9: the last host can be neither demoted nor removed; with a second host either can go")
    void lastHost() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("hosts"));
        huddles.setRole(h.id(), bob, Role.OBSERVER, 20);
        assertThat(huddles.changeRole(h.id(), ann, Role.PARTICIPANT)).isEqualTo(Outcome.LAST_HOST);
        assertThat(huddles.removeMember(h.id(), ann, Optional.of(ann), false, 30)).isEqualTo(Outcome.LAST_HOST);
        assertThat(huddles.role(h.id(), ann)).as("a refusal changes nothing").contains(Role.HOST);
        assertThat(huddles.changeRole(h.id(), bob, Role.HOST)).isEqualTo(Outcome.DONE);
        assertThat(huddles.changeRole(h.id(), ann, Role.OBSERVER)).isEqualTo(Outcome.DONE);
        assertThat(huddles.changeRole(h.id(), bob, Role.OBSERVER)).isEqualTo(Outcome.LAST_HOST);
        assertThat(huddles.changeRole(h.id(), "nobody", Role.HOST)).isEqualTo(Outcome.NOT_MEMBER);
    }

    @Test
    @DisplayName("H9: settings are stored; a removal with a ban keeps the user out until unbanned")
    void settingsAndBans() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("settings"));
        Huddle changed = new Huddle(h.id(), h.slug(), "New", ann, h.createdAt(), false, JoinPolicy.INVITE);
        huddles.updateSettings(changed);
        assertThat(huddles.findById(h.id())).contains(changed);

        huddles.setRole(h.id(), bob, Role.PARTICIPANT, 20);
        assertThat(huddles.removeMember(h.id(), bob, Optional.of(ann), true, 30)).isEqualTo(Outcome.DONE);
        assertThat(huddles.banned(h.id(), bob)).isTrue();
        assertThat(huddles.removedByHost(h.id(), bob)).isTrue();
        assertThat(huddles.unban(h.id(), bob)).isTrue();
        assertThat(huddles.banned(h.id(), bob)).isFalse();

        assertThat(huddles.removeMember(h.id(), bob, Optional.of(ann), false, 40)).as("not a member any more")
                .isEqualTo(Outcome.NOT_MEMBER);
        assertThat(huddles.removedByHost(h.id(), bob)).isTrue();
        huddles.setRole(h.id(), bob, Role.OBSERVER, 50);
        assertThat(huddles.removedByHost(h.id(), bob)).as("coming back forgets an unbanned removal").isFalse();
    }

    @Test
    @DisplayName("H9: an invite admits maxUses joins until it expires; forged, foreign, expired, used-up and revoked tokens admit nobody")
    void invites() {
        InviteRepository invites = new InviteRepository(database().jdbi());
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("inv"));
        Huddle other = huddle(Ids.huddleId(), Slugs.forTitle("other"));
        String twice = invites.create(h.id(), Role.PARTICIPANT, 2L, 1_000L, ann, 100);
        assertThat(twice).hasSize(InviteRepository.TOKEN_LENGTH);
        assertThat(invites.redeem(other.id(), twice, 200)).as("another huddle's token").isEmpty();
        String forged = twice.substring(0, 26) + "a".repeat(26);
        assertThat(invites.redeem(h.id(), forged, 200)).as("right id, wrong secret").isEmpty();
        assertThat(invites.redeem(h.id(), twice, 200)).contains(Role.PARTICIPANT);
        assertThat(invites.redeem(h.id(), twice, 1_000)).as("expired").isEmpty();
        assertThat(invites.redeem(h.id(), twice, 300)).contains(Role.PARTICIPANT);
        assertThat(invites.redeem(h.id(), twice, 400)).as("used up").isEmpty();
        assertThat(invites.list(h.id())).singleElement().satisfies(i -> {
            assertThat(i.uses()).isEqualTo(2);
            assertThat(i.maxUses()).isEqualTo(2L);
            assertThat(i.expiresAt()).isEqualTo(1_000L);
        });

        String host = invites.create(h.id(), Role.HOST, null, null, ann, 500);
        assertThat(invites.revoke(other.id(), host)).as("only from its own huddle").isFalse();
        assertThat(invites.revoke(h.id(), host.substring(0, 26))).isTrue();
        assertThat(invites.redeem(h.id(), host, 600)).as("revoked").isEmpty();
        for (String bad : new String[] {"", "x", host + "x", "\u0000".repeat(52)}) {
            assertThat(invites.redeem(h.id(), bad, 600)).isEmpty();
        }
    }
}
