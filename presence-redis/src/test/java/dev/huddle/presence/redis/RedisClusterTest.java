package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.ManualClock;
import dev.huddle.presence.Presence;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.testkit.KeepAliveSuite;
import dev.huddle.presence.testkit.PresenceStoreBehaviourSuite;
import dev.huddle.presence.testkit.PresenceStoreConcurrencySuite;
import dev.huddle.presence.testkit.PresenceStoreModelSuite;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The store on a real Redis Cluster of three masters ({@link RedisClusterFixture}, started once for
 * this class and stopped afterwards): the behaviour, model and concurrency suites, two nodes, the
 * session-id and token suite, and checks that the keys really are spread over slots and masters. Any
 * script that touched two slots would fail here with CROSSSLOT (or "non local key").
 */
class RedisClusterTest {
    private static RedisClusterFixture cluster;
    private static RedisConnections.Connection<String, String> raw;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterFixture.start();
        raw = RedisConnections.connect(cluster.client(), StringCodec.UTF8);
    }

    @AfterAll
    static void stopCluster() {
        if (raw != null) {
            raw.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String newPrefix() {
        return "test:" + UUID.randomUUID().toString().replace("-", "") + ":";
    }

    private static RedisStoreBuilder storeOn() {
        return RedisPresenceStore.builder(cluster.client());
    }

    private static PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return storeOn().prefix(newPrefix()).merger(merger).changeLogCapacity(changeLogCapacity).build();
    }

    @Nested
    class Behaviour extends PresenceStoreBehaviourSuite {
        @Override
        protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
            return RedisClusterTest.newStore(merger, changeLogCapacity);
        }
    }

    @Nested
    class Model extends PresenceStoreModelSuite {
        @Override
        protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
            return RedisClusterTest.newStore(merger, changeLogCapacity);
        }

        @Override
        protected int runs() {
            return Integer.getInteger("presence.redis.clusterModelRuns", 5);
        }
    }

    @Nested
    class Concurrency extends PresenceStoreConcurrencySuite {
        @Override
        protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
            return RedisClusterTest.newStore(merger, changeLogCapacity);
        }

        @Override
        protected int opsPerWorker() {
            return Integer.getInteger("presence.redis.clusterOpsPerWorker", 1_500);
        }
    }

    @Nested
    class HeldSessions extends KeepAliveSuite {
        private final Map<PresenceStore, String> prefixes = new IdentityHashMap<>();

        @Override
        protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
            String prefix = RedisClusterTest.newPrefix();
            PresenceStore store = storeOn().prefix(prefix).merger(merger).changeLogCapacity(changeLogCapacity).build();
            prefixes.put(store, prefix);
            return store;
        }

        @Override
        protected PresenceStore peerOf(PresenceStore first) {
            return storeOn().prefix(prefixes.get(first)).merger(DataMerger.DEFAULT).changeLogCapacity(64).build();
        }
    }

    @Nested
    class TwoNodes extends TwoNodesSuite {
        @Override
        protected String newPrefix() {
            return RedisClusterTest.newPrefix();
        }

        @Override
        protected RedisStoreBuilder storeOn() {
            return RedisClusterTest.storeOn();
        }
    }

    @Nested
    class SessionIdsAndTokens extends SessionIdsAndTokensSuite {
        @Override
        protected String newPrefix() {
            return RedisClusterTest.newPrefix();
        }

        @Override
        protected RedisStoreBuilder storeOn() {
            return RedisClusterTest.storeOn();
        }

        @Override
        protected RedisClusterCommands<String, String> raw() {
            return raw.sync();
        }
    }

    @Test
    @DisplayName("The keys spread over many slots on every master, each room's keys share one slot, and a session id's claim has a slot of its own")
    void keysSpreadOverSlotsAndMasters() {
        String prefix = newPrefix();
        List<String> rooms = new ArrayList<>();
        try (RedisPresenceStore store = storeOn().prefix(prefix).build();
                Presence presence = Presence.builder().store(store).clock(new ManualClock(1_700_000_000_000L))
                        .startWorker(false).build()) {
            for (int i = 0; i < 24; i++) {
                String room = "huddle-" + i;
                rooms.add(room);
                HeartbeatResult hb = presence.heartbeat(room, "u" + i, "tab-" + i, 10_000);
                assertThat(presence.list(hb.roomToken())).hasSize(1);
            }
            assertThat(presence.listUser("u3", false, 10)).hasSize(1);

            Map<Integer, List<String>> keysByMaster = keysByMaster(prefix);
            assertThat(keysByMaster.keySet()).as("masters holding keys: %s", keysByMaster).hasSize(3);
            Set<Integer> slots = new HashSet<>();
            keysByMaster.values().forEach(ks -> ks.forEach(k -> slots.add(SlotHash.getSlot(k))));
            Set<Integer> partitions = new HashSet<>();
            rooms.forEach(r -> partitions.add(store.keys().partition(r)));
            assertThat(partitions).hasSizeGreaterThanOrEqualTo(8);
            // the partitions' slots, plus one per session id's claim (24 keys in 16384 slots: a few may share)
            assertThat(slots.size()).as("distinct slots").isGreaterThanOrEqualTo(partitions.size() + 20);
            for (String room : rooms) {
                Set<Integer> roomSlots = new HashSet<>();
                keysByMaster.values().forEach(ks -> ks.stream().filter(k -> k.endsWith(":" + room))
                        .forEach(k -> roomSlots.add(SlotHash.getSlot(k))));
                assertThat(roomSlots).as("the slots of %s's keys", room).hasSize(1)
                        .containsExactly(SlotHash.getSlot(store.keys().tag(store.keys().partition(room))));
            }
            int claimSlot = SlotHash.getSlot(store.keys().claimKey("tab-0"));
            assertThat(claimSlot).isNotEqualTo(SlotHash.getSlot(store.keys().tag(store.keys().partition("huddle-0"))));
            assertThat(raw.sync().get(store.keys().claimKey("tab-0"))).contains("huddle-0");
        }
    }

    @Test
    @DisplayName("Partition tags hash to distinct, even slot ranges, whatever the partition count")
    void partitionTagsFallInEvenSlotRanges() {
        for (int n : new int[] {1, 2, 3, 8, 16, 100, RedisPresenceStore.MAX_PARTITIONS}) {
            String[] tags = KeyLayout.partitionTags(n);
            assertThat(tags).hasSize(n).doesNotHaveDuplicates();
            for (int i = 0; i < n; i++) {
                int slot = SlotHash.getSlot(tags[i]);
                assertThat(slot).as("partition %d of %d, tag %s", i, n, tags[i])
                        .isGreaterThanOrEqualTo(i * 16_384 / n).isLessThan((i + 1) * 16_384 / n);
                assertThat(tags[i]).doesNotContain("{", "}").startsWith(Integer.toString(i));
            }
            assertThat(KeyLayout.partitionTags(n)).as("deterministic").containsExactly(tags);
        }
        // 8 masters splitting the slots evenly each get exactly 2 of 16 partitions
        int[] perMaster = new int[8];
        for (String tag : KeyLayout.partitionTags(16)) {
            perMaster[SlotHash.getSlot(tag) / 2_048]++;
        }
        assertThat(perMaster).containsOnly(2);
    }

    @Test
    @DisplayName("With 3 or 16 partitions, every master of the 3-master cluster holds its share of the rooms' keys")
    void everyMasterHoldsRooms() {
        for (int n : new int[] {3, 16}) {
            String prefix = newPrefix();
            try (RedisPresenceStore store = storeOn().prefix(prefix).partitions(n).build();
                    Presence presence = Presence.builder().store(store).clock(new ManualClock(1_700_000_000_000L))
                            .startWorker(false).build()) {
                Set<Integer> covered = new HashSet<>();
                for (int i = 0; covered.size() < n && i < 10_000; i++) {
                    String room = "room-" + i;
                    if (covered.add(store.keys().partition(room))) {
                        presence.heartbeat(room, "u", "tab-" + n + "-" + i, 10_000);
                    }
                }
                assertThat(covered).hasSize(n);
                Map<Integer, List<String>> keysByMaster = keysByMaster(prefix);
                Set<Integer> tagSlots = new HashSet<>();
                for (int p = 0; p < n; p++) {
                    tagSlots.add(SlotHash.getSlot(store.keys().tag(p)));
                }
                assertThat(keysByMaster.keySet()).as("masters holding keys").hasSize(3);
                for (Map.Entry<Integer, List<String>> e : keysByMaster.entrySet()) {
                    Set<Integer> partitionsHere = new HashSet<>();
                    e.getValue().stream().filter(k -> !k.startsWith(prefix + "sid:")).map(SlotHash::getSlot)
                            .filter(tagSlots::contains).forEach(partitionsHere::add);
                    assertThat(partitionsHere.size()).as("partitions on master %d of %d partitions", e.getKey(), n)
                            .isBetween(n / 3, n / 3 + 1);
                }
            }
        }
    }

    @Test
    @DisplayName("A store built from a redis-cluster:// URL finds the whole cluster from its seeds")
    void aClusterUrlWorks() {
        String oneSeed = RedisConnections.CLUSTER_SCHEME + "://127.0.0.1:" + cluster.ports().get(1);
        for (String url : List.of(cluster.url(), oneSeed)) {
            try (Presence presence = Presence.builder().store(RedisPresenceStore.builder(url).prefix(newPrefix()).build())
                    .startWorker(false).build()) {
                for (int i = 0; i < 16; i++) {
                    presence.heartbeat("room-" + i, "alice", "tab-" + i, 10_000);
                }
                assertThat(presence.listUser("alice", true, 100)).hasSize(16);
            }
        }
    }

    /** Every key under {@code prefix}, by the port of the master that holds it. */
    private static Map<Integer, List<String>> keysByMaster(String prefix) {
        Map<Integer, List<String>> out = new HashMap<>();
        RedisClient nodes = RedisClient.create();
        try {
            for (int port : cluster.ports()) {
                try (StatefulRedisConnection<String, String> c = cluster.connectToNode(port, nodes)) {
                    ScanCursor cursor = ScanCursor.INITIAL;
                    do {
                        KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1_000));
                        if (!page.getKeys().isEmpty()) {
                            out.computeIfAbsent(port, p -> new ArrayList<>()).addAll(page.getKeys());
                        }
                        cursor = page;
                    } while (!cursor.isFinished());
                }
            }
        } finally {
            nodes.shutdown();
        }
        return out;
    }
}
