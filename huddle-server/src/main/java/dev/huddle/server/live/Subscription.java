package dev.huddle.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.huddle.presence.Change;
import dev.huddle.presence.Presence;
import dev.huddle.presence.RoomSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One socket watching one room (S1–S4). It is registered for changes <em>before</em> it reads the
 * snapshot (or the changes since a resume point), buffering changes meanwhile; then it queues the
 * snapshot and the buffered changes with a later seq, so nothing falls between the two. Changes are
 * passed on only in seq order and without gaps; a gap, or a full outbound queue, resyncs it with a
 * fresh snapshot instead.
 */
final class Subscription {
    private enum State { BUFFERING, LIVE, RESYNC, CANCELLED }

    private final String room;
    private final Presence presence;
    private final Outbound out;
    private final ArrayList<Change> buffer = new ArrayList<>();
    private State state = State.BUFFERING;
    private long lastSeq;

    Subscription(String room, Presence presence, Outbound out) {
        this.room = room;
        this.presence = presence;
        this.out = out;
    }

    String room() {
        return room;
    }

    /** Called by the hub under the room's lock: never blocks. */
    synchronized void onChange(Change c, String text) {
        switch (state) {
            case BUFFERING -> buffer.add(c);
            case LIVE -> deliver(c.seq(), text);
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
                    for (Change c : missed.get()) {
                        deliver(c.seq(), Frames.change(c));
                    }
                    flushBuffer();
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
        snapshotThenFlush(null);
    }

    synchronized void cancel() {
        state = State.CANCELLED;
        buffer.clear();
    }

    private void snapshotThenFlush(JsonNode requestId) {
        RoomSnapshot snap = presence.snapshot(room);
        synchronized (this) {
            if (state == State.CANCELLED) {
                return;
            }
            out.reply(Frames.snapshot(requestId, snap));
            lastSeq = snap.seq();
            state = State.LIVE;
            flushBuffer();
        }
    }

    private void flushBuffer() {
        for (Change c : buffer) {
            if (c.seq() > lastSeq) {
                deliver(c.seq(), Frames.change(c));
            }
        }
        buffer.clear();
    }

    private void deliver(long seq, String text) {
        if (state != State.LIVE || seq <= lastSeq) {
            return;
        }
        if (seq != lastSeq + 1 || !out.offerChange(room, text)) {
            state = State.RESYNC;
            out.resync(this);
            return;
        }
        lastSeq = seq;
    }

    /** Where a resuming subscriber left off. */
    record ResumePoint(String epoch, long seq) {
    }
}
