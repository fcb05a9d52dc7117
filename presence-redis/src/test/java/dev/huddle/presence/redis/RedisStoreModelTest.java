package dev.huddle.presence.redis;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.testkit.PresenceStoreModelSuite;
import org.junit.jupiter.api.AfterAll;

/** The model-based suite against the real Redis, with fewer seeds than in memory (every step is several round trips). */
class RedisStoreModelTest extends PresenceStoreModelSuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return RedisTestSupport.newStore(merger, changeLogCapacity);
    }

    @Override
    protected int runs() {
        return Integer.getInteger("presence.redis.modelRuns", 30);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.cleanUp();
    }
}
