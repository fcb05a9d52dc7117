package dev.huddle.server.live;

import java.nio.ByteBuffer;

/**
 * A frame's UTF-8 bytes as the outbound queues hold them (X1): one array, queued by reference by
 * every socket it goes to, and charged to the {@link OutboundBudget} once while any queue holds it —
 * a change fanned out to a room's subscribers, or a snapshot of a room at one seq that many sockets
 * asked for, exists in memory once and counts once.
 */
final class SharedBytes {
    private final ByteBuffer bytes;
    // Guarded by this.
    private int holders;

    SharedBytes(ByteBuffer bytes) {
        this.bytes = bytes.asReadOnlyBuffer();
    }

    /** A view of the bytes to send (its own position). */
    ByteBuffer view() {
        return bytes.slice();
    }

    int size() {
        return bytes.remaining();
    }

    /** One more queue holds these bytes; the first charges the budget. False (and nothing held) when the budget has no room. */
    synchronized boolean hold(OutboundBudget budget) {
        if (holders == 0 && !budget.tryCharge(size())) {
            return false;
        }
        holders++;
        return true;
    }

    /** A queue let go of these bytes (sent or dropped); the last gives them back to the budget. */
    synchronized void release(OutboundBudget budget) {
        if (holders > 0 && --holders == 0) {
            budget.release(size());
        }
    }
}
