package dev.huddle.presence.redis;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.testkit.PresenceStoreConcurrencySuite;
import org.junit.jupiter.api.AfterAll;

/** The concurrency stress suite against the real Redis, with fewer operations per worker than in memory. */
class RedisStoreConcurrencyTest extends PresenceStoreConcurrencySuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return RedisTestSupport.newStore(merger, changeLogCapacity);
    }

    @Override
    protected int opsPerWorker() {
        return Integer.getInteger("presence.redis.opsPerWorker", 5_000);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.cleanUp();
    }
}
