package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Change;
import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.RoomSnapshot;
import dev.huddle.presence.testkit.ChangeRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TwoNodesSuite} on one Redis server, plus what needs that server to itself: killing a node's
 * subscription connection (CLIENT KILL) and Redis losing all its data.
 */
class RedisTwoNodesTest extends TwoNodesSuite {
    @Override
    protected String newPrefix() {
        return RedisTestSupport.newPrefix();
    }

    @Override
    protected RedisStoreBuilder storeOn() {
        return RedisPresenceStore.builder(RedisTestSupport.client());
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.cleanUp();
    }

    @Test
    @DisplayName("B's pub/sub connection is killed while A makes changes: B still sees every change once, in order")
    void aDroppedSubscriptionLosesNothing() {
        a.heartbeat("r", "u0", "s0", INTERVAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> seenByB.room("r").size() == 1);
        long id;
        try (var conn = RedisTestSupport.client().connect()) {
            String name = "presence-redis:" + storeB.nodeId() + ":pubsub";
            String line = conn.sync().clientList().lines().filter(l -> l.contains(" name=" + name + " "))
                    .findFirst().orElseThrow(() -> new AssertionError("no client named " + name));
            id = Long.parseLong(line.replaceAll("^id=(\\d+) .*$", "$1"));
            conn.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(id));
        }
        for (int i = 1; i <= 20; i++) {
            a.heartbeat("r", "u" + i, "s" + i, INTERVAL);
        }
        long top = a.snapshot("r").seq();
        assertThat(top).isEqualTo(21);
        // Lettuce reconnects and resubscribes; the feed then catches up from the log.
        await().atMost(Duration.ofSeconds(15)).until(() -> seenByB.room("r").size() >= top);
        List<Change> onB = seenByB.room("r");
        for (int i = 0; i < onB.size(); i++) {
            assertThat(onB.get(i).seq()).isEqualTo(i + 1);
        }
        assertThat(onB).isEqualTo(seenByA.room("r"));
    }

    @Test
    @DisplayName("Redis loses everything (as a restart without persistence): new epoch, resume → snapshot, listeners see seq restart, presence re-forms")
    void lostDataStartsNewLogsAndPresenceReforms() {
        HeartbeatResult alice = a.heartbeat("r", "alice", "s1", INTERVAL);
        b.heartbeat("r", "bob", "s2", INTERVAL);
        RoomSnapshot before = b.snapshot("r");
        assertThat(before.seq()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> seenByB.room("r").size() == 2 && seenByA.room("r").size() == 2);

        assertThat(RedisTestSupport.deleteKeys(storeB.prefix())).isPositive();

        assertThat(a.listRoom("r", false, 10)).isEmpty();
        assertThat(a.disconnect(alice.sessionToken())).isFalse();
        assertThat(b.changesSince("r", before.epoch(), before.seq())).isEmpty();
        HeartbeatResult again = a.heartbeat("r", "alice", "s1", INTERVAL);
        assertThat(again.sessionToken()).isNotEqualTo(alice.sessionToken());
        RoomSnapshot after = b.snapshot("r");
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(after.seq()).isEqualTo(1);
        assertThat(after.entries()).extracting(Entry::userId).containsExactly("alice");
        for (ChangeRecorder seen : List.of(seenByA, seenByB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.room("r").size() == 3);
            assertThat(seen.room("r")).extracting(Change::seq).containsExactly(1L, 2L, 1L);
            assertThat(seen.story("r")).containsExactly("join alice", "join bob", "join alice");
        }
    }
}
