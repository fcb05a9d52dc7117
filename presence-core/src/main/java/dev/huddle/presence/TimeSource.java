package dev.huddle.presence;

/**
 * The engine's only source of time, in epoch milliseconds. Domain code never reads the system clock;
 * it asks this one-method interface, so tests can move time by hand (see {@link ManualClock}).
 */
@FunctionalInterface
public interface TimeSource {

    /** Returns the current time in epoch milliseconds. */
    long millis();

    /**
     * Registers a callback run whenever this source jumps forward by hand. The system clock never
     * does, so the default ignores it; {@link ManualClock} uses it to wake the expiry worker.
     */
    default void onAdvance(Runnable callback) {
    }

    /** Returns the system clock. */
    static TimeSource system() {
        return System::currentTimeMillis;
    }
}
