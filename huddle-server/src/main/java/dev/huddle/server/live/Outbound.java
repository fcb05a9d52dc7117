package dev.huddle.server.live;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Executor;

/**
 * One socket's outbound messages (S4, X1): a bounded queue drained by one asynchronous send at a time
 * (a text frame with a callback), so no thread ever waits for a slow client. A change for a socket with
 * nothing queued nor in flight skips the queue: the room's fan-out sends it itself. When the queue
 * is full, a subscription's queued changes are dropped and replaced by one resync marker: once the
 * socket drains that far, the subscription takes a fresh snapshot. Replies (joined, errors, snapshots)
 * skip the bound for changes but not a hard cap of twice it; past that the socket is closed with 4008.
 * The bound weighs messages by size: one counts once per {@value #UNIT_BYTES} bytes begun.
 *
 * <p>Every queued byte is also charged to the server's {@link OutboundBudget} (X1), once however many
 * queues hold it: messages are {@link SharedBytes}, queued by reference. A change's bytes are encoded
 * once for the whole room; a snapshot's body (everything after its {@code requestId}) once per room and
 * seq, and sent after this socket's own small head as a continuation frame. When the budget has no
 * room for a message even after the biggest queues were shed, a change resyncs its subscription and a
 * reply closes this socket with 4009 {@code over_budget}. A socket subscribing to a room again drops
 * what is still queued of its old subscription ({@link #dropRoom}).
 */
final class Outbound {
    private sealed interface Item permits Text, Resync {
    }

    /**
     * A message: {@code head} (this socket's own first bytes, or null) then {@code body}. {@code room} is
     * set for a room's changes and snapshots, which a resync or a new subscription may drop.
     */
    private record Text(String room, boolean change, SharedBytes head, SharedBytes body) implements Item {
        int size() {
            return (head == null ? 0 : head.size()) + body.size();
        }
    }

    private record Resync(Subscription sub) implements Item {
    }

    /** The size that counts as one message toward the bound. */
    static final int UNIT_BYTES = 32 * 1024;

    private final Wire wire;
    private final int limit;
    private final OutboundBudget budget;
    /** The queue's weight: each message counts once per {@link #UNIT_BYTES} begun. */
    private int units;
    /** Bytes of the queued messages and of the one being sent, shared ones included. */
    private long bytes;
    private final Executor executor;
    private final Runnable onOverflow;
    private final Runnable onResync;
    private final Runnable onOverBudget;
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** The message being sent (taken from the queue), or null. */
    private Text current;
    /** Its head went out; its body is next. */
    private boolean headSent;
    /** The frame in flight is the current message's last. */
    private boolean lastPart;
    /** A pump is scheduled or running, or a send is in flight. */
    private boolean sending;
    /** A frame was handed to the wire and its callback has not run yet. */
    private boolean inFlight;
    /** The pump returned while a send was in flight: the callback schedules the next one. */
    private boolean parked;
    private boolean closed;
    private long sendStartedNanos;
    private int highWater;
    // Made once: at most one send is in flight, and one pump scheduled, at a time.
    private final Runnable pumpTask = this::pump;
    private final Wire.Sent sendDone = new Wire.Sent() {
        @Override
        public void sent() {
            Outbound.this.sent();
        }

        @Override
        public void failed(Throwable cause) {
            Outbound.this.failed();
        }
    };

    /** On a socket's {@code wire}; tests pass their own. */
    Outbound(Wire wire, int limit, OutboundBudget budget, Executor executor, Runnable onOverflow, Runnable onResync,
            Runnable onOverBudget) {
        this.wire = wire;
        this.limit = limit;
        this.budget = budget;
        this.executor = executor;
        this.onOverflow = onOverflow;
        this.onResync = onResync;
        this.onOverBudget = onOverBudget;
    }

    /**
     * Queues a change of {@code room} (its frame's UTF-8, shared by the room's subscribers); false (and
     * nothing queued) when the queue is at its bound or the server's budget has no room for it.
     */
    boolean offerChange(String room, SharedBytes utf8) {
        Text t = new Text(room, true, null, utf8);
        Outcome o = enqueue(t, true);
        if (o == Outcome.SEND_NOW) {
            sendNow(t);
        }
        return o != Outcome.REFUSED;
    }

