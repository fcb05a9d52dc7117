package dev.huddle.server.live;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One session's flag updates: at most {@code perSecond} messages a second are admitted, and admitted
 * changes are paced by a token bucket ({@link Pacer}): up to {@value Pacer#BURST} applications at once, then one per
 * {@code windowMs}. A change that finds the bucket empty is merged with any other waiting change
 * (latest value per flag wins) and applied once when the next token is due. So an ordinary speaker's
 * toggles are never delayed, while one whose flag flickers ten times a second costs the room at most
 * one update a window.
 */
final class FlagGate {
    private static final long SECOND = 1_000_000_000L;

    private final int perSecond;
    private final long windowNanos;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Map<String, String>> apply;
    private final LongSupplier nanoTime;
    private long rateWindowStart;
    private int admittedInWindow;
    private Map<String, String> pending;
    private final Pacer pacer = new Pacer();
    private ScheduledFuture<?> flush;
    /** An application is running (on a socket thread or the scheduler); others wait their turn. */
    private boolean applying;
    private boolean cancelled;

    FlagGate(int perSecond, long windowMs, ScheduledExecutorService scheduler, Consumer<Map<String, String>> apply) {
        this(perSecond, windowMs, scheduler, apply, System::nanoTime);
    }

    FlagGate(int perSecond, long windowMs, ScheduledExecutorService scheduler, Consumer<Map<String, String>> apply,
            LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMs);
        this.scheduler = scheduler;
        this.apply = apply;
        this.nanoTime = nanoTime;
        this.rateWindowStart = nanoTime.getAsLong();
    }

    /** Rate limit: whether one more flags message is allowed now. */
    synchronized boolean admit() {
        long now = nanoTime.getAsLong();
        if (now - rateWindowStart >= SECOND) {
            rateWindowStart = now;
            admittedInWindow = 0;
        }
        if (admittedInWindow >= perSecond) {
            return false;
        }
        admittedInWindow++;
        return true;
    }

    /**
     * Applies {@code patch} now if the bucket holds a token, or merges it into the update due when one
     * does. Applications never overlap: a patch that arrives while one is being applied is merged and
     * applied after it, so the last value sent is the last value applied.
     */
    void submit(Map<String, String> patch) {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            if (pending == null) {
                pending = new HashMap<>();
            }
            pending.putAll(patch);
            if (flush != null || applying) {
                return; // the scheduled flush, or the application running now, takes it
            }
            applying = true;
        }
        drain(false);
    }

    /** Drops anything pending (the session left or the socket closed). */
    synchronized void cancel() {
        cancelled = true;
        pending = null;
        if (flush != null) {
            flush.cancel(false);
        }
    }

    private void flush() {
        synchronized (this) {
            flush = null;
            if (applying) {
                return; // the running application loops on to what is pending
            }
            applying = true;
        }
        drain(true);
    }

    /**
     * Applies what is pending while the bucket allows, one application at a time (the caller set
     * {@code applying}). {@code due}: called by the flush scheduled for when the next token is due.
     */
    private void drain(boolean due) {
        for (boolean first = true; ; first = false) {
            Map<String, String> p;
            synchronized (this) {
                if (cancelled || pending == null) {
                    applying = false;
                    return;
                }
                long time = nanoTime.getAsLong();
                long wait = pacer.wait(time, windowNanos);
                if (wait > 0 && !(due && first)) {
                    if (flush == null) {
                        flush = scheduler.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
                    }
                    applying = false;
                    return;
                }
                p = take(time);
            }
            try {
                apply.accept(p);
            } catch (RuntimeException e) {
                synchronized (this) {
                    applying = false; // the next submit starts afresh
                }
                throw e;
            }
        }
    }

    private Map<String, String> take(long time) {
        Map<String, String> p = pending;
        pending = null;
        pacer.take(time, windowNanos);
        return p;
    }
}
