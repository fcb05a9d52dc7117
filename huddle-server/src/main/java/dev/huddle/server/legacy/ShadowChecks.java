package dev.huddle.server.legacy;

import dev.huddle.presence.Change;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.RolloutSettings;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When shadow mode compares the two views of a room (L2): after every legacy call that wrote both,
 * after every change the engine reports, and for every room it knows of on a timer. The comparison
 * itself, and what it logs and counts, is {@link ShadowComparator}'s. A lock keeps a comparison from
 * seeing half of a write that touches both views, and a switch of mode from happening in the middle of
 * either. Comparisons run on the legacy tracker's job thread, never on the caller's.
 */
final class ShadowChecks {
    // The rollout's events share one logger, the one docs/operations.md names.
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);

    private final ShadowComparator comparator;
    private final LegacyPresenceTable table;
    private final RolloutFlag flag;
    private final TimeSource time;
    private final RolloutSettings settings;
    private final ScheduledExecutorService jobs;
    /** The rooms the timer compares: every room a legacy call or an engine change named, or a row was seeded for. */
    private final Set<String> knownRooms = ConcurrentHashMap.newKeySet();
    /** Held while a shadow write touches both views, while comparing, and while the mode switches. */
    private final ReentrantLock lock = new ReentrantLock();

    ShadowChecks(ShadowComparator comparator, LegacyPresenceTable table, RolloutFlag flag, TimeSource time,
            RolloutSettings settings, ScheduledExecutorService jobs) {
        this.comparator = comparator;
        this.table = table;
        this.flag = flag;
        this.time = time;
        this.settings = settings;
        this.jobs = jobs;
    }

    /** Runs {@code step} with no comparison under way, and none starting until it is done. */
    <T> T exclusive(Supplier<T> step) {
        lock.lock();
        try {
            return step.get();
        } finally {
            lock.unlock();
        }
    }

    /** The rooms known so far (a copy). */
    Set<String> knownRooms() {
        return Set.copyOf(knownRooms);
    }

    /** A room the timer should compare from now on. */
    void roomSeen(String room) {
        knownRooms.add(room);
    }

    /** The rooms of the table's fresh rows become known, as carrying them into the engine does. */
    void learnTableRooms() {
        for (LegacyPresenceTable.Row r : table.allFresh(time.millis() - settings.staleAfterMs())) {
            knownRooms.add(r.huddleId());
        }
    }

    /** In shadow mode, an engine change of a room makes the room known and compared. */
    void onChange(Change change) {
        if (flag.current() == PresenceSource.SHADOW) {
            knownRooms.add(change.roomId());
            compareSoon(change.roomId());
        }
    }

    /** Compares {@code room} on the job thread, after what is queued there. */
    void compareSoon(String room) {
        try {
            jobs.execute(() -> {
                try {
                    compare(room);
                } catch (RuntimeException e) {
                    LOG.warn("event=shadow_compare_failed room={} error={}", room, e.toString());
                }
            });
        } catch (RejectedExecutionException closed) {
            // shutting down
        }
    }

    /** Compares every known room on the job thread, after what is queued there. */
    void compareAllSoon() {
        try {
            jobs.execute(this::compareAllQuietly);
        } catch (RejectedExecutionException closed) {
            // shutting down
        }
    }

    /** Compares every known room now, after every comparison already queued; waits at most 10 s. */
    void compareAllNow() {
        try {
            jobs.submit(this::compareAllQuietly).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("shadow comparison did not finish", e);
        }
    }

    /** The timer's comparison: every known room, and every room with a standing mismatch. Never throws. */
    void compareAllQuietly() {
        try {
            for (String room : knownRooms) {
                compare(room);
            }
            for (String room : comparator.roomsWithMismatches()) {
                compare(room);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=shadow_compare_failed error={}", e.toString());
        }
    }

    /** Leaving shadow mode: the standing mismatches are forgotten (under the lock, with the switch). */
    void forgetMismatches() {
        comparator.reset();
    }

    private int compare(String room) {
        if (flag.current() != PresenceSource.SHADOW || flag.retired()) {
            return 0;
        }
        return exclusive(() -> comparator.compare(room, table.fresh(room, time.millis() - settings.staleAfterMs())));
    }
}
