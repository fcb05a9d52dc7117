package dev.huddle.server.legacy;

import dev.huddle.server.config.PresenceSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The legacy tracker's {@code presence} table (L1) and the recorded rollout flag (L2), over JDBI. */
public final class LegacyPresenceTable {
    static final String SOURCE_KEY = "presence.source";

    /** One legacy row. */
    public record Row(String huddleId, String userId, boolean isSpeaking, boolean isRecording, long lastSeen) {
    }

    private final Jdbi jdbi;

    public LegacyPresenceTable(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The database, for the node reports that share it ({@link NodeReports}). */
    Jdbi jdbi() {
        return jdbi;
    }

    /** upsertPresence: refreshes the row; a flag not given keeps its value (false for a new row). */
    public void upsert(String huddleId, String userId, Boolean speaking, Boolean recording, long now) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO presence (huddle_id, user_id, is_speaking, is_recording, last_seen)
                VALUES (:h, :u, COALESCE(:s, FALSE), COALESCE(:r, FALSE), :now)
                ON CONFLICT (huddle_id, user_id) DO UPDATE SET
                    is_speaking = COALESCE(:s, presence.is_speaking),
                    is_recording = COALESCE(:r, presence.is_recording),
                    last_seen = :now""")
                .bind("h", huddleId).bind("u", userId).bind("s", speaking).bind("r", recording).bind("now", now)
                .execute());
    }

    /** clearPresence: deletes the row; true if there was one. */
    public boolean clear(String huddleId, String userId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM presence WHERE huddle_id = :h AND user_id = :u")
                .bind("h", huddleId).bind("u", userId).execute()) > 0;
    }

    /** The room's rows seen after {@code freshAfter} (older ones are stale: gone for every reader), by user id. */
    public List<Row> fresh(String huddleId, long freshAfter) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT huddle_id, user_id, is_speaking, is_recording, last_seen FROM presence
                WHERE huddle_id = :h AND last_seen > :t ORDER BY user_id""")
                .bind("h", huddleId).bind("t", freshAfter)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getLong(5)))
                .list());
    }

    /** Every row seen after {@code freshAfter}, by huddle and user. */
    public List<Row> allFresh(long freshAfter) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT huddle_id, user_id, is_speaking, is_recording, last_seen FROM presence
                WHERE last_seen > :t ORDER BY huddle_id, user_id""")
                .bind("t", freshAfter)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getLong(5)))
                .list());
    }

    /** Every huddle that has a row, fresh or stale. */
    public List<String> huddles() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT huddle_id FROM presence ORDER BY huddle_id")
                .mapTo(String.class).list());
    }

    /** The stale-row job: deletes rows last seen at or before {@code cutoff}; returns how many. */
    public int deleteStale(long cutoff) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM presence WHERE last_seen <= :t").bind("t", cutoff).execute());
    }

    /** What the table holds: rows, distinct huddles, and rows stale at {@code cutoff}. */
    public record Report(long rows, long huddles, long stale) {
    }

    public Report report(long cutoff) {
        return jdbi.withHandle(h -> new Report(
                h.createQuery("SELECT COUNT(*) FROM presence").mapTo(Long.class).one(),
                h.createQuery("SELECT COUNT(DISTINCT huddle_id) FROM presence").mapTo(Long.class).one(),
                h.createQuery("SELECT COUNT(*) FROM presence WHERE last_seen <= :t").bind("t", cutoff).mapTo(Long.class).one()));
    }

    /** The rollout flag recorded by the last runtime switch, if any. */
    public Optional<PresenceSource> recordedSource() {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM rollout_settings WHERE name = :n")
                .bind("n", SOURCE_KEY).mapTo(String.class).findOne()).map(PresenceSource::parse);
    }

    /** Records a runtime switch of the rollout flag. */
    public void recordSource(PresenceSource source, long now) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO rollout_settings (name, value, updated_at) VALUES (:n, :v, :t)
                ON CONFLICT (name) DO UPDATE SET value = :v, updated_at = :t""")
                .bind("n", SOURCE_KEY).bind("v", source.wire()).bind("t", now).execute());
    }
}
