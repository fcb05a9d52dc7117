package dev.huddle.presence.redis;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeListener;
import io.lettuce.core.RedisException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers changes to this node's listeners: every change of every room exactly once, in seq order per
 * room, whichever path brings it first.
 *
 * <p>Two paths feed it. A script run by this node returns the changes it emitted, and the calling
 * thread hands them over before the call returns (so a caller sees its own changes synchronously).
 * Every change, whichever node made it, is also published on its partition's channel; the pub/sub
 * callback only queues the message (it never blocks) and this feed's own thread takes it from there.
 *
 * <p>Per room the feed remembers the log epoch and the last seq delivered. A change at or below it is a
 * duplicate and dropped; the next one is delivered; one further ahead means changes are missing (lost
 * pub/sub messages, or a concurrent call on this node that has not handed its changes over yet), and
 * the gap is filled from the room's change log (a Redis Stream with ids {@code <seq>-0}) before the
 * change itself is delivered. A room seen for the first time, or whose epoch changed (Redis lost the
 * log), is caught up from the start of what the log holds. If the log no longer holds the missing
 * changes (trimmed), the listener sees the seq jump: that is the signal to take a fresh snapshot.
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    /** Reads the change log of a room: its epoch ('' if none) and the entries held in [from, to]. */
    interface LogReader {
        /** {@code to == Long.MAX_VALUE} means up to the top. */
        Range read(String roomId, long from, long to);
    }

    record Range(String epoch, List<byte[]> entries) {
    }

    private final CopyOnWriteArrayList<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, RoomFeed> rooms = new ConcurrentHashMap<>();
    private final LogReader log;
    private final BlockingQueue<byte[]> inbox;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean catchUpPending = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean running = true;

    ChangeFeed(LogReader log, int inboxCapacity, String name) {
        this.log = log;
        this.inbox = new ArrayBlockingQueue<>(inboxCapacity);
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    /** Changes returned by a script this node ran; delivered before this returns. */
    void local(String roomId, List<Object> encoded) {
        if (encoded.isEmpty()) {
            return;
        }
        RoomFeed f = rooms.computeIfAbsent(roomId, RoomFeed::new);
        synchronized (f) {
            for (Object o : encoded) {
                accept(f, Wire.change(roomId, (byte[]) o));
            }
        }
    }

    /** A pub/sub message; called on Lettuce's thread, so it only queues. */
    void remote(byte[] message) {
        if (!inbox.offer(message)) {
            // The next change of that room (or the next catch-up) fills the gap from the log.
            if (dropped.incrementAndGet() % 1_000 == 1) {
                LOG.warn("change feed inbox full; {} pub/sub messages dropped so far, gaps will be filled from the log",
                        dropped.get());
            }
        }
    }

    /**
     * Asks the feed thread to check every known room against its log (after a resubscription). Never
     * blocks (it is called on Lettuce's thread): it sets a flag the feed thread checks between messages
     * and at least every 100 ms; requests made while one is pending are merged, one made while a
     * catch-up runs makes another run after it.
     */
    void requestCatchUp() {
        catchUpPending.set(true);
    }

    /** How many pub/sub messages were dropped because the inbox was full. */
    long dropped() {
        return dropped.get();
    }

    private void loop() {
        while (running) {
            try {
                if (catchUpPending.getAndSet(false)) {
                    catchUpAll();
                }
                byte[] m = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (m == null) {
                    continue;
                }
                Wire.Decoded d = Wire.message(m);
                RoomFeed f = rooms.computeIfAbsent(d.change().roomId(), RoomFeed::new);
                synchronized (f) {
                    accept(f, d);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("change feed failed on a message; continuing", e);
            }
        }
    }

    private void catchUpAll() {
        for (RoomFeed f : rooms.values()) {
            try {
                synchronized (f) {
                    if (f.epoch != null) {
                        fill(f, Long.MAX_VALUE);
                    }
                }
            } catch (RedisException e) {
                if (StoreFailures.kindOf(e) != null) {
                    // Redis is out of reach: every other room would fail alike. One line, no stack; the
                    // subscription's return (Lettuce resubscribes after a reconnect) asks for a catch-up again.
                    LOG.warn("catch-up from the change logs stopped, Redis is out of reach ({}); it runs again when the"
                            + " subscription is back", e.toString());
                    return;
                }
                LOG.warn("catch-up of room {} failed; the next change of the room retries", f.roomId, e);
            } catch (RuntimeException e) {
                LOG.warn("catch-up of room {} failed; the next change of the room retries", f.roomId, e);
            }
        }
    }

    /** Under the room feed's monitor. */
    private void accept(RoomFeed f, Wire.Decoded d) {
        long seq = d.change().seq();
        if (!d.epoch().equals(f.epoch)) {
            if (f.retired != null && f.retired.contains(d.epoch())) {
                return; // a late message of a log this room has moved on from
            }
            // First sight of the room on this node, or a new log: catch up from what the log holds.
            if (f.epoch != null) {
                if (f.retired == null) {
                    f.retired = new HashSet<>(2);
                }
                f.retired.add(f.epoch);
            }
            f.epoch = d.epoch();
            f.delivered = 0;
        }
        if (seq <= f.delivered) {
            return;
        }
        if (seq > f.delivered + 1) {
            try {
                fill(f, seq - 1);
            } catch (RuntimeException e) {
                if (e instanceof RedisException re && StoreFailures.kindOf(re) != null) {
                    LOG.warn("could not fill the gap before seq {} of room {}, Redis is out of reach ({}); delivering with a"
                            + " gap", seq, f.roomId, e.toString());
                } else {
                    LOG.warn("could not fill the gap before seq {} of room {}; delivering with a gap", seq, f.roomId, e);
                }
            }
        }
        if (seq > f.delivered) {
            deliver(d.change());
            f.delivered = seq;
        }
    }

    private void fill(RoomFeed f, long upTo) {
        Range r = log.read(f.roomId, f.delivered + 1, upTo);
        if (!r.epoch().equals(f.epoch)) {
            return;
        }
        for (byte[] c : r.entries()) {
            Wire.Decoded d = Wire.change(f.roomId, c);
            long seq = d.change().seq();
            if (seq > f.delivered && seq <= upTo) {
                deliver(d.change());
                f.delivered = seq;
            }
        }
    }

    private void deliver(Change change) {
        for (ChangeListener listener : listeners) {
            try {
                listener.onChange(change);
            } catch (RuntimeException e) {
                LOG.error("change listener {} failed on {}; the change stands", listener, change, e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listeners.clear();
    }

    /** Per room: the epoch of the log and the last seq delivered; guarded by its own monitor. */
    private static final class RoomFeed {
        final String roomId;
        String epoch;
        long delivered;
        /** Epochs this room's log had before (Redis lost them); their late messages are dropped. */
        Set<String> retired;

        RoomFeed(String roomId) {
            this.roomId = roomId;
        }
    }
}