    /** Queues a reply, an error or a snapshot; a client that lets these pile up is closed (4008). */
    void reply(String text) {
        reply(Frames.utf8(text));
    }

    /** {@link #reply(String)}, already encoded (UTF-8). */
    void reply(ByteBuffer utf8) {
        queueReply(new Text(null, false, null, new SharedBytes(utf8)));
    }

    /** Queues a snapshot of {@code room}: this socket's {@code head}, then the {@code body} shared by every socket taking it. */
    void snapshot(String room, ByteBuffer head, SharedBytes body) {
        queueReply(new Text(room, false, new SharedBytes(head), body));
    }

    private void queueReply(Text t) {
        switch (enqueue(t, false)) {
            case OVERFLOW -> onOverflow.run();
            case REFUSED -> overBudget();
            default -> {
            }
        }
    }

    /** {@code SEND_NOW}: held and made the current message, for the caller to send at once ({@link #sendNow}). */
    private enum Outcome { QUEUED, SEND_NOW, OVERFLOW, REFUSED }

    /**
     * Queues {@code t}, shedding the biggest queues once when the budget is short (never under this lock).
     * With {@code direct}, a message for a socket with nothing queued nor in flight is not queued but made
     * the current message, to be sent by the caller ({@code SEND_NOW}).
     */
    private Outcome enqueue(Text t, boolean direct) {
        for (int attempt = 0; ; attempt++) {
            synchronized (this) {
                if (closed) {
                    return Outcome.QUEUED;
                }
                if (t.change() ? units >= limit : units >= 2 * limit) {
                    return t.change() ? Outcome.REFUSED : Outcome.OVERFLOW;
                }
                if (hold(t)) {
                    if (direct && !sending) {
                        // Not sending implies nothing queued, no current message, no pump scheduled.
                        current = t;
                        headSent = false;
                        lastPart = true;
                        bytes += t.size();
                        sending = true;
                        inFlight = true;
                        sendStartedNanos = System.nanoTime();
                        return Outcome.SEND_NOW;
                    }
                    add(t);
                    return Outcome.QUEUED;
                }
            }
            if (attempt > 0) {
                return Outcome.REFUSED;
            }
            budget.shed(t.size());
        }
    }

    private boolean hold(Text t) {
        if (!t.body().hold(budget)) {
            return false;
        }
        if (t.head() != null && !t.head().hold(budget)) {
            t.body().release(budget);
            return false;
        }
        return true;
    }

    private void release(Text t) {
        t.body().release(budget);
        if (t.head() != null) {
            t.head().release(budget);
        }
        bytes -= t.size();
    }

    /** S4: drops {@code sub}'s queued changes and queues one marker that resyncs it when reached. */
    synchronized void resync(Subscription sub) {
        if (closed) {
            return;
        }
        drop(sub.room(), true);
        add(new Resync(sub));
        onResync.run();
    }

    /** X1: the socket subscribes to {@code room} again: what is still queued for the old subscription goes. */
    synchronized void dropRoom(String room) {
        if (!closed) {
            drop(room, false);
        }
    }

    private void drop(String room, boolean changesOnly) {
        for (Iterator<Item> it = queue.iterator(); it.hasNext(); ) {
            Item item = it.next();
            if (item instanceof Text t && room.equals(t.room()) && (t.change() || !changesOnly)) {
                it.remove();
                units -= weight(t);
                release(t);
            } else if (!changesOnly && item instanceof Resync r && r.sub().room().equals(room)) {
                it.remove();
                units -= weight(r);
            }
        }
    }

