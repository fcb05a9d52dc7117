package dev.huddle.presence.redis;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.testkit.PresenceStoreBehaviourSuite;
import org.junit.jupiter.api.AfterAll;

/** The behaviour suite (P1–P12, T2, T3, S1, S2) against the real Redis. */
class RedisStoreBehaviourTest extends PresenceStoreBehaviourSuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return RedisTestSupport.newStore(merger, changeLogCapacity);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.cleanUp();
    }
}
