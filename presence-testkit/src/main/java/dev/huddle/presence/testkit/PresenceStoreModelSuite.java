package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.SessionConflictException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Model-based randomized test: random sequences of heartbeat, disconnect (with and without grace),
 * session and user updates, removals and clock advances with expiry, over a few rooms, users and
 * sessions, checked after every step against a small reference model — the exact changes emitted
 * (room, seq, kind, entry), every room's list in order, and every user's cross-room list.
 *
 * <p>Runs {@link #RUNS} seeds; a failure names its seed. Replay one with
 * {@code -Dpresence.seed=<seed>}.
 */
public abstract class PresenceStoreModelSuite {
    private static final int RUNS = 150;
    private static final int STEPS = 400;
    private static final String[] ROOMS = {"r0", "r1", "r2"};
    private static final String[] USERS = {"u0", "u1", "u2", "u3"};
    private static final String[] SESSIONS = {"s0", "s1", "s2", "s3", "s4", "s5"};
    private static final long[] INTERVALS = {1_000, 2_000, 5_000, 10_000};

    /** Builds a fresh, empty store using the default merge rule. */
    protected abstract PresenceStore newStore(DataMerger merger, int changeLogCapacity);

    /** How many seeds one test run tries; a store behind a network may choose fewer. */
    protected int runs() {
        return RUNS;
    }

    @Test
    void randomOperationSequencesMatchTheReferenceModel() {
        String fixed = System.getProperty("presence.seed");
        long base = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        int runs = fixed != null ? 1 : runs();
        for (int i = 0; i < runs; i++) {
            long seed = base + i;
            try {
                run(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("model test failed with seed " + seed
                        + " (replay: -Dpresence.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private void run(long seed) {
        Random rnd = new Random(seed);
        ManualClock clock = new ManualClock(1_000_000);
        ChangeRecorder recorder = new ChangeRecorder();
        Model model = new Model();
        List<String> tokensSeen = new ArrayList<>();
        try (Presence presence = Presence.builder().store(newStore(DataMerger.DEFAULT, 64)).clock(clock)
                .startWorker(false).build()) {
            presence.subscribe(recorder);
            for (int step = 0; step < STEPS; step++) {
                int before = recorder.size();
                model.emitted.clear();
                String what = step(rnd, presence, clock, model, tokensSeen);
                assertThat(recorder.since(before)).as("changes of step %d: %s", step, what).isEqualTo(model.emitted);
                for (String room : ROOMS) {
                    assertThat(presence.listRoom(room, false, 1000)).as("room %s after step %d: %s", room, step, what)
                            .isEqualTo(model.list(room));
                    if (model.roomTokens.containsKey(room)) {
                        assertThat(presence.list(model.roomTokens.get(room), 1000)).isEqualTo(model.list(room));
                    }
                }
                for (String user : USERS) {
                    assertThat(presence.listUser(user, false, 1000)).as("user %s after step %d: %s", user, step, what)
                            .isEqualTo(model.listUser(user));
                }
            }
        }
    }

    private String step(Random rnd, Presence presence, ManualClock clock, Model model, List<String> tokensSeen) {
        String room = ROOMS[rnd.nextInt(ROOMS.length)];
        String user = USERS[rnd.nextInt(USERS.length)];
        String session = SESSIONS[rnd.nextInt(SESSIONS.length)];
        long now = clock.millis();
        int op = rnd.nextInt(100);
        if (op < 40) {
            long interval = INTERVALS[rnd.nextInt(INTERVALS.length)];
            Map<String, String> data = rnd.nextBoolean() ? null : randomData(rnd);
            String what = "heartbeat " + room + " " + user + " " + session + " " + interval + " " + data;
            if (model.conflicts(room, user, session)) {
                assertThatThrownBy(() -> presence.heartbeat(room, user, session, interval, data))
                        .as(what).isInstanceOf(SessionConflictException.class);
                return what;
            }
            HeartbeatResult result = presence.heartbeat(room, user, session, interval, data);
            model.heartbeat(room, user, session, now, Presence.deadline(now, interval), data, result);
            tokensSeen.add(result.sessionToken());
            return what;
        } else if (op < 55) {
            String token = tokensSeen.isEmpty() || rnd.nextInt(10) == 0 ? "unknown-token-0123456789"
                    : tokensSeen.get(rnd.nextInt(tokensSeen.size()));
            long grace = rnd.nextInt(3) == 0 ? 1_500 : 0;
            boolean expected = model.disconnect(token, now, grace);
            assertThat(presence.disconnect(token, grace)).as("disconnect known").isEqualTo(expected);
            return "disconnect " + token + " grace " + grace;
        } else if (op < 65) {
            Map<String, String> patch = randomData(rnd);
            boolean expected = model.updateSession(room, user, session, patch);
            assertThat(presence.updateSession(room, user, session, patch)).isEqualTo(expected);
            return "updateSession " + room + " " + user + " " + session + " " + patch;
        } else if (op < 70) {
            Map<String, String> data = Map.of("name", "n" + rnd.nextInt(3));
            boolean expected = model.updateRoomUser(room, user, data);
            assertThat(presence.updateRoomUser(room, user, data)).isEqualTo(expected);
            return "updateRoomUser " + room + " " + user + " " + data;
        } else if (op < 73) {
            boolean expected = model.removeRoomUser(room, user);
            assertThat(presence.removeRoomUser(room, user)).isEqualTo(expected);
            return "removeRoomUser " + room + " " + user;
        } else if (op < 75) {
            boolean expected = model.removeRoom(room);
            assertThat(presence.removeRoom(room)).isEqualTo(expected);
            return "removeRoom " + room;
        } else {
            long by = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(30_000);
            long t = clock.advance(by);
            model.expire(t);
            presence.expireDue();
            return "advance " + by + " to " + t + " and expire";
        }
    }

    private static Map<String, String> randomData(Random rnd) {
        Map<String, String> data = new HashMap<>();
        data.put("k", rnd.nextBoolean() ? "a" : "b");
        if (rnd.nextBoolean()) {
            data.put("m", rnd.nextBoolean() ? "x" : "y");
        }
        return data;
    }

    /** The reference model: plain maps, no concurrency, rules written out as directly as possible. */
    private static final class Model {
        final Map<String, Map<String, MUser>> rooms = new HashMap<>();
        final Map<String, Long> seqs = new HashMap<>();
        final Map<String, String> roomTokens = new HashMap<>();
        final Map<String, MSession> sessions = new HashMap<>();
        final Map<String, MSession> byToken = new HashMap<>();
        final List<Change> emitted = new ArrayList<>();

        boolean conflicts(String room, String user, String session) {
            MSession s = sessions.get(session);
            return s != null && !(s.room.equals(room) && s.user.equals(user));
        }

        void heartbeat(String room, String user, String session, long now, long deadline, Map<String, String> data,
                HeartbeatResult result) {
            String token = roomTokens.get(room);
            if (token != null) {
                assertThat(result.roomToken()).as("room token is stable").isEqualTo(token);
            } else {
                assertThat(roomTokens.containsValue(result.roomToken())).as("room token is new").isFalse();
                roomTokens.put(room, result.roomToken());
            }
            MSession s = sessions.get(session);
            if (s != null) {
                assertThat(result.sessionToken()).as("session token is stable").isEqualTo(s.token);
                s.deadline = deadline;
                if (data != null) {
                    s.data.putAll(data);
                    refresh(room, rooms.get(room).get(user));
                }
                return;
            }
            assertThat(byToken).as("session token is new").doesNotContainKey(result.sessionToken());
            s = new MSession(room, user, session, result.sessionToken(), deadline);
            if (data != null) {
                s.data.putAll(data);
            }
            sessions.put(session, s);
            byToken.put(s.token, s);
            MUser u = rooms.computeIfAbsent(room, k -> new HashMap<>()).computeIfAbsent(user, MUser::new);
            u.sessions.put(session, s);
            if (!u.online) {
                u.online = true;
                u.lastDisconnected = 0;
                u.onlineSince = now;
                u.data = merge(u);
                emit(room, ChangeKind.JOIN, u);
            } else {
                refresh(room, u);
            }
        }

        boolean disconnect(String token, long now, long grace) {
            MSession s = byToken.get(token);
            if (s == null) {
                return false;
            }
            long endAt = now + grace;
            if (endAt <= now) {
                end(s, now);
            } else if (endAt < s.deadline) {
                s.deadline = endAt;
            }
            return true;
        }

        boolean updateSession(String room, String user, String session, Map<String, String> patch) {
            MSession s = sessions.get(session);
            if (s == null || !s.room.equals(room) || !s.user.equals(user)) {
                return false;
            }
            s.data.putAll(patch);
            refresh(room, rooms.get(room).get(user));
            return true;
        }

        boolean updateRoomUser(String room, String user, Map<String, String> data) {
            MUser u = rooms.getOrDefault(room, Map.of()).get(user);
            if (u == null) {
                return false;
            }
            u.userData = Map.copyOf(data);
            refresh(room, u);
            return true;
        }

        boolean removeRoomUser(String room, String user) {
            MUser u = rooms.getOrDefault(room, Map.of()).get(user);
            if (u == null) {
                return false;
            }
            remove(room, u);
            return true;
        }

        boolean removeRoom(String room) {
            Map<String, MUser> users = rooms.getOrDefault(room, Map.of());
            if (users.isEmpty() && !roomTokens.containsKey(room)) {
                return false;
            }
            for (Entry e : list(room)) {
                remove(room, users.get(e.userId()));
            }
            roomTokens.remove(room);
            return true;
        }

        void expire(long now) {
            List<MSession> due = new ArrayList<>();
            for (MSession s : sessions.values()) {
                if (s.deadline <= now) {
                    due.add(s);
                }
            }
            due.sort(Comparator.comparingLong((MSession s) -> s.deadline).thenComparing(s -> s.id));
            for (MSession s : due) {
                end(s, s.deadline);
            }
        }

        private void remove(String room, MUser u) {
            Entry last = entry(room, u);
            for (MSession s : List.copyOf(u.sessions.values())) {
                sessions.remove(s.id);
                byToken.remove(s.token);
            }
            rooms.get(room).remove(u.user);
            emitted.add(new Change(room, nextSeq(room), ChangeKind.REMOVE, last));
        }

        private void end(MSession s, long at) {
            sessions.remove(s.id);
            byToken.remove(s.token);
            MUser u = rooms.get(s.room).get(s.user);
            u.sessions.remove(s.id);
            if (u.sessions.isEmpty()) {
                u.online = false;
                u.lastDisconnected = at;
                u.data = merge(u);
                emit(s.room, ChangeKind.LEAVE, u);
            } else {
                refresh(s.room, u);
            }
        }

        private void refresh(String room, MUser u) {
            Map<String, String> data = merge(u);
            if (!data.equals(u.data)) {
                u.data = data;
                emit(room, ChangeKind.UPDATE, u);
            }
        }

        /** DataMerger.DEFAULT written out: sessions oldest first, then the user's data. */
        private static Map<String, String> merge(MUser u) {
            Map<String, String> m = new HashMap<>();
            for (MSession s : u.sessions.values()) {
                m.putAll(s.data);
            }
            m.putAll(u.userData);
            return Map.copyOf(m);
        }

        private void emit(String room, ChangeKind kind, MUser u) {
            emitted.add(new Change(room, nextSeq(room), kind, entry(room, u)));
        }

        private long nextSeq(String room) {
            return seqs.merge(room, 1L, Long::sum);
        }

        private static Entry entry(String room, MUser u) {
            return new Entry(room, u.user, u.online, u.lastDisconnected, u.data);
        }

        private static final Comparator<Object[]> ORDER = Comparator
                .comparing((Object[] r) -> !((Entry) r[0]).online())
                .thenComparingLong(r -> ((Entry) r[0]).online() ? (Long) r[1] : -((Entry) r[0]).lastDisconnected())
                .thenComparing(r -> ((Entry) r[0]).userId())
                .thenComparing(r -> ((Entry) r[0]).roomId());

        List<Entry> list(String room) {
            List<Object[]> rows = new ArrayList<>();
            rooms.getOrDefault(room, Map.of()).values().forEach(u -> rows.add(new Object[] {entry(room, u), u.onlineSince}));
            return sorted(rows);
        }

        List<Entry> listUser(String user) {
            List<Object[]> rows = new ArrayList<>();
            rooms.forEach((room, users) -> {
                MUser u = users.get(user);
                if (u != null) {
                    rows.add(new Object[] {entry(room, u), u.onlineSince});
                }
            });
            return sorted(rows);
        }

        private static List<Entry> sorted(List<Object[]> rows) {
            rows.sort(ORDER);
            return rows.stream().map(r -> (Entry) r[0]).toList();
        }
    }

    private static final class MUser {
        final String user;
        final LinkedHashMap<String, MSession> sessions = new LinkedHashMap<>();
        boolean online;
        long lastDisconnected;
        long onlineSince;
        Map<String, String> userData = Map.of();
        Map<String, String> data = Map.of();

        MUser(String user) {
            this.user = user;
        }
    }

    private static final class MSession {
        final String room;
        final String user;
        final String id;
        final String token;
        final Map<String, String> data = new HashMap<>();
        long deadline;

        MSession(String room, String user, String id, String token, long deadline) {
            this.room = room;
            this.user = user;
            this.id = id;
            this.token = token;
            this.deadline = deadline;
        }
    }
}
