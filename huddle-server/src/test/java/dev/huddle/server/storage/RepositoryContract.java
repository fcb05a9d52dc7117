package dev.huddle.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.server.huddle.Huddle;
import dev.huddle.server.huddle.HuddleRepository;
import dev.huddle.server.huddle.Ids;
import dev.huddle.server.huddle.Slugs;
import dev.huddle.server.huddle.Member;
import dev.huddle.server.huddle.Role;
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
        Huddle h = new Huddle(id, slug, "Title " + id, ann, 10, true);
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
    @DisplayName("H1: a huddle is found by id and by slug; the creator is a participant; publicViewing kept")
    void createAndFind() {
        Huddle h = huddle(Ids.huddleId(), Slugs.forTitle("slug"));
        assertThat(huddles.findById(h.id())).contains(h);
        assertThat(huddles.findBySlug(h.slug())).contains(h);
        assertThat(huddles.findById(h.slug())).isEmpty();
        assertThat(huddles.role(h.id(), ann)).contains(Role.PARTICIPANT);
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
        assertThat(huddles.addObserverIfAbsent(h.id(), ann, 30)).as("a participant stays one").isFalse();
        assertThat(huddles.role(h.id(), ann)).contains(Role.PARTICIPANT);
        assertThat(huddles.role(h.id(), bob)).contains(Role.OBSERVER);

        huddles.setRole(h.id(), bob, Role.PARTICIPANT, 40);
        assertThat(huddles.members(h.id())).containsExactly(
                new Member(ann, "Ann", Role.PARTICIPANT, 10), new Member(bob, "Bob", Role.PARTICIPANT, 20));

        assertThat(huddles.removeMember(h.id(), bob)).isTrue();
        assertThat(huddles.removeMember(h.id(), bob)).isFalse();
        assertThat(huddles.role(h.id(), bob)).isEmpty();
    }

    @Test
    @DisplayName("the schema refuses a role other than participant or observer")
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
}
