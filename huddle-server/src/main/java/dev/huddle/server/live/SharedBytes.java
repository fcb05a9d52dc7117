package dev.huddle.server.live;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A frame's UTF-8 bytes as the outbound queues hold them (X1): one array, queued by reference by
 * every socket it goes to, and charged to the {@link OutboundBudget} once while any queue holds it —
 * a change fanned out to a room's subscribers, or a snapshot of a room at one seq that many sockets
 * asked for, exists in memory once and counts once.
 */
final class SharedBytes {
    private final ByteBuffer bytes;
    /**
     * Queues holding these bytes. Counted without a lock: a flood's 2 000 sockets all queue the same
     * snapshot body, and a monitor here queued Jetty's threads (docs/BENCHMARKS.md, anon-flood).
     */
    private final AtomicInteger holders = new AtomicInteger();

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
    boolean hold(OutboundBudget budget) {
        while (true) {
            int n = holders.get();
            if (n > 0) {
                if (holders.compareAndSet(n, n + 1)) {
                    return true;
                }
            } else {
                if (!budget.tryCharge(size())) {
                    if (holders.get() > 0) {
                        continue; // another queue charged them meanwhile: nothing more to charge
                    }
                    return false;
                }
                if (holders.compareAndSet(0, 1)) {
                    return true;
                }
                budget.release(size()); // another queue became the first meanwhile and charged them
            }
        }
    }

    /** A queue let go of these bytes (sent or dropped); the last gives them back to the budget. */
    void release(OutboundBudget budget) {
        while (true) {
            int n = holders.get();
            if (n <= 0) {
                return;
            }
            if (holders.compareAndSet(n, n - 1)) {
                if (n == 1) {
                    budget.release(size());
                }
                return;
            }
        }
    }
}
