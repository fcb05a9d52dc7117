package dev.huddle.server.live;

import dev.huddle.presence.Entry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One room's entries as a snapshot renders them (S1), each kept with the entry it was rendered from.
 * A snapshot renders only the entries that changed since the last one and copies the rest: when 2 000
 * people join one room within seconds, each joiner's snapshot would otherwise render the whole room.
 * An entry is reused only when it equals the one rendered (a record: every field and the data), so a
 * snapshot is always exactly the room as of its seq.
 */
final class SnapshotEntries {
    private record Rendered(Entry entry, String json) {
    }

    private final ConcurrentHashMap<String, Rendered> byUser = new ConcurrentHashMap<>();
    private final Function<Entry, String> render;
    private final AtomicLong rendered;
    private final AtomicLong reused;

    SnapshotEntries(Function<Entry, String> render, AtomicLong rendered, AtomicLong reused) {
        this.render = render;
        this.rendered = rendered;
        this.reused = reused;
    }

    /** {@code entries} as a JSON array, in their order. */
    String json(List<Entry> entries) {
        StringBuilder b = new StringBuilder(64 + entries.size() * 200).append('[');
        int fresh = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Rendered r = byUser.get(e.userId());
            if (r == null || !r.entry().equals(e)) {
                r = new Rendered(e, render.apply(e));
                byUser.put(e.userId(), r);
                fresh++;
            }
            b.append(i == 0 ? "" : ",").append(r.json());
        }
        rendered.addAndGet(fresh);
        reused.addAndGet(entries.size() - fresh);
        if (byUser.size() > 2 * entries.size() + 16) {
            // Users removed from the room since: keep only the entries this snapshot holds.
            Set<String> current = new HashSet<>();
            entries.forEach(e -> current.add(e.userId()));
            byUser.keySet().retainAll(current);
        }
        return b.append(']').toString();
    }
}
