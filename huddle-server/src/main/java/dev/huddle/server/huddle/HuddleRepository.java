package dev.huddle.server.huddle;

import dev.huddle.server.user.Ids;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** Huddles and memberships in the relational store. Portable SQL (SQLite and PostgreSQL). */
public final class HuddleRepository {
    private static final RowMapper<Huddle> HUDDLE = (rs, ctx) -> new Huddle(rs.getString("id"), rs.getString("slug"),
            rs.getString("title"), rs.getString("created_by"), rs.getLong("created_at"), rs.getBoolean("public_viewing"),
            JoinPolicy.parse("join_policy", rs.getString("join_policy")));
    private static final RowMapper<Member> MEMBER = (rs, ctx) -> new Member(rs.getString("user_id"),
            rs.getString("display_name"), Role.parse("role", rs.getString("role")), rs.getLong("joined_at"));
    private static final String MEMBER_SELECT = "SELECT m.user_id, u.display_name, m.role, m.joined_at "
            + "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.huddle_id = :h ";
    private static final String COLUMNS = "id, slug, title, created_by, created_at, public_viewing, join_policy";

    private final Jdbi jdbi;

    public HuddleRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Inserts a huddle and its creator's host membership in one transaction (H9). */
    public void create(Huddle h) {
        jdbi.useTransaction(tx -> {
            tx.createUpdate("INSERT INTO huddles (" + COLUMNS + ") VALUES (:id, :slug, :title, :by, :at, :pub, :policy)")
                    .bind("id", h.id()).bind("slug", h.slug()).bind("title", h.title()).bind("by", h.createdBy())
                    .bind("at", h.createdAt()).bind("pub", h.publicViewing()).bind("policy", h.joinPolicy().wire()).execute();
            upsertMember(tx, h.id(), h.createdBy(), Role.HOST, h.createdAt());
        });
    }

