package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Change;
import dev.huddle.presence.testkit.ChangeRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener feed's ordering rules, against a fake change log (no Redis). */
class ChangeFeedTest {
    private final Map<String, TreeMap<Long, byte[]>> logs = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String epoch = "e1";
    private final ChangeRecorder seen = new ChangeRecorder();
    private final ChangeFeed feed = new ChangeFeed(this::read, 100, "test-feed");

    {
        feed.addListener(seen);
    }

    @AfterEach
    void close() {
        feed.close();
    }

    private ChangeFeed.Range read(String room, long from, long to) {
        TreeMap<Long, byte[]> log = logs.getOrDefault(room, new TreeMap<>());
        return new ChangeFeed.Range(epoch, new ArrayList<>(log.subMap(from, true, to, true).values()));
    }

    private static String ns(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length + ":" + s;
    }

    private byte[] change(String room, long seq) {
        byte[] c = (ns(epoch) + ns(Long.toString(seq)) + ns("UPDATE") + ns("ü" + seq) + ns("1") + ns("0") + ns("k") + ns("v"))
                .getBytes(StandardCharsets.UTF_8);
        logs.computeIfAbsent(room, k -> new TreeMap<>()).put(seq, c);
        return c;
    }

    private static byte[] message(String room, byte[] change) {
        byte[] head = ns(room).getBytes(StandardCharsets.UTF_8);
        byte[] m = new byte[head.length + change.length];
        System.arraycopy(head, 0, m, 0, head.length);
        System.arraycopy(change, 0, m, head.length, change.length);
        return m;
    }

    private List<Long> seqs(String room) {
        return seen.room(room).stream().map(Change::seq).toList();
    }

    @Test
    void duplicatesAreDroppedAndGapsFilledFromTheLog() {
        byte[] c1 = change("r", 1);
        byte[] c2 = change("r", 2);
        byte[] c3 = change("r", 3);
        feed.local("r", List.of(c1));
        feed.local("r", List.of(c3));          // 2 is missing: read from the log first
        feed.local("r", List.of(c2, c3));      // duplicates
        feed.remote(message("r", c1));
        feed.remote(message("r", c3));
        assertThat(seqs("r")).containsExactly(1L, 2L, 3L);
        assertThat(seen.room("r").get(1).entry().userId()).isEqualTo("ü2");
        assertThat(seen.room("r").get(1).entry().data()).containsEntry("k", "v");

        byte[] c4 = change("r", 4);
        feed.remote(message("r", c4));
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs("r").size() == 4);
        assertThat(seqs("r")).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void firstSightCatchesUpFromTheLogAndATrimmedLogShowsAsAJump() {
        for (long s = 1; s <= 5; s++) {
            change("r", s);
        }
        feed.local("r", List.of(change("r", 6)));
        assertThat(seqs("r")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);

        for (long s = 7; s <= 9; s++) {
            change("r", s);
        }
        logs.get("r").headMap(9L).clear();     // trimmed: 7 and 8 are gone
        feed.local("r", List.of(change("r", 10)));
        assertThat(seqs("r")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 9L, 10L);
    }

    @Test
    void aNewEpochStartsTheRoomAgain() {
        feed.local("r", List.of(change("r", 1), change("r", 2)));
        epoch = "e2";
        logs.clear();
        byte[] fresh = change("r", 1);
        feed.local("r", List.of(fresh));
        assertThat(seqs("r")).containsExactly(1L, 2L, 1L);

        // a late message of the old log changes nothing, and the new log goes on without repeats
        epoch = "e1";
        byte[] late = change("r", 3);
        epoch = "e2";
        logs.get("r").put(1L, fresh);
        logs.get("r").remove(3L);
        feed.local("r", List.of(late));
        feed.local("r", List.of(change("r", 2)));
        assertThat(seqs("r")).containsExactly(1L, 2L, 1L, 2L);
    }

    @Test
    void catchUpDeliversWhatPubSubLost() {
        feed.local("r", List.of(change("r", 1)));
        change("r", 2);
        change("r", 3);
        feed.requestCatchUp();
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs("r").size() == 3);
        assertThat(seqs("r")).containsExactly(1L, 2L, 3L);
    }
}
