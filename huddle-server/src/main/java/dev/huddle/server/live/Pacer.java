package dev.huddle.server.live;

/**
 * A token bucket in GCRA form, the pacing that a session's flags ({@link FlagGate}) and a room's
 * fan-out ({@link LiveHub}) share: up to {@value #BURST} sends back to back, then one per window. It
 * holds one number, the time the bucket is full again. Not thread-safe: its owner's lock guards it.
 * Times are {@code System.nanoTime()}-style nanoseconds, passed in, so the rule is tested without
 * sleeping.
 */
final class Pacer {
    /** Sends allowed back to back before pacing starts. */
    static final int BURST = 3;

    /** GCRA's theoretical arrival time: when the bucket is full again. */
    private long fullAt = Long.MIN_VALUE / 2;

    /**
     * Nanoseconds from {@code now} until the next send is due with this {@code window}; zero or less
     * means one may go now. The window may change between calls (a room's widens and narrows with its
     * size); what a bigger window made the bucket owe is capped at what the current one allows, so a
     * room that shrank after a burst waits no longer than its size now asks.
     */
    long wait(long now, long window) {
        fullAt = Math.min(fullAt, now + BURST * window);
        return fullAt - (BURST - 1) * window - now;
    }

    /** One send at {@code now}: it takes a token, which comes back after {@code window}. */
    void take(long now, long window) {
        fullAt = Math.max(fullAt, now) + window;
    }
}
