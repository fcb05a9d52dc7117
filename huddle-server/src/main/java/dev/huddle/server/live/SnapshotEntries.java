package dev.huddle.server.live;

import dev.huddle.presence.Entry;
import java.nio.ByteBuffer;
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
 * snapshot is always exactly the room as of its seq. Entries are kept as UTF-8, so that a snapshot's
 * frame is one array that each entry is copied into once.
 */
final class SnapshotEntries {
    private record Rendered(Entry entry, byte[] json) {
    }

    private final ConcurrentHashMap<String, Rendered> byUser = new ConcurrentHashMap<>();
    private final Function<Entry, byte[]> render;
    private final AtomicLong rendered;
    private final AtomicLong reused;

    SnapshotEntries(Function<Entry, byte[]> render, AtomicLong rendered, AtomicLong reused) {
        this.render = render;
        this.rendered = rendered;
        this.reused = reused;
    }

    /** One frame: {@code head}, then {@code entries} as a JSON array in their order, then {@code tail}. */
    ByteBuffer frame(byte[] head, List<Entry> entries, byte[] tail) {
        byte[][] parts = new byte[entries.size()][];
        int size = head.length + 2 + Math.max(0, entries.size() - 1) + tail.length;
        int fresh = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Rendered r = byUser.get(e.userId());
            if (r == null || r.entry() != e && !r.entry().equals(e)) { // the store hands out one Entry while it holds
                r = new Rendered(e, render.apply(e));
                byUser.put(e.userId(), r);
                fresh++;
            }
            parts[i] = r.json();
            size += parts[i].length;
        }
        byte[] out = new byte[size];
        System.arraycopy(head, 0, out, 0, head.length);
        int at = head.length;
        out[at++] = '[';
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out[at++] = ',';
            }
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        out[at++] = ']';
        System.arraycopy(tail, 0, out, at, tail.length);
        rendered.addAndGet(fresh);
        reused.addAndGet(entries.size() - fresh);
        if (byUser.size() > 2 * entries.size() + 16) {
            // Users removed from the room since: keep only the entries this snapshot holds.
            Set<String> current = new HashSet<>();
            entries.forEach(e -> current.add(e.userId()));
            byUser.keySet().retainAll(current);
        }
        return ByteBuffer.wrap(out);
    }
}
