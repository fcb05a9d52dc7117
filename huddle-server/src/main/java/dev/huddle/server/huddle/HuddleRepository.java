package dev.huddle.server.huddle;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** Huddles and memberships in the relational store. Portable SQL (SQLite and PostgreSQL). */
public final class HuddleRepository {
    private static final RowMapper<Huddle> HUDDLE = (rs, ctx) -> new Huddle(rs.getString("id"), rs.getString("slug"),
            rs.getString("title"), rs.getString("created_by"), rs.getLong("created_at"), rs.getBoolean("public_viewing"));
    private static final String COLUMNS = "id, slug, title, created_by, created_at, public_viewing";

    private final Jdbi jdbi;

    public HuddleRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Inserts a huddle and its creator's participant membership in one transaction. */
    public void create(Huddle h) {
        jdbi.useTransaction(tx -> {
            tx.createUpdate("INSERT INTO huddles (" + COLUMNS + ") VALUES (:id, :slug, :title, :by, :at, :pub)")
                    .bind("id", h.id()).bind("slug", h.slug()).bind("title", h.title()).bind("by", h.createdBy())
                    .bind("at", h.createdAt()).bind("pub", h.publicViewing()).execute();
            upsertMember(tx, h.id(), h.createdBy(), Role.PARTICIPANT, h.createdAt());
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
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT role FROM memberships WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddleId).bind("u", userId)
                .map((rs, ctx) -> Role.parse("role", rs.getString("role"))).findOne());
    }

    /** Adds the user as an observer unless they are already a member (H3); true if added. */
    public boolean addObserverIfAbsent(String huddleId, String userId, long now) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO memberships (huddle_id, user_id, role, joined_at) "
                        + "VALUES (:h, :u, 'observer', :at) ON CONFLICT (huddle_id, user_id) DO NOTHING")
                .bind("h", huddleId).bind("u", userId).bind("at", now).execute()) > 0;
    }

    /** Makes the user a member with {@code role}, keeping the original join time if they already were one. */
    public void setRole(String huddleId, String userId, Role role, long now) {
        jdbi.useHandle(h -> upsertMember(h, huddleId, userId, role, now));
    }

    /** Removes the membership; true if there was one. */
    public boolean removeMember(String huddleId, String userId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM memberships WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddleId).bind("u", userId).execute()) > 0;
    }

    /** Members with their display names, earliest joined first. */
    public List<Member> members(String huddleId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT m.user_id, u.display_name, m.role, m.joined_at "
                        + "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.huddle_id = :h "
                        + "ORDER BY m.joined_at, m.user_id")
                .bind("h", huddleId)
                .map((rs, ctx) -> new Member(rs.getString("user_id"), rs.getString("display_name"),
                        Role.parse("role", rs.getString("role")), rs.getLong("joined_at")))
                .list());
    }

    private static void upsertMember(Handle h, String huddleId, String userId, Role role, long now) {
        h.createUpdate("INSERT INTO memberships (huddle_id, user_id, role, joined_at) VALUES (:h, :u, :r, :at) "
                        + "ON CONFLICT (huddle_id, user_id) DO UPDATE SET role = excluded.role")
                .bind("h", huddleId).bind("u", userId).bind("r", role.wire()).bind("at", now).execute();
    }
}
