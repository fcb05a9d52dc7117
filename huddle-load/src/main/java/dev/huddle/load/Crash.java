package dev.huddle.load;

import dev.huddle.client.Participant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The crash phase ({@code --crash-clients}): kills clients without a goodbye (the socket is cut, the
 * client never reconnects), then waits until every remaining client of each victim's room has seen the
 * victim go offline, and measures how long that took against the bound (2.5 × interval + 500 ms, P1)
 * and against each session's deadline.
 */
final class Crash {
    /** A killed client: how many observers must see it leave, and when the last of them did. */
    private static final class Kill {
        final String room;
        final int observers;
        volatile long killedNanos;
        private int seen;
        long lastSeenNanos;
        long lastSeenWallMs;
        long deadlineMs;

        Kill(String room, int observers) {
            this.room = room;
            this.observers = observers;
        }

        synchronized void seen(long nanos, long wallMs, long lastDisconnected) {
            seen++;
            lastSeenNanos = Math.max(lastSeenNanos, nanos);
            lastSeenWallMs = Math.max(lastSeenWallMs, wallMs);
            deadlineMs = lastDisconnected;
        }

        synchronized boolean seenByAll() {
            return seen >= observers;
        }
    }

    private final LoadOptions options;
    private final Measurements measured;
    private final Progress progress;
    private final Map<String, Kill> kills = new ConcurrentHashMap<>();

    Crash(LoadOptions options, Measurements measured, Progress progress) {
        this.options = options;
        this.measured = measured;
        this.progress = progress;
    }

    /** A client of {@code room} saw {@code other} go offline: counts toward a killed user's observers. */
    void seen(String room, Participant other) {
        Kill k = kills.get(other.userId());
        if (k != null && k.room.equals(room)) {
            k.seen(System.nanoTime(), System.currentTimeMillis(), other.lastDisconnected());
        }
    }

    /** Kills {@code --crash-clients} of {@code live} (they leave it) and measures until all observers see them offline. */
    Report.Crash run(List<SimulatedUser> live) throws InterruptedException {
        Map<String, List<SimulatedUser>> byRoom = SimulatedUser.byRoom(live);
        List<SimulatedUser> victims = victims(byRoom);
        Map<String, Integer> killedPerRoom = new HashMap<>();
        victims.forEach(v -> killedPerRoom.merge(v.room, 1, Integer::sum));
        for (SimulatedUser v : victims) {
            kills.put(v.userId(), new Kill(v.room, byRoom.get(v.room).size() - killedPerRoom.get(v.room)));
        }
        live.removeAll(victims);
        long crashStart = System.nanoTime();
        for (SimulatedUser v : victims) {
            kills.get(v.userId()).killedNanos = System.nanoTime();
            v.conn.close(); // abort: no leave, no close frame, no reconnect (T2: the session lives to its deadline)
        }
        double boundMs = 2.5 * options.intervalMs + 500;
        progress.line("killed %d clients without a goodbye; waiting until every observer shows them offline (bound %.0f ms after the kill)",
                victims.size(), boundMs);
        Poll.until((long) boundMs + options.settleS * 1000, () -> kills.values().stream().allMatch(Kill::seenByAll));
        return summary(victims.size(), live.size(), boundMs, crashStart);
    }

    /** Round-robin over the rooms, from the end of each, always keeping the room's first client as an observer. */
    private List<SimulatedUser> victims(Map<String, List<SimulatedUser>> byRoom) {
        List<SimulatedUser> victims = new ArrayList<>();
        for (int round = 0; victims.size() < options.crashClients; round++) {
            boolean took = false;
            for (List<SimulatedUser> inRoom : byRoom.values()) {
                int i = inRoom.size() - 1 - round;
                if (i >= 1 && victims.size() < options.crashClients) {
                    victims.add(inRoom.get(i));
                    took = true;
                }
            }
            if (!took) {
                break;
            }
        }
        return victims;
    }

    private Report.Crash summary(int killed, int observers, double boundMs, long crashStart) {
        Latencies killToOffline = new Latencies();
        Latencies deadlineToOffline = new Latencies();
        int seen = 0;
        long overBound = 0;
        long overDeadline = 0;
        for (Kill k : kills.values()) {
            synchronized (k) {
                if (!k.seenByAll()) {
                    measured.error("offline_not_seen", 1);
                    continue;
                }
                seen++;
                long micros = (k.lastSeenNanos - k.killedNanos) / 1000;
                long afterDeadlineMicros = (k.lastSeenWallMs - k.deadlineMs) * 1000;
                long atMs = (k.lastSeenNanos - crashStart) / 1_000_000;
                killToOffline.add(atMs, micros);
                deadlineToOffline.add(atMs, afterDeadlineMicros);
                boolean late = micros > boundMs * 1000;
                overBound += late ? 1 : 0;
                overDeadline += afterDeadlineMicros > 500_000 ? 1 : 0;
                if (late || afterDeadlineMicros > 500_000) {
                    measured.error("offline_late", 1);
                }
            }
        }
        return new Report.Crash(killed, seen, observers, boundMs, killToOffline.summary(), overBound,
                deadlineToOffline.summary(), overDeadline);
    }
}
