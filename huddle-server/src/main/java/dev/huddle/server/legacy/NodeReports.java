package dev.huddle.server.legacy;

import dev.huddle.server.config.PresenceSource;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L3: what each running node says about itself in {@code presence_nodes} — the presence source it
 * really uses, and when it last said so (wall-clock milliseconds: liveness is real time, whatever
 * clock the engine runs on). A node reports every {@link #EVERY}, at each switch of its flag, and
 * deletes its row when it stops cleanly; the retirement command reads the rows
 * ({@link #recentlySeen}) and refuses while a node seen within {@link #LIVE_WITHIN} is not
 * {@code component}.
 */
public final class NodeReports {
    /** How often a running node reports. */
    public static final Duration EVERY = Duration.ofSeconds(5);
    /** A node whose last report is younger than this counts as running. */
    public static final Duration LIVE_WITHIN = Duration.ofMinutes(1);
    // The rollout's events share one logger, the one docs/operations.md names.
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);

    /** One node's last report. */
    public record Node(String nodeId, PresenceSource source, long seenAt) {
    }

    private final Jdbi jdbi;
    private final String nodeId;
    private final Supplier<PresenceSource> source;
    /** Failed reports in a row; only the first of a run is logged. */
    private int failures;

    NodeReports(Jdbi jdbi, String nodeId, Supplier<PresenceSource> source) {
        this.jdbi = jdbi;
        this.nodeId = nodeId;
        this.source = source;
    }

    String nodeId() {
        return nodeId;
    }

    /** Reports this node's source now; a failure is logged (the first of a run) and retried at the next report. */
    synchronized void report() {
        PresenceSource now = source.get();
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                    INSERT INTO presence_nodes (node_id, source, seen_at) VALUES (:n, :s, :t)
                    ON CONFLICT (node_id) DO UPDATE SET source = :s, seen_at = :t""")
                    .bind("n", nodeId).bind("s", now.wire()).bind("t", System.currentTimeMillis()).execute());
            if (failures > 0) {
                LOG.info("event=presence_node_report_recovered node={} failed_reports={}", nodeId, failures);
                failures = 0;
            }
        } catch (RuntimeException e) {
            if (failures++ == 0) {
                LOG.warn("event=presence_node_report_failed node={} error={}", nodeId, e.toString());
            }
        }
    }

    /** This node stops: its row goes, so a retirement right after does not wait for it to age out. */
    synchronized void withdraw() {
        try {
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM presence_nodes WHERE node_id = :n").bind("n", nodeId).execute());
        } catch (RuntimeException e) {
            LOG.warn("event=presence_node_withdraw_failed node={} error={}", nodeId, e.toString());
        }
    }

    /** Every node that reported at or after {@code since} (wall-clock ms), by node id. */
    public static List<Node> recentlySeen(Jdbi jdbi, long since) {
        return jdbi.withHandle(h -> h.createQuery(
                "SELECT node_id, source, seen_at FROM presence_nodes WHERE seen_at >= :t ORDER BY node_id")
                .bind("t", since)
                .map((rs, ctx) -> new Node(rs.getString(1), PresenceSource.parse(rs.getString(2)), rs.getLong(3)))
                .list());
    }
}
