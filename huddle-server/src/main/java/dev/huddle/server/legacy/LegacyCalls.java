package dev.huddle.server.legacy;

import dev.huddle.presence.Entry;
import dev.huddle.presence.Presence;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.config.RolloutSettings;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;
import dev.huddle.server.presence.SessionData;
import dev.huddle.server.presence.SessionIds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy tracker's calls (L1, L3, H8) in the mode the {@link RolloutFlag} says: {@code upsertPresence}
 * and {@code clearPresence} touch the table ({@code legacy}), the table and the engine's legacy session
 * of the (huddle, user) pair ({@link SessionIds#legacy}; {@code shadow}), or that session only ({@code component}); the detail's
 * {@code presence} array reads the table or the engine. Membership, roles and flags follow the new API's
 * rules ({@link PresenceFunctions}), checked before anything changes. A legacy row becomes an engine
 * session the same way whether a call writes it or a switch carries the table over
 * ({@link #carryTableIntoEngine()}).
 */
final class LegacyCalls {
    // The rollout's events share one logger, the one docs/operations.md names.
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);

    private final LegacyPresenceTable table;
    private final Presence presence;
    private final PresenceFunctions functions;
    private final HuddleService huddles;
    private final TimeSource time;
    private final RolloutSettings settings;
    private final RolloutFlag flag;
    private final ShadowChecks shadow;
    private final BooleanSupplier retiredNow;

    LegacyCalls(LegacyPresenceTable table, Presence presence, PresenceFunctions functions, HuddleService huddles,
            TimeSource time, RolloutSettings settings, RolloutFlag flag, ShadowChecks shadow, BooleanSupplier retiredNow) {
        this.table = table;
        this.presence = presence;
        this.functions = functions;
        this.huddles = huddles;
        this.time = time;
        this.settings = settings;
        this.flag = flag;
        this.shadow = shadow;
        this.retiredNow = retiredNow;
        huddles.onLeave((room, user) -> {
            if (flag.tableInUse()) {
                try {
                    table.clear(room, user); // a member who leaves the huddle leaves its legacy view too
                } catch (RuntimeException e) {
                    if (!checkRetired()) {
                        throw e;
                    }
                }
            }
        });
    }

    /** upsertPresence {isSpeaking?, isRecording?} for the caller in huddle {@code huddleId} (canonical id). */
    Map<String, Object> upsert(Caller caller, String huddleId, Args args) {
        Optional<Boolean> speaking = args.optionalBoolean(SessionData.IS_SPEAKING);
        Optional<Boolean> recording = args.optionalBoolean(SessionData.IS_RECORDING);
        String me = caller.requireUserId();
        HuddleService.Membership m = huddles.requireMember(huddleId, me);
        if (speaking.isPresent() || recording.isPresent()) {
            PresenceFunctions.flagPatch(m.role(), speaking, recording); // observers: 403 before anything changes
        }
        String room = m.huddle().id();
        shadow.roomSeen(room);
        switch (flag.current()) {
            case LEGACY -> onTable(() -> {
                table.upsert(room, me, speaking.orElse(null), recording.orElse(null), time.millis());
                return null;
            });
            case SHADOW -> {
                requireTable();
                shadow.exclusive(() -> {
                    join(me, room, speaking, recording);
                    return onTable(() -> {
                        table.upsert(room, me, speaking.orElse(null), recording.orElse(null), time.millis());
                        return null;
                    });
                });
                shadow.compareSoon(room);
            }
            case COMPONENT -> join(me, room, speaking, recording);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("source", flag.current().wire());
        out.put("heartbeatIntervalMs", (long) settings.heartbeatIntervalMs());
        return out;
    }

    /** clearPresence for the caller in huddle {@code huddleId}: the row and/or the legacy session end at once. */
    Map<String, Object> clear(Caller caller, String huddleId) {
        String me = caller.requireUserId();
        HuddleService.Membership m = huddles.requireMember(huddleId, me);
        String room = m.huddle().id();
        boolean had;
        switch (flag.current()) {
            case LEGACY -> had = onTable(() -> table.clear(room, me));
            case SHADOW -> {
                requireTable();
                had = shadow.exclusive(() -> {
                    boolean engine = endLegacySession(room, me);
                    return onTable(() -> table.clear(room, me)) || engine;
                });
                shadow.compareSoon(room);
            }
            default -> had = endLegacySession(room, me);
        }
        return Map.of("ok", true, "cleared", had);
    }

    /**
     * The detail's transitional {@code presence} array (H8): the table's fresh rows in {@code legacy} and
     * {@code shadow}; in {@code component} the engine's online users while the setting keeps the array,
     * else empty (the key is left out).
     */
    Optional<List<Map<String, Object>>> detailPresence(String huddleId) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (flag.tableInUse()) {
            try {
                for (LegacyPresenceTable.Row r : table.fresh(huddleId, time.millis() - settings.staleAfterMs())) {
                    out.add(item(r.userId(), r.isSpeaking(), r.isRecording(), r.lastSeen()));
                }
                return Optional.of(out);
            } catch (RuntimeException e) {
                if (!checkRetired()) {
                    throw e;
                }
                out.clear(); // the table is gone: the detail serves the engine's view, as in component
            }
        }
        if (!settings.detailArray()) {
            return Optional.empty();
        }
        long now = time.millis();
        List<Entry> entries = new ArrayList<>(presence.listRoom(huddleId, true, Presence.MAX_LIMIT));
        entries.sort(Comparator.comparing(Entry::userId));
        for (Entry e : entries) {
            out.add(item(e.userId(), SessionData.TRUE.equals(e.data().get(SessionData.IS_SPEAKING)),
                    SessionData.TRUE.equals(e.data().get(SessionData.IS_RECORDING)), now));
        }
        return Optional.of(out);
    }

    /**
     * Leaving {@code legacy}: every fresh row becomes a live legacy session in the engine, with its
     * flags, so the engine holds what the table does before it is compared or serves.
     */
    void carryTableIntoEngine() {
        for (LegacyPresenceTable.Row r : table.allFresh(time.millis() - settings.staleAfterMs())) {
            try {
                // only true flags are carried: false is the default, and observers may give no flag at all (H5)
                join(r.userId(), r.huddleId(), r.isSpeaking() ? Optional.of(true) : Optional.empty(),
                        r.isRecording() ? Optional.of(true) : Optional.empty());
                shadow.roomSeen(r.huddleId());
            } catch (ApiException e) {
                // no longer a member (or an observer with a flag): the row is not carried over
                LOG.info("event=legacy_presence_not_seeded room={} user={} code={}", r.huddleId(), r.userId(), e.code());
            }
        }
    }

    /**
     * Whether the legacy table is retired: known already, or asked of the database now (the command may
     * have retired it while this node runs), and from then on known.
     */
    boolean checkRetired() {
        if (!flag.retired() && retiredNow.getAsBoolean()) {
            flag.markRetired();
            LOG.warn("event=legacy_table_retired source={}: legacy calls answer 410 legacy_retired until this node is"
                    + " switched to component", flag.current().wire());
        }
        return flag.retired();
    }

    /** L3: the legacy calls of a node still running the table ({@code legacy}, {@code shadow}) once it is gone. */
    private void requireTable() {
        if (flag.retired()) {
            throw new ApiException(410, "legacy_retired", "the legacy presence table has been retired, and this node still"
                    + " runs the legacy tracker (" + flag.current().wire() + "); switch it to component");
        }
    }

    /** A step that reads or writes the table: a table found gone meanwhile answers 410 {@code legacy_retired}. */
    private <T> T onTable(java.util.function.Supplier<T> step) {
        requireTable();
        try {
            return step.get();
        } catch (RuntimeException e) {
            if (checkRetired()) {
                requireTable();
            }
            throw e;
        }
    }

    /**
     * Back from {@code component} to a mode that reads the table (L3): every user the engine shows online
     * in a room this node knows — one a legacy call named, or one the table has rows of — gets a fresh
     * row with the engine's flags, so the legacy view loses nobody's flags (nor anybody) in the switch.
     */
    void rebuildTableFromEngine(Set<String> knownRooms) {
        Set<String> rooms = new TreeSet<>(knownRooms);
        rooms.addAll(table.huddles());
        long now = time.millis();
        int rows = 0;
        for (String room : rooms) {
            for (Entry e : presence.listRoom(room, true, Presence.MAX_LIMIT)) {
                table.upsert(room, e.userId(), SessionData.TRUE.equals(e.data().get(SessionData.IS_SPEAKING)),
                        SessionData.TRUE.equals(e.data().get(SessionData.IS_RECORDING)), now);
                rows++;
            }
            shadow.roomSeen(room);
        }
        LOG.info("event=legacy_presence_rebuilt rooms={} rows={}", rooms.size(), rows);
    }

    /** The user's legacy session in the engine: a heartbeat at the legacy interval, with the flags given. */
    private void join(String user, String room, Optional<Boolean> speaking, Optional<Boolean> recording) {
        functions.join(user, room, SessionIds.legacy(room, user), settings.heartbeatIntervalMs(), speaking,
                recording);
    }

    private boolean endLegacySession(String room, String user) {
        return presence.liveSessionToken(room, user, SessionIds.legacy(room, user))
                .map(t -> presence.disconnect(t, 0)).orElse(false);
    }

    private static Map<String, Object> item(String userId, boolean speaking, boolean recording, long lastSeen) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", userId);
        m.put("isSpeaking", speaking);
        m.put("isRecording", recording);
        m.put("lastSeen", lastSeen);
        return m;
    }
}
