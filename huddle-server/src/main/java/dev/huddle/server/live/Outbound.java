package dev.huddle.server.live;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One socket's outbound messages (S4): a bounded queue drained by one asynchronous send at a time
 * (a text frame with a callback), so no thread ever waits for a slow client. When the queue
 * is full, a subscription's queued changes are dropped and replaced by one resync marker: once the
 * socket drains that far, the subscription takes a fresh snapshot. Replies (joined, errors, snapshots)
 * skip the bound for changes but not a hard cap of twice it; past that the socket is closed with 4008.
 * The bound weighs messages by size: one counts once per {@value #UNIT_BYTES} bytes begun, so a client
 * that stops reading and asks for snapshot after snapshot of a big room holds at most twice the bound
 * in 32 KB units (16 MB at the default 256), plus the one message that crossed it.
 *
 * <p>Messages are queued as UTF-8. A change's bytes are encoded once for the whole room and shared: each
 * socket sends a slice of them through Jetty's core session, which takes a text frame's payload as bytes
 * (the API session's {@code sendText} would encode the text again for every subscriber).
 */
final class Outbound {
    private sealed interface Item permits Text, Resync {
    }

    /** A message, UTF-8 (shared: sent as a slice); {@code room} is set for changes, which a resync may drop. */
    private record Text(String room, ByteBuffer utf8) implements Item {
    }

    private record Resync(Subscription sub) implements Item {
    }

    /** The size that counts as one message toward the bound. */
    static final int UNIT_BYTES = 32 * 1024;

    private final CoreSession session;
    private final int limit;
    /** The queue's weight: each message counts once per {@link #UNIT_BYTES} begun. */
    private int units;
    private final Executor executor;
    private final Runnable onOverflow;
    private final Runnable onResync;
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** A pump is scheduled or running, or a send is in flight. */
    private boolean sending;
    /** A frame was handed to Jetty and its callback has not run yet. */
    private boolean inFlight;
    /** The pump returned while a send was in flight: the callback schedules the next one. */
    private boolean parked;
    private boolean closed;
    private long sendStartedNanos;
    private int highWater;
    // Made once: at most one send is in flight, and one pump scheduled, at a time.
    private final Runnable pumpTask = this::pump;
    private final Callback sendDone = Callback.from(this::sent, this::failed);

    Outbound(Session session, int limit, Executor executor, Runnable onOverflow, Runnable onResync) {
        this.session = ((WebSocketSession) session).getCoreSession();
        this.limit = limit;
        this.executor = executor;
        this.onOverflow = onOverflow;
        this.onResync = onResync;
    }

    /** Queues a change of {@code room} (its frame's UTF-8); false (and nothing queued) when the queue is at its bound. */
    synchronized boolean offerChange(String room, ByteBuffer utf8) {
        if (closed) {
            return true;
        }
        if (units >= limit) {
            return false;
        }
        add(new Text(room, utf8));
        return true;
    }

    /** Queues a reply, an error or a snapshot; a client that lets these pile up is closed (4008). */
    void reply(String text) {
        reply(Frames.utf8(text));
    }

    /** {@link #reply(String)}, already encoded (UTF-8). */
    void reply(ByteBuffer utf8) {
        boolean overflow;
        synchronized (this) {
            if (closed) {
                return;
            }
            overflow = units >= 2 * limit;
            if (!overflow) {
                add(new Text(null, utf8));
            }
        }
        if (overflow) {
            onOverflow.run();
        }
    }

    /** S4: drops {@code sub}'s queued changes and queues one marker that resyncs it when reached. */
    synchronized void resync(Subscription sub) {
        if (closed) {
            return;
        }
        for (Iterator<Item> it = queue.iterator(); it.hasNext(); ) {
            if (it.next() instanceof Text t && sub.room().equals(t.room())) {
                it.remove();
                units -= weight(t);
            }
        }
        add(new Resync(sub));
        onResync.run();
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

    /** Drops everything queued; later offers are ignored. */
    synchronized void close() {
        closed = true;
        queue.clear();
        units = 0;
    }

    /** The queue's weight toward its bound (for tests). */
    synchronized int units() {
        return units;
    }

    private static int weight(Item item) {
        return item instanceof Text t ? Math.max(1, (t.utf8().remaining() + UNIT_BYTES - 1) / UNIT_BYTES) : 1;
    }

    private void add(Item item) {
        queue.add(item);
        units += weight(item);
        highWater = Math.max(highWater, queue.size());
        if (!sending) {
            sending = true;
            executor.execute(pumpTask);
        }
    }

    /**
     * Sends queued items one at a time. A send that Jetty completes at once (the socket took the
     * bytes) continues the loop on this thread; only a send that waits for the socket hands the next
     * one to the executor from its callback. One hand-off per busy socket, not one per message.
     */
    private void pump() {
        while (true) {
            Item item;
            synchronized (this) {
                item = closed ? null : queue.poll();
                if (item != null) {
                    units -= weight(item);
                }
                if (item == null) {
                    sending = false;
                    sendStartedNanos = 0;
                    return;
                }
                sendStartedNanos = item instanceof Text ? System.nanoTime() : 0;
                inFlight = item instanceof Text;
            }
            if (item instanceof Resync r) {
                r.sub().resnapshot();
                continue;
            }
            session.sendFrame(new Frame(OpCode.TEXT, true, ((Text) item).utf8().slice()), sendDone, false);
            synchronized (this) {
                if (inFlight) {
                    parked = true;
                    return;
                }
            }
        }
    }

    private void sent() {
        boolean resume;
        synchronized (this) {
            sendStartedNanos = 0;
            inFlight = false;
            resume = parked;
            parked = false;
        }
        if (resume) {
            executor.execute(pumpTask);
        }
    }

    private void failed(Throwable t) {
        synchronized (this) {
            sendStartedNanos = 0; // failed, not stuck: the socket is closing, not too slow
        }
        close();
    }
}
