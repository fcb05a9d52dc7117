package dev.huddle.presence;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link TimeSource} moved by hand, for tests and simulations; thread-safe. */
public final class ManualClock implements TimeSource {
    private final AtomicLong now;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** Creates a clock showing {@code startMillis}. */
    public ManualClock(long startMillis) {
        this.now = new AtomicLong(startMillis);
    }

    @Override
    public long millis() {
        return now.get();
    }

    @Override
    public void onAdvance(Runnable callback) {
        listeners.add(callback);
    }

    /** Moves the clock forward by {@code millis} (never backward) and notifies listeners. */
    public long advance(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("a clock only moves forward: " + millis);
        }
        long t = now.addAndGet(millis);
        listeners.forEach(Runnable::run);
        return t;
    }

    /** Moves the clock forward to {@code millis} if it shows an earlier time. */
    public void advanceTo(long millis) {
        long current = now.get();
        if (millis > current) {
            advance(millis - current);
        }
    }
}