    public boolean slugTaken(String slug) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM huddles WHERE slug = :slug")
                .bind("slug", slug).mapTo(Long.class).one()) > 0;
    }

    public Optional<Huddle> findById(String id) {
        if (!Ids.looksLikeId(id)) {
            return Optional.empty(); // never reaches the database: PostgreSQL refuses e.g. a NUL in text
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM huddles WHERE id = :id")
                .bind("id", id).map(HUDDLE).findOne());
    }

    public Optional<Huddle> findBySlug(String slug) {
        if (!Slugs.looksLikeSlug(slug)) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM huddles WHERE slug = :slug")
                .bind("slug", slug).map(HUDDLE).findOne());
    }

    /** The user's role in the huddle, or empty if they are not a member. */
    public Optional<Role> role(String huddleId, String userId) {
        return jdbi.withHandle(h -> role(h, huddleId, userId));
    }

    private static Optional<Role> role(Handle h, String huddleId, String userId) {
        return h.createQuery("SELECT role FROM memberships WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddleId).bind("u", userId)
                .map((rs, ctx) -> Role.parse("role", rs.getString("role"))).findOne();
    }

    /** Adds the user as an observer unless they are already a member (H3); true if added. */
    public boolean addObserverIfAbsent(String huddleId, String userId, long now) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO memberships (huddle_id, user_id, role, joined_at) "
                        + "VALUES (:h, :u, 'observer', :at) ON CONFLICT (huddle_id, user_id) DO NOTHING")
                .bind("h", huddleId).bind("u", userId).bind("at", now).execute()) > 0;
    }

    /**
     * Makes the user a member with {@code role}, keeping the original join time if they already were
     * one, and forgets an (unbanned) removal: they came back.
     */
    public void setRole(String huddleId, String userId, Role role, long now) {
        jdbi.useTransaction(h -> {
            upsertMember(h, huddleId, userId, role, now);
            h.createUpdate("DELETE FROM huddle_removals WHERE huddle_id = :h AND user_id = :u AND banned = :b")
                    .bind("h", huddleId).bind("u", userId).bind("b", false).execute();
        });
    }

    /** Stores the huddle's title, public viewing and join policy (H9). */
    public void updateSettings(Huddle h) {
        jdbi.useHandle(x -> x.createUpdate("UPDATE huddles SET title = :title, public_viewing = :pub, join_policy = :policy "
                        + "WHERE id = :id")
                .bind("title", h.title()).bind("pub", h.publicViewing()).bind("policy", h.joinPolicy().wire())
                .bind("id", h.id()).execute());
    }

    /** How many hosts the huddle has, inside a transaction. */
    private static long hostCount(Handle h, String huddleId) {
        return h.createQuery("SELECT COUNT(*) FROM memberships WHERE huddle_id = :h AND role = 'host'")
                .bind("h", huddleId).mapTo(Long.class).one();
    }

    /**
     * Changes a member's role unless that would leave the huddle without a host (H9); runs in one
     * transaction so two hosts demoting each other cannot both succeed.
     *
     * @return the outcome: {@code NOT_MEMBER}, {@code LAST_HOST} or {@code DONE}
     */
    public Outcome changeRole(String huddleId, String userId, Role role) {
        return jdbi.inTransaction(tx -> {
            Optional<Role> now = role(tx, huddleId, userId);
            if (now.isEmpty()) {
                return Outcome.NOT_MEMBER;
            }
            if (now.get() == Role.HOST && role != Role.HOST && hostCount(tx, huddleId) <= 1) {
                return Outcome.LAST_HOST;
            }
            tx.createUpdate("UPDATE memberships SET role = :r WHERE huddle_id = :h AND user_id = :u")
                    .bind("r", role.wire()).bind("h", huddleId).bind("u", userId).execute();
            return Outcome.DONE;
        });
    }

    /**
     * Removes a membership unless it is the huddle's last host (H9); with {@code removedBy} set (a
     * host's removal) records it, banned or not. One transaction.
     */
    public Outcome removeMember(String huddleId, String userId, Optional<String> removedBy, boolean ban, long now) {
        return jdbi.inTransaction(tx -> {
            Optional<Role> was = role(tx, huddleId, userId);
            if (was.isPresent() && was.get() == Role.HOST && hostCount(tx, huddleId) <= 1) {
                return Outcome.LAST_HOST;
            }
            tx.createUpdate("DELETE FROM memberships WHERE huddle_id = :h AND user_id = :u")
                    .bind("h", huddleId).bind("u", userId).execute();
            if (removedBy.isPresent()) {
                tx.createUpdate("DELETE FROM huddle_removals WHERE huddle_id = :h AND user_id = :u")
                        .bind("h", huddleId).bind("u", userId).execute();
                tx.createUpdate("INSERT INTO huddle_removals (huddle_id, user_id, banned, removed_by, removed_at) "
                                + "VALUES (:h, :u, :b, :by, :at)")
                        .bind("h", huddleId).bind("u", userId).bind("b", ban).bind("by", removedBy.get())
                        .bind("at", now).execute();
            }
            return was.isPresent() ? Outcome.DONE : Outcome.NOT_MEMBER;
        });
    }

    /** Whether a host banned the user from the huddle (H9). */
    public boolean banned(String huddleId, String userId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM huddle_removals WHERE huddle_id = :h AND user_id = :u AND banned = :b")
                .bind("h", huddleId).bind("u", userId).bind("b", true).mapTo(Long.class).one()) > 0;
    }

    /** Whether a host removed the user and they have not come back since. */
    public boolean removedByHost(String huddleId, String userId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM huddle_removals WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddleId).bind("u", userId).mapTo(Long.class).one()) > 0;
    }

    /** Lifts a ban (and forgets the removal); true if there was one. */
    public boolean unban(String huddleId, String userId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM huddle_removals WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddleId).bind("u", userId).execute()) > 0;
    }

    /** What a role change or removal did. */
    public enum Outcome { DONE, NOT_MEMBER, LAST_HOST }

    /** Members with their display names, earliest joined first. */
    public List<Member> members(String huddleId) {
        return jdbi.withHandle(h -> h.createQuery(MEMBER_SELECT + "ORDER BY m.joined_at, m.user_id")
                .bind("h", huddleId).map(MEMBER).list());
    }

    /** How many members a huddle has. */
    public long memberCount(String huddleId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM memberships WHERE huddle_id = :h")
                .bind("h", huddleId).mapTo(Long.class).one());
    }

    /** One member with their display name, if they are a member. */
    public Optional<Member> member(String huddleId, String userId) {
        return jdbi.withHandle(h -> h.createQuery(MEMBER_SELECT + "AND m.user_id = :u")
                .bind("h", huddleId).bind("u", userId).map(MEMBER).findOne());
    }

    /**
     * At most {@code limit} members in the order of {@link #members}, starting after the member at
     * {@code after} (joined at, user id) or at the first; a keyset walk, so its cost does not grow
     * with how far into the list it starts.
     */
    public List<Member> memberPage(String huddleId, Optional<MemberKey> after, int limit) {
        return jdbi.withHandle(h -> {
            var q = h.createQuery(MEMBER_SELECT
                    + (after.isPresent() ? "AND (m.joined_at > :at OR (m.joined_at = :at AND m.user_id > :u)) " : "")
                    + "ORDER BY m.joined_at, m.user_id LIMIT :limit").bind("h", huddleId).bind("limit", limit);
            after.ifPresent(k -> q.bind("at", k.joinedAt()).bind("u", k.userId()));
            return q.map(MEMBER).list();
        });
    }

    /** Where a member stands in the member order: joined at, then user id. */
    public record MemberKey(long joinedAt, String userId) {
    }

    private static void upsertMember(Handle h, String huddleId, String userId, Role role, long now) {
        h.createUpdate("INSERT INTO memberships (huddle_id, user_id, role, joined_at) VALUES (:h, :u, :r, :at) "
                        + "ON CONFLICT (huddle_id, user_id) DO UPDATE SET role = excluded.role")
                .bind("h", huddleId).bind("u", userId).bind("r", role.wire()).bind("at", now).execute();
    }
}
