package dev.huddle.load;

import dev.huddle.client.RoomConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Whether the live clients agree: every one joined, and all clients of a room at the same sequence number. */
final class Convergence {
    private final List<SimulatedUser> live;
    private final long settleMs;

    Convergence(List<SimulatedUser> live, long settleMs) {
        this.live = live;
        this.settleMs = settleMs;
    }

    /** Every live client is joined, and all clients of a room hold the same sequence number. */
    boolean converged() {
        Map<String, Long> seqs = new HashMap<>();
        for (SimulatedUser u : live) {
            RoomConnection c = u.conn;
            if (c == null || c.status() != RoomConnection.Status.JOINED) {
                return false;
            }
            Long prev = seqs.putIfAbsent(u.room, c.state().seq());
            if (prev != null && prev != c.state().seq()) {
                return false;
            }
        }
        return true;
    }

    /** Waits up to {@code --settle-s} for the clients to converge. */
    void await() throws InterruptedException {
        Poll.until(settleMs, this::converged);
    }

    /**
     * Waits until every client of a room ends on the same sequence number. A coalesced flag update may
     * still sit in the server's 100 ms window: converge, wait past it, converge again.
     */
    void settle() throws InterruptedException {
        await();
        Poll.until(300, () -> false);
        await();
    }
}
