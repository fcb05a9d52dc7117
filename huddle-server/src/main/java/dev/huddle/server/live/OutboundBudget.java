package dev.huddle.server.live;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * X1: one byte budget for everything queued to clients on this server, on top of each socket's own
 * bound. Bytes are charged once however many queues hold them ({@link SharedBytes}). When a message
 * does not fit, the sockets holding the most queued bytes are closed with 4009 {@code over_budget}
 * ({@link #shed}) until the server is back under three quarters of the budget: a few hogs lose their
 * sockets, the server and everyone else carry on.
 */
final class OutboundBudget {
    /** At most this many sockets are closed by one shedding, whatever they held. */
    static final int MAX_SHED = 64;

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final Set<Outbound> queues = ConcurrentHashMap.newKeySet();
    private final Object shedding = new Object();

    OutboundBudget(long limitBytes) {
        this.limit = limitBytes;
    }

    /** The budget when none is configured: a quarter of the heap the JVM may grow to. */
    static long defaultBytes() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    long limit() {
        return limit;
    }

    /** Bytes queued to clients now, shared ones counted once. */
    long used() {
        return used.get();
    }

    /** Sockets closed with 4009 so far. */
    long shedSockets() {
        return shed.get();
    }

    boolean tryCharge(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    void register(Outbound q) {
        queues.add(q);
    }

    void forget(Outbound q) {
        queues.remove(q);
    }

    /**
     * Makes room for {@code needed} bytes: closes the sockets holding the most queued bytes, biggest
     * first, until the budget's use is down to three quarters of it (less {@code needed}), or
     * {@value #MAX_SHED} sockets were closed. Never called under a queue's lock.
     */
    void shed(long needed) {
        synchronized (shedding) {
            if (used.get() + needed <= limit) {
                return; // another shedding made room meanwhile
            }
            long target = limit - limit / 4 - needed;
            List<Map.Entry<Outbound, Long>> held = new ArrayList<>();
            for (Outbound q : queues) {
                long b = q.queuedBytes();
                if (b > 0) {
                    held.add(Map.entry(q, b));
                }
            }
            held.sort(Map.Entry.<Outbound, Long>comparingByValue(Comparator.reverseOrder()));
            int closed = 0;
            for (Map.Entry<Outbound, Long> e : held) {
                if (used.get() <= target || closed >= MAX_SHED) {
                    break;
                }
                if (e.getKey().overBudget()) {
                    closed++;
                    shed.incrementAndGet();
                }
            }
        }
    }
}
