package dev.huddle.load;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The fan-out scenario's one event in flight: a change of {@code kind} for {@code userId}, sent at
 * some instant, and how many observers have seen it so far. Events go one at a time, so one slot is
 * enough: an observer's report of any other change (a late one, the joiner's own reply) matches nothing.
 * Thread-safe: observers report from the client's I/O threads.
 */
final class FanoutEvents {
    private final int observers;
    private String kind;
    private String userId;
    private long sentNanos;
    private int seen;
    private long lastSeenNanos;
    private final AtomicLong unreadable = new AtomicLong();

    FanoutEvents(int observers) {
        this.observers = observers;
    }

    /** The next event goes out now: a {@code kind} change of {@code userId}. */
    synchronized void expect(String kind, String userId) {
        this.kind = kind;
        this.userId = userId;
        this.seen = 0;
        this.sentNanos = System.nanoTime();
    }

    /** An observer received a {@code kind} change of {@code userId} at {@code nanos}. */
    synchronized void seen(String kind, String userId, long nanos) {
        if (kind.equals(this.kind) && userId.equals(this.userId)) {
            seen++;
            lastSeenNanos = Math.max(lastSeenNanos, nanos);
            if (seen >= observers) {
                notifyAll();
            }
        }
    }

    /** Waits until every observer saw the event; its latency to the last of them in µs, or -1 after {@code timeoutMs}. */
    synchronized long await(long timeoutMs) throws InterruptedException {
        long until = System.nanoTime() + timeoutMs * 1_000_000;
        long left;
        while (seen < observers && (left = until - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
        long micros = seen >= observers ? (lastSeenNanos - sentNanos) / 1000 : -1;
        kind = null;
        userId = null;
        return micros;
    }

    void unreadable() {
        unreadable.incrementAndGet();
    }

    long unreadableFrames() {
        return unreadable.get();
    }
}
