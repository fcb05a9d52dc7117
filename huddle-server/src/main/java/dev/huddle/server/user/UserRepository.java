package dev.huddle.server.user;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Users in the relational store. */
public final class UserRepository {
    private final Jdbi jdbi;

    public UserRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Inserts a new user. */
    public void insert(User u) {
        jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO users (id, display_name, avatar_url, created_at) VALUES (:id, :name, :avatar, :at)")
                .bind("id", u.id()).bind("name", u.displayName()).bind("avatar", u.avatarUrl())
                .bind("at", u.createdAt()).execute());
    }

    /** Inserts the user unless one with that id exists; returns the stored user either way. */
    public User insertIfAbsent(User u) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO users (id, display_name, avatar_url, created_at) "
                        + "VALUES (:id, :name, :avatar, :at) ON CONFLICT (id) DO NOTHING")
                .bind("id", u.id()).bind("name", u.displayName()).bind("avatar", u.avatarUrl())
                .bind("at", u.createdAt()).execute());
        return find(u.id()).orElseThrow();
    }

    /** The user with that id. */
    public Optional<User> find(String id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, display_name, avatar_url, created_at FROM users WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new User(rs.getString("id"), rs.getString("display_name"),
                        rs.getString("avatar_url"), rs.getLong("created_at")))
                .findOne());
    }
}
