package dev.huddle.server.live;

import dev.huddle.presence.Change;
import dev.huddle.presence.Presence;
import java.util.List;
import java.util.Optional;

/**
 * One room's last rendered snapshot, shared by the subscribers that start while it is recent (S1). A
 * subscriber gets it together with the changes since, when those are few (see
 * {@link RenderedSnapshot#maxChangesAfter}); otherwise one thread reads and renders a fresh one while
 * the others wait for it. In a room that fills by thousands within seconds, every joiner would
 * otherwise read, sort and render the whole room, and a backlog of joiners would all do it at once.
 */
final class SharedSnapshot {
    /** What a subscriber is sent: the snapshot, then the changes after it. */
    record Served(RenderedSnapshot snapshot, List<Change> since, boolean fresh) {
    }

    private volatile RenderedSnapshot last;

    Served serve(String room, Presence presence) {
        Served s = share(presence);
        if (s != null) {
            return s;
        }
        synchronized (this) {
            s = share(presence); // rendered by another subscriber while this one waited
            if (s != null) {
                return s;
            }
            RenderedSnapshot fresh = Frames.render(presence.snapshot(room));
            last = fresh;
            return new Served(fresh, List.of(), true);
        }
    }

    /** Forgets the snapshot: the store lost its data. */
    void clear() {
        last = null;
    }

    private Served share(Presence presence) {
        RenderedSnapshot r = last;
        if (r == null) {
            return null;
        }
        Optional<List<Change>> since = presence.changesSince(r.room(), r.epoch(), r.seq());
        return since.isPresent() && since.get().size() <= r.maxChangesAfter() ? new Served(r, since.get(), false) : null;
    }
}
