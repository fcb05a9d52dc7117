package dev.huddle.server.live;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;

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

    /**
     * A transport's own form of these bytes, ready to write (Netty's: the whole frame, encoded once for every
     * socket it goes to); made by the first socket sending them, freed when the last queue lets go of them.
     */
    interface WireForm {
        void free();
    }

    private static final AtomicReferenceFieldUpdater<SharedBytes, WireForm> WIRE_FORM =
            AtomicReferenceFieldUpdater.newUpdater(SharedBytes.class, WireForm.class, "wireForm");
    private volatile WireForm wireForm;

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

    /**
     * The wire form {@code make} makes of these bytes, made once and shared while any queue holds them, or null
     * when the last queue let go of them meanwhile. A caller racing that release may also get a form being freed:
     * the form must tell (Netty's buffer refuses to be retained once freed).
     */
    @SuppressWarnings("unchecked")
    <T extends WireForm> T wireForm(Function<ByteBuffer, T> make) {
        WireForm w = wireForm;
        if (w != null) {
            return (T) w;
        }
        T made = make.apply(view());
        if (!WIRE_FORM.compareAndSet(this, null, made)) {
            made.free();
            return (T) wireForm;
        }
        if (holders.get() == 0 && WIRE_FORM.compareAndSet(this, made, null)) {
            made.free(); // no queue holds these bytes any more: nobody would free it
        }
        return made;
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
                    WireForm w = WIRE_FORM.getAndSet(this, null);
                    if (w != null) {
                        w.free();
                    }
                }
                return;
            }
        }
    }
}