    /**
     * X1: the server's budget is short and this socket holds more than most: drop everything queued and
     * close it with 4009. False when it was closed already.
     */
    boolean overBudget() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            close();
        }
        onOverBudget.run();
        return true;
    }

    /** Bytes queued here now, and the message being sent (shared ones included). */
    synchronized long queuedBytes() {
        return bytes;
    }

    /** Whether a send has been in flight for longer than {@code timeoutNanos}. */
    synchronized boolean stalled(long nowNanos, long timeoutNanos) {
        return sending && sendStartedNanos != 0 && nowNanos - sendStartedNanos > timeoutNanos;
    }

    /** How long the send in flight has been waiting, in ms (0 when none). */
    synchronized long pendingSendMs(long nowNanos) {
        return sending && sendStartedNanos != 0 ? (nowNanos - sendStartedNanos) / 1_000_000 : 0;
    }

    /** The most messages this queue ever held (for tests and metrics). */
    synchronized int highWater() {
        return highWater;
    }

    synchronized int size() {
        return queue.size();
    }

    /** Drops everything queued, giving its bytes back to the budget; later offers are ignored. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Item item : queue) {
            if (item instanceof Text t) {
                release(t);
            }
        }
        queue.clear();
        if (current != null) {
            release(current);
            current = null;
        }
        units = 0;
        budget.forget(this);
    }

    /** The queue's weight toward its bound (for tests). */
    synchronized int units() {
        return units;
    }

    private static int weight(Item item) {
        return item instanceof Text t ? Math.max(1, (t.size() + UNIT_BYTES - 1) / UNIT_BYTES) : 1;
    }

    private void add(Item item) {
        queue.add(item);
        units += weight(item);
        if (item instanceof Text t) {
            bytes += t.size();
        }
        highWater = Math.max(highWater, queue.size());
        if (!sending) {
            sending = true;
            executor.execute(pumpTask);
        }
    }

    /**
     * Sends queued items one frame at a time. A send that the wire completes at once (the socket took the
     * bytes) continues the loop on this thread; only a send that waits for the socket hands the next
     * one to the executor from its callback. One hand-off per busy socket, not one per message.
     */
    private void pump() {
        while (true) {
            SharedBytes part = null;
            boolean first = true;
            boolean fin = false;
            Resync resync = null;
            synchronized (this) {
                if (current == null) {
                    Item item = closed ? null : queue.poll();
                    if (item == null) {
                        sending = false;
                        sendStartedNanos = 0;
                        return;
                    }
                    units -= weight(item);
                    if (item instanceof Resync r) {
                        resync = r;
                    } else {
                        current = (Text) item;
                        headSent = false;
                    }
                }
                if (resync == null) {
                    if (current.head() != null && !headSent) {
                        part = current.head();
                        headSent = true;
                        lastPart = false;
                    } else {
                        part = current.body();
                        first = current.head() == null;
                        lastPart = true;
                    }
                    fin = lastPart;
                    sendStartedNanos = System.nanoTime();
                    inFlight = true;
                }
            }
            if (resync != null) {
                resync.sub().resnapshot();
                continue;
            }
            wire.sendText(part, first, fin, sendDone);
            synchronized (this) {
                if (inFlight) {
                    parked = true;
                    return;
                }
            }
        }
    }

    /**
     * Sends {@code t}, made the current message by {@link #enqueue}, on the caller's thread: a room's
     * fan-out (one task on the sender pool) writes each idle socket's frame itself instead of handing
     * each socket to the pool per change. Measured (docs/BENCHMARKS.md, "Fan-out", N = 1 000): the same
     * CPU per frame as the hand-off within noise (one {@code writev} and 0.05 {@code futex} per frame
     * either way), with the fan-out's work off the thread that made the change. A send never waits
     * for the client: a socket that cannot take the bytes now completes later, from the transport's thread,
     * which then hands what was queued meanwhile to the pool.
     */
    private void sendNow(Text t) {
        wire.sendText(t.body(), true, true, sendDone);
        synchronized (this) {
            if (inFlight) {
                parked = true;
                return;
            }
            if (closed || queue.isEmpty()) {
                sending = false;
                sendStartedNanos = 0;
                return;
            }
        }
        // Queued while this frame went out (a reply, another room's change): the pool sends it, so a
        // fan-out never runs a resync's snapshot nor another socket's backlog.
        executor.execute(pumpTask);
    }

    private void sent() {
        boolean resume;
        synchronized (this) {
            sendStartedNanos = 0;
            inFlight = false;
            if (lastPart && current != null) {
                release(current);
                current = null;
            }
            resume = parked;
            parked = false;
        }
        if (resume) {
            executor.execute(pumpTask);
        }
    }

    private void failed() {
        synchronized (this) {
            sendStartedNanos = 0; // failed, not stuck: the socket is closing, not too slow
        }
        close();
    }
}
