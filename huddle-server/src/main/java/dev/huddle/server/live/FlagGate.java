package dev.huddle.server.live;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One session's flag updates: at most {@code perSecond} messages a second are admitted, and admitted
 * changes are coalesced: the first in a while is applied at once, later ones within {@code windowMs}
 * of the last application are merged (latest value per flag wins) and applied once when the window
 * ends. A speaker whose flag flickers ten times a second costs the room at most one update a window.
 */
final class FlagGate {
    private static final long SECOND = 1_000_000_000L;

    private final int perSecond;
    private final long windowNanos;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Map<String, String>> apply;
    private long rateWindowStart;
    private int admittedInWindow;
    private Map<String, String> pending;
    private long lastApplied = Long.MIN_VALUE / 2;
    private ScheduledFuture<?> flush;
    private boolean cancelled;

    FlagGate(int perSecond, long windowMs, ScheduledExecutorService scheduler, Consumer<Map<String, String>> apply) {
        this.perSecond = perSecond;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMs);
        this.scheduler = scheduler;
        this.apply = apply;
        this.rateWindowStart = System.nanoTime();
    }

    /** Rate limit: whether one more flags message is allowed now. */
    synchronized boolean admit() {
        long now = System.nanoTime();
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

    /** Applies {@code patch} now, or merges it into the update due at the end of the window. */
    void submit(Map<String, String> patch) {
        Map<String, String> now = null;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            if (pending == null) {
                pending = new HashMap<>();
            }
            pending.putAll(patch);
            if (flush != null) {
                return;
            }
            long wait = lastApplied + windowNanos - System.nanoTime();
            if (wait <= 0) {
                now = take();
            } else {
                flush = scheduler.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
            }
        }
        if (now != null) {
            apply.accept(now);
        }
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
        Map<String, String> p;
        synchronized (this) {
            flush = null;
            if (cancelled || pending == null) {
                return;
            }
            p = take();
        }
        apply.accept(p);
    }

    private Map<String, String> take() {
        Map<String, String> p = pending;
        pending = null;
        lastApplied = System.nanoTime();
        return p;
    }
}
