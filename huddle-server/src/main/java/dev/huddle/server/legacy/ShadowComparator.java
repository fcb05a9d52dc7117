package dev.huddle.server.legacy;

import dev.huddle.presence.Entry;
import dev.huddle.presence.Presence;
import dev.huddle.server.presence.SessionData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow mode's comparator (L2): compares the legacy view of a room (its fresh rows) with the engine's
 * (its online entries), user by user, on the fields {@code online}, {@code isSpeaking} and
 * {@code isRecording}. Each mismatch is logged once as one structured line and counted once in
 * {@code presence_shadow_mismatches_total{field}} when it appears; while it persists, later comparisons
 * do not repeat it, and once it is gone the same mismatch appearing again counts again.
 */
public final class ShadowComparator {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowComparator.class);
    static final List<String> FIELDS = List.of("online", SessionData.IS_SPEAKING, SessionData.IS_RECORDING);

    private final Presence presence;
    private final Map<String, Counter> counters = new HashMap<>();
    /** One difference between the two views. */
    private record Mismatch(String user, String field, boolean legacy, boolean engine) {
    }

    /** Per room, the mismatches currently standing. */
    private final Map<String, Set<Mismatch>> standing = new ConcurrentHashMap<>();

    public ShadowComparator(Presence presence, MeterRegistry registry) {
        this.presence = presence;
        for (String f : FIELDS) {
            counters.put(f, Counter.builder("presence.shadow.mismatches").tag("field", f)
                    .description("Differences between the legacy table and the engine seen in shadow mode (L2)")
                    .register(registry));
        }
    }

    /** Compares one room; returns the mismatches that newly appeared (each logged and counted). */
    public synchronized int compare(String roomId, List<LegacyPresenceTable.Row> legacyRows) {
        Map<String, LegacyPresenceTable.Row> legacy = new HashMap<>();
        legacyRows.forEach(r -> legacy.put(r.userId(), r));
        Map<String, Entry> engine = new HashMap<>();
        for (Entry e : presence.listRoom(roomId, true, Presence.MAX_LIMIT)) {
            engine.put(e.userId(), e);
        }
        Set<String> users = new HashSet<>(legacy.keySet());
        users.addAll(engine.keySet());
        Set<Mismatch> now = new HashSet<>();
        for (String u : users) {
            LegacyPresenceTable.Row l = legacy.get(u);
            Entry e = engine.get(u);
            if (l == null || e == null) {
                now.add(key(u, "online", l != null, e != null));
                continue;
            }
            boolean es = SessionData.TRUE.equals(e.data().get(SessionData.IS_SPEAKING));
            boolean er = SessionData.TRUE.equals(e.data().get(SessionData.IS_RECORDING));
            if (l.isSpeaking() != es) {
                now.add(key(u, SessionData.IS_SPEAKING, l.isSpeaking(), es));
            }
            if (l.isRecording() != er) {
                now.add(key(u, SessionData.IS_RECORDING, l.isRecording(), er));
            }
        }
        Set<Mismatch> before = standing.getOrDefault(roomId, Set.of());
        int fresh = 0;
        for (Mismatch k : now) {
            if (!before.contains(k)) {
                LOG.warn("event=presence_shadow_mismatch room={} user={} field={} legacy={} engine={}", roomId, k.user(),
                        k.field(), k.legacy(), k.engine());
                counters.get(k.field()).increment();
                fresh++;
            }
        }
        if (now.isEmpty()) {
            standing.remove(roomId);
        } else {
            standing.put(roomId, now);
        }
        return fresh;
    }

    /** The rooms compared so far that may still hold standing mismatches. */
    public Set<String> roomsWithMismatches() {
        return Set.copyOf(standing.keySet());
    }

    /** Forgets standing mismatches (when leaving shadow mode). */
    public synchronized void reset() {
        standing.clear();
    }

    private static Mismatch key(String user, String field, boolean legacy, boolean engine) {
        return new Mismatch(user, field, legacy, engine);
    }
}
