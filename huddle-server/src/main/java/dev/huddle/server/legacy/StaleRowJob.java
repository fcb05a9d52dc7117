package dev.huddle.server.legacy;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.RolloutSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy tracker's stale-row job (L1): deletes the table's rows older than 2.5 heartbeat intervals.
 * Does nothing in {@code component} (L3) or once the table is retired. Runs every heartbeat interval.
 */
final class StaleRowJob {
    // The rollout's events share one logger, the one docs/operations.md names.
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);

    private final LegacyPresenceTable table;
    private final RolloutFlag flag;
    private final TimeSource time;
    private final RolloutSettings settings;

    StaleRowJob(LegacyPresenceTable table, RolloutFlag flag, TimeSource time, RolloutSettings settings) {
        this.table = table;
        this.flag = flag;
        this.time = time;
        this.settings = settings;
    }

    /** Deletes the stale rows now; returns how many. */
    int sweep() {
        if (!flag.tableInUse()) {
            return 0;
        }
        int n = table.deleteStale(time.millis() - settings.staleAfterMs());
        if (n > 0) {
            LOG.info("event=legacy_presence_swept rows={}", n);
        }
        return n;
    }

    /** The timer's run: as {@link #sweep()}, logging a failure instead of throwing (which would stop the timer). */
    void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("event=legacy_presence_sweep_failed error={}", e.toString());
        }
    }
}
