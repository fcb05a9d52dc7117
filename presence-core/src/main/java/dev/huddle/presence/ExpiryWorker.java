package dev.huddle.presence;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that ends expired sessions (P5). It sleeps until the earliest deadline the store
 * holds, ends what is due in batches of bounded size, and sleeps again. Nothing wakes it for a
 * heartbeat that only pushes a deadline later; a new earliest deadline (a join, a departure grace)
 * wakes it through {@link #hint}. Like HikariCP's housekeeper it catches everything at its top, since
 * a worker that dies would leave ghosts forever, and it re-reads the clock at least once a minute so
 * a wall-clock jump cannot leave it asleep. A pass that fails is retried (one that failed because the store is out of reach,
 * {@link StoreUnavailableException}, without a line of the worker's own: the store reports its outages
 * at a bounded rate); a {@link VirtualMachineError}
 * (out of memory, stack overflow, an internal error) is not, since the JVM may no longer keep its
 * promises: the worker stops and tells its owner through the death handler, as it does if anything
 * else ends the thread before {@link #close}. Its owner decides what a node without expiry does (the
 * server exits, X3).
 *
 * <p>Hints come only from this engine's own calls. When several engines share one store (cluster
 * mode), another node's join or departure grace can create an earlier deadline that nobody hints
 * here; {@code maxSleepMs} bounds how long such a deadline can go unnoticed (the store's other
 * workers normally catch it first, so it only matters when this node is the one that notices).
 */
public final class ExpiryWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryWorker.class);
    /** The longest sleep by default (one node): re-read the clock at least once a minute. */
    public static final long DEFAULT_MAX_SLEEP_MS = 60_000;
    private static final long BACKOFF_AFTER_FAILURE_MS = 100;

    private final PresenceStore store;
    private final TimeSource clock;
    private final int batchSize;
    private final long maxSleepMs;
    private final Consumer<Throwable> onDeath;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private final AtomicLong passes = new AtomicLong();
    private volatile long plannedWake = Long.MAX_VALUE;
    private boolean woken;
    private volatile boolean running;
    private volatile boolean closed;
    private Thread thread;

    ExpiryWorker(PresenceStore store, TimeSource clock, int batchSize, long maxSleepMs, Consumer<Throwable> onDeath) {
        this.store = store;
        this.clock = clock;
        this.batchSize = batchSize;
        this.maxSleepMs = maxSleepMs;
        this.onDeath = onDeath;
        clock.onAdvance(this::wake);
    }

    /** Starts the worker thread (the engine starts it unless built with startWorker(false)). */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "presence-expiry");
        thread.setDaemon(true);
        thread.start();
    }

    /** Tells the worker a session now has {@code deadline}; wakes it only if that is earlier than planned. */
    void hint(long deadline) {
        if (running && deadline < plannedWake) {
            wake();
        }
    }

    /** Wakes the worker to re-read the clock and the earliest deadline. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            wakeUp.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The longest the worker sleeps between passes, in ms. */
    public long maxSleepMs() {
        return maxSleepMs;
    }

    /** True while the worker thread runs: started, not closed, not dead. */
    public boolean alive() {
        return running;
    }

    /** How many times the worker has finished a pass and gone to sleep; for tests and metrics. */
    public long passes() {
        return passes.get();
    }

    /** Ends every session due at {@code now}, batch by batch; returns how many sessions were examined. */
    int runDue(long now) {
        int total = 0;
        int n;
        do {
            n = store.expire(now, batchSize);
            total += n;
        } while (n >= batchSize && !closed);
        return total;
    }

    private void run() {
        Throwable cause = null;
        try {
            loop();
        } catch (Throwable t) {
            cause = t;
        }
        if (!closed) {
            running = false;
            onDeath.accept(cause != null ? cause : new IllegalStateException("the expiry worker was interrupted"));
        }
    }

    private void loop() {
        while (running) {
            long sleepMs;
            try {
                // Until this pass has read the earliest deadline, any hint must wake the worker: a join
                // landing between that read and the sleep would otherwise be slept through.
                plannedWake = Long.MAX_VALUE;
                runDue(clock.millis());
                long next = store.earliestDeadline();
                plannedWake = next;
                sleepMs = next == Long.MAX_VALUE ? maxSleepMs : Math.min(maxSleepMs, next - clock.millis());
            } catch (VirtualMachineError e) {
                throw e;
            } catch (StoreUnavailableException e) {
                // The store is out of reach (R1): it counts and logs that itself, at a bounded rate, so a
                // pass every 100 ms through a long outage adds no line of its own.
                LOG.debug("expiry pass failed, the store is unavailable; retrying in {} ms", BACKOFF_AFTER_FAILURE_MS, e);
                plannedWake = Long.MIN_VALUE;
                sleepMs = BACKOFF_AFTER_FAILURE_MS;
            } catch (Throwable t) {
                if (closed) {
                    return; // interrupted by close(): not a failure
                }
                LOG.error("expiry pass failed; retrying in {} ms", BACKOFF_AFTER_FAILURE_MS, t);
                plannedWake = Long.MIN_VALUE;
                sleepMs = BACKOFF_AFTER_FAILURE_MS;
            }
            sleep(sleepMs);
        }
    }

    private void sleep(long millis) {
        lock.lock();
        try {
            passes.incrementAndGet();
            long nanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
            while (!woken && running && nanos > 0) {
                nanos = wakeUp.awaitNanos(nanos);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        running = false;
        if (thread != null) {
            wake();
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
