package dev.huddle.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.Change;
import dev.huddle.presence.Presence;
import dev.huddle.presence.RoomSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One socket watching one room (S1–S4). It is registered for changes <em>before</em> it reads the
 * snapshot (or the changes since a resume point), buffering changes meanwhile; then it queues the
 * snapshot and the buffered changes with a later seq, so nothing falls between the two. Changes are
 * passed on only in seq order and without gaps; a gap, or a full outbound queue, resyncs it with a
 * fresh snapshot instead. A snapshot that fails (the store is unreachable) is retried until it works;
 * {@link #forceResync} makes it take a fresh one even when it sees no gap (cluster mode: Redis lost its
 * data, and a new log's seqs may look like duplicates of the old log's).
 */
final class Subscription {
    private enum State { BUFFERING, LIVE, RESYNC, CANCELLED }

    static final long RETRY_MS = 500;

    private final String room;
    private final String askedAs;
    private final Presence presence;
    private final Outbound out;
    private final ScheduledExecutorService retries;
    private final Snapshots snapshots;
    private final ArrayList<Change> buffer = new ArrayList<>();
    private State state = State.BUFFERING;
    private long lastSeq;
    /** A resync was asked for while a snapshot was being read: take another one after it. */
    private boolean again;

    /** {@code askedAs}: the id or slug the client subscribed by. */
    Subscription(String room, String askedAs, Presence presence, Outbound out, ScheduledExecutorService retries,
            Snapshots snapshots) {
        this.room = room;
        this.askedAs = askedAs;
        this.presence = presence;
        this.out = out;
        this.retries = retries;
        this.snapshots = snapshots;
    }

    /** Where a room's snapshots are rendered and kept. */
    interface Snapshots {
        /** The body of {@code snap}'s frame (X1: one array for every socket that takes the room at that seq). */
        SharedBytes snapshotBody(RoomSnapshot snap);
    }

    String room() {
        return room;
    }

    /** The id or slug the client subscribed by. */
    String askedAs() {
        return askedAs;
    }

    /**
     * Called by the room's fan-out (one at a time, in seq order), never blocks: consecutive changes of the room, and
     * {@code frame}, the UTF-8 of the one frame that carries them all (a {@code change}, or a {@code changes}
     * batch), shared by every subscriber: each queues a slice of it.
     */
    synchronized void onChanges(List<Change> changes, SharedBytes frame) {
        switch (state) {
            case BUFFERING -> buffer.addAll(changes);
            case LIVE -> deliverAll(changes, frame);
            default -> {
                // RESYNC: the coming snapshot covers it; CANCELLED: gone.
            }
        }
    }

    /**
     * Starts the subscription: with a resume point whose changes the engine still holds (S2), queues a
     * {@code resumed} reply and exactly those changes; otherwise a snapshot.
     */
    void start(JsonNode requestId, Optional<ResumePoint> resume) {
        if (resume.isPresent()) {
            ResumePoint p = resume.get();
            Optional<List<Change>> missed = presence.changesSince(room, p.epoch(), p.seq());
            if (missed.isPresent()) {
                synchronized (this) {
                    if (state == State.CANCELLED) {
                        return;
                    }
                    out.reply(Frames.resumed(requestId, room, p.epoch(), p.seq()));
                    lastSeq = p.seq();
                    state = State.LIVE;
                    deliverAll(missed.get(), null);
                    flushBuffer();
                    resyncAgainIfAsked();
                }
                return;
            }
        }
        snapshotThenFlush(requestId);
    }

    /** S4: reached the resync marker in the outbound queue; take a fresh snapshot now. */
    void resnapshot() {
        synchronized (this) {
            if (state != State.RESYNC) {
                return;
            }
            state = State.BUFFERING;
            buffer.clear();
        }
        try {
            snapshotThenFlush(null);
        } catch (RuntimeException e) {
            // The store is unreachable: stay in RESYNC (changes are ignored) and try again shortly.
            synchronized (this) {
                if (state == State.CANCELLED) {
                    return;
                }
                state = State.RESYNC;
                buffer.clear();
            }
            retries.schedule(this::retry, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void retry() {
        if (state == State.RESYNC) {
            out.resync(this);
        }
    }

    /**
     * Makes the subscriber take a fresh snapshot read after this call, whatever it has seen: the store
     * lost its data, so changes of the new log may carry seqs it has already passed.
     */
    synchronized void forceResync() {
        switch (state) {
            case LIVE -> {
                state = State.RESYNC;
                out.resync(this);
            }
            case BUFFERING -> again = true;
            default -> {
                // RESYNC: the snapshot still to come is read after now; CANCELLED: gone.
            }
        }
    }

    private void resyncAgainIfAsked() {
        if (again && state == State.LIVE) {
            again = false;
            state = State.RESYNC;
            out.resync(this);
        }
    }

    /** Tells the subscriber the room's state (R1): {@code degraded} or {@code live}; nothing once cancelled. */
    synchronized void status(String state) {
        if (state != null && this.state != State.CANCELLED) {
            out.reply(Frames.status(room, state));
        }
    }

    synchronized void cancel() {
        state = State.CANCELLED;
        buffer.clear();
    }

    private void snapshotThenFlush(JsonNode requestId) {
        RoomSnapshot snap = presence.snapshot(room);
        // Encoded here, outside the lock the room's fan-out also takes: a 2 000-entry snapshot is 200 KB.
        SharedBytes body = snapshots.snapshotBody(snap);
        synchronized (this) {
            if (state == State.CANCELLED) {
                return;
            }
            out.snapshot(room, Frames.snapshotHead(requestId), body);
            lastSeq = snap.seq();
            state = State.LIVE;
            flushBuffer();
            resyncAgainIfAsked();
        }
    }

    private void flushBuffer() {
        for (Change c : buffer) {
            if (c.seq() > lastSeq) {
                deliverOne(c);
            }
        }
        buffer.clear();
    }

    /**
     * Queues changes of the room, in seq order, as one frame ({@code frame}, or rendered here when null)
     * when they are consecutive and none was passed on yet. Otherwise one by one: part of a batch was
     * passed on already (after a snapshot or resume), or the feed skipped or restarted, and a gap resyncs.
     */
    private void deliverAll(List<Change> changes, SharedBytes frame) {
        if (changes.isEmpty()) {
            return;
        }
        long first = changes.get(0).seq();
        long last = changes.get(changes.size() - 1).seq();
        if (first <= lastSeq || last - first + 1 != changes.size()) {
            for (Change c : changes) {
                deliverOne(c);
            }
        } else if (frame != null) {
            deliver(first, last, frame);
        } else {
            deliver(first, last, new SharedBytes(Frames.changesFrame(changes)));
        }
    }

    private void deliverOne(Change c) {
        deliver(c.seq(), c.seq(), new SharedBytes(Frames.changesFrame(List.of(c))));
    }

    /** Queues the frame carrying changes {@code first}…{@code last}: only right after what was passed on. */
    private void deliver(long first, long last, SharedBytes frame) {
        if (state != State.LIVE || last <= lastSeq) {
            return;
        }
        if (first != lastSeq + 1 || !out.offerChange(room, frame)) {
            state = State.RESYNC;
            out.resync(this);
            return;
        }
        lastSeq = last;
    }

    /** Where a resuming subscriber left off. */
    record ResumePoint(String epoch, long seq) {
    }
}
