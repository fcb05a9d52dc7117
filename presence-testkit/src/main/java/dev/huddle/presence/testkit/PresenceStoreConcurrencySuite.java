package dev.huddle.presence.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.DataMerger;
import dev.huddle.presence.Entry;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.PresenceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrency stress: many threads heartbeating, patching, disconnecting and expiring the same few
 * users in the same rooms while the clock moves. Afterwards: online ⇔ has a live session; every
 * room's sequence numbers are 1…n in delivery order; per user and room, joins and leaves alternate
 * (one join per offline→online, one leave per online→offline); and once every deadline has passed,
 * nobody is left online (no ghosts).
 */
public abstract class PresenceStoreConcurrencySuite {
    private static final String[] ROOMS = {"r0", "r1"};
    private static final int USERS = 4;
    private static final int SESSIONS_PER_USER = 3;
    private static final int WORKERS = 6;
    private static final int OPS_PER_WORKER = 20_000;

    /** Builds a fresh, empty store. */
    protected abstract PresenceStore newStore(DataMerger merger, int changeLogCapacity);

    /** How many operations each worker thread makes; a store behind a network may choose fewer. */
    protected int opsPerWorker() {
        return OPS_PER_WORKER;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentHeartbeatsDisconnectsAndExpiriesNeverLoseOrDoubleAJoinOrLeave() throws Exception {
        long seed = Long.getLong("presence.seed", new Random().nextLong());
        ManualClock clock = new ManualClock(1_000_000);
        ChangeRecorder recorder = new ChangeRecorder();
        Map<String, String> tokens = new ConcurrentHashMap<>();
        try (Presence presence = Presence.builder().store(newStore(DataMerger.DEFAULT, 16)).clock(clock)
                .startWorker(false).build()) {
            presence.subscribe(recorder);
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS + 1);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Random rnd = new Random(seed + w);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < opsPerWorker(); i++) {
                        String room = ROOMS[rnd.nextInt(ROOMS.length)];
                        String user = "u" + rnd.nextInt(USERS);
                        String session = room + "/" + user + "/" + rnd.nextInt(SESSIONS_PER_USER);
                        int op = rnd.nextInt(10);
                        if (op < 5) {
                            tokens.put(session, presence.heartbeat(room, user, session, 1_000).sessionToken());
                        } else if (op < 7) {
                            String token = tokens.get(session);
                            if (token != null) {
                                presence.disconnect(token, rnd.nextInt(3) == 0 ? 500 : 0);
                            }
                        } else if (op < 8) {
                            presence.updateSession(room, user, session, Map.of("speaking", String.valueOf(rnd.nextBoolean())));
                        } else {
                            presence.expireDue();
                        }
                    }
                    return null;
                }));
            }
            Random ticker = new Random(seed - 1);
            Future<?> clockMover = pool.submit(() -> {
                start.await();
                while (!futures.stream().allMatch(Future::isDone)) {
                    clock.advance(ticker.nextInt(200));
                    presence.expireDue();
                }
                return null;
            });
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            clockMover.get();
            pool.shutdown();

            String context = "seed " + seed + " (replay with -Dpresence.seed=" + seed + ")";
            for (String room : ROOMS) {
                for (int u = 0; u < USERS; u++) {
                    String user = "u" + u;
                    boolean live = false;
                    for (int k = 0; k < SESSIONS_PER_USER; k++) {
                        // An empty patch changes nothing, and tells whether the session is live.
                        live |= presence.updateSession(room, user, room + "/" + user + "/" + k, Map.of());
                    }
                    Entry entry = presence.listRoom(room, false, 100).stream()
                            .filter(e -> e.userId().equals(user)).findFirst().orElse(null);
                    boolean online = entry != null && entry.online();
                    assertThat(online).as("%s %s online ⇔ has a live session; %s", room, user, context).isEqualTo(live);
                }
            }
            checkStream(recorder, context, presence);

            clock.advance(10_000);
            presence.expireDue();
            for (String room : ROOMS) {
                assertThat(presence.listRoom(room, true, 100)).as("no ghosts after every deadline; %s", context).isEmpty();
            }
            checkStream(recorder, context, presence);
        }
    }

    private static void checkStream(ChangeRecorder recorder, String context, Presence presence) {
        for (String room : ROOMS) {
            List<Change> changes = recorder.room(room);
            for (int i = 0; i < changes.size(); i++) {
                assertThat(changes.get(i).seq()).as("%s seq in delivery order, gapless; %s", room, context).isEqualTo(i + 1);
            }
            for (int u = 0; u < USERS; u++) {
                String user = "u" + u;
                boolean online = false;
                for (Change c : changes) {
                    if (!c.entry().userId().equals(user)) {
                        continue;
                    }
                    if (c.kind() == ChangeKind.JOIN) {
                        assertThat(online).as("%s %s: a join only from offline; %s", room, user, context).isFalse();
                        online = true;
                    } else if (c.kind() == ChangeKind.LEAVE) {
                        assertThat(online).as("%s %s: a leave only from online; %s", room, user, context).isTrue();
                        online = false;
                    }
                    assertThat(c.entry().online()).isEqualTo(online);
                }
                boolean shown = presence.listRoom(room, true, 100).stream().anyMatch(e -> e.userId().equals(user));
                assertThat(shown).as("%s %s: the stream's last word matches the list; %s", room, user, context).isEqualTo(online);
            }
        }
    }
}
