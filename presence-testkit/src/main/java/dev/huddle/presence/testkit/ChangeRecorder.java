package dev.huddle.presence.testkit;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.ChangeListener;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A {@link ChangeListener} that keeps every change, for assertions; thread-safe. */
public final class ChangeRecorder implements ChangeListener {
    private final List<Change> changes = new ArrayList<>();

    @Override
    public synchronized void onChange(Change change) {
        changes.add(change);
    }

    /** Every change so far, in arrival order. */
    public synchronized List<Change> all() {
        return List.copyOf(changes);
    }

    /** How many changes so far. */
    public synchronized int size() {
        return changes.size();
    }

    /** The changes that arrived after the first {@code from}. */
    public synchronized List<Change> since(int from) {
        return List.copyOf(changes.subList(from, changes.size()));
    }

    /** One room's changes, in arrival order. */
    public List<Change> room(String roomId) {
        return all().stream().filter(c -> c.roomId().equals(roomId)).collect(Collectors.toList());
    }

    /** A compact description of one room's changes, e.g. {@code ["join alice", "leave alice"]}. */
    public List<String> story(String roomId) {
        return room(roomId).stream()
                .map(c -> c.kind().name().toLowerCase() + " " + c.entry().userId())
                .collect(Collectors.toList());
    }

    /** How many changes of {@code kind} the room emitted for {@code userId}. */
    public long count(String roomId, String userId, ChangeKind kind) {
        return room(roomId).stream().filter(c -> c.kind() == kind && c.entry().userId().equals(userId)).count();
    }
}
