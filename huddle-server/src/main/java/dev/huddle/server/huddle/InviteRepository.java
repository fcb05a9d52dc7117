package dev.huddle.server.huddle;

import dev.huddle.server.user.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Invite tokens (H9). A token is a 26-character id (130 random bits, its public half: hosts list and
 * revoke by it) followed by a 26-character secret (130 more random bits, from {@link Ids}' CSPRNG).
 * Only the secret's SHA-256 is stored, and it is compared in constant time, so neither the database
 * nor the timing of a wrong guess gives a token away. Use is counted atomically: an invite with
 * {@code maxUses} n admits n joins, even when they race.
 */
public final class InviteRepository {
    /** Characters in a token: id then secret. */
    public static final int TOKEN_LENGTH = 52;
    private static final int ID_LENGTH = 26;
    private static final RowMapper<Invite> INVITE = (rs, ctx) -> new Invite(rs.getString("id"),
            Role.parse("role", rs.getString("role")), nullableLong(rs, "max_uses"), rs.getLong("uses"),
            nullableLong(rs, "expires_at"), rs.getString("created_by"), rs.getLong("created_at"));
    private static final String COLUMNS = "id, role, max_uses, uses, expires_at, created_by, created_at";

    private final Jdbi jdbi;

    public InviteRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A new invite; returns its token (shown once, to the host who made it). */
    public String create(String huddleId, Role role, Long maxUses, Long expiresAt, String createdBy, long now) {
        String id = Ids.random(ID_LENGTH);
        String secret = Ids.random(TOKEN_LENGTH - ID_LENGTH);
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO huddle_invites (id, huddle_id, secret_hash, role, max_uses, uses, "
                        + "expires_at, created_by, created_at) VALUES (:id, :h, :hash, :role, :max, 0, :exp, :by, :at)")
                .bind("id", id).bind("h", huddleId).bind("hash", hash(secret)).bind("role", role.wire())
                .bind("max", maxUses).bind("exp", expiresAt).bind("by", createdBy).bind("at", now).execute());
        return id + secret;
    }

    /** How many invites the huddle holds (revoked ones are gone; expired and used-up ones count until revoked). */
    public int count(String huddleId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM huddle_invites WHERE huddle_id = :h")
                .bind("h", huddleId).mapTo(Integer.class).one());
    }

    /** The huddle's invites, newest first. */
    public List<Invite> list(String huddleId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM huddle_invites WHERE huddle_id = :h "
                        + "ORDER BY created_at DESC, id")
                .bind("h", huddleId).map(INVITE).list());
    }

    /** Revokes the invite of this token or id; true if the huddle had it. */
    public boolean revoke(String huddleId, String tokenOrId) {
        if (tokenOrId == null || tokenOrId.length() < ID_LENGTH) {
            return false;
        }
        String id = tokenOrId.substring(0, ID_LENGTH);
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM huddle_invites WHERE huddle_id = :h AND id = :id")
                .bind("h", huddleId).bind("id", id).execute()) > 0;
    }

    /**
     * Uses the token to join {@code huddleId}: if it is this huddle's, unexpired at {@code now} and not
     * used up, counts one use and returns the role it grants; empty otherwise (one answer for every
     * reason, so a caller learns nothing about which).
     */
    public Optional<Role> redeem(String huddleId, String token, long now) {
        if (token == null || token.length() != TOKEN_LENGTH || !Ids.looksLikeId(token.substring(0, ID_LENGTH))) {
            return Optional.empty();
        }
        String id = token.substring(0, ID_LENGTH);
        byte[] given = hash(token.substring(ID_LENGTH)).getBytes(StandardCharsets.US_ASCII);
        return jdbi.inTransaction(tx -> {
            Optional<String[]> row = tx.createQuery("SELECT secret_hash, role FROM huddle_invites "
                            + "WHERE id = :id AND huddle_id = :h AND (expires_at IS NULL OR expires_at > :now) "
                            + "AND (max_uses IS NULL OR uses < max_uses)")
                    .bind("id", id).bind("h", huddleId).bind("now", now)
                    .map((rs, ctx) -> new String[] {rs.getString("secret_hash"), rs.getString("role")}).findOne();
            if (row.isEmpty() || !MessageDigest.isEqual(row.get()[0].getBytes(StandardCharsets.US_ASCII), given)) {
                return Optional.<Role>empty();
            }
            int counted = tx.createUpdate("UPDATE huddle_invites SET uses = uses + 1 WHERE id = :id "
                            + "AND (max_uses IS NULL OR uses < max_uses)")
                    .bind("id", id).execute();
            return counted == 1 ? Optional.of(Role.parse("role", row.get()[1])) : Optional.<Role>empty();
        });
    }

    /** A nullable BIGINT, read the same way on SQLite and PostgreSQL. */
    private static Long nullableLong(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
