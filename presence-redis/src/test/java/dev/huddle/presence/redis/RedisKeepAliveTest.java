package dev.huddle.presence.redis;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.testkit.KeepAliveSuite;
import org.junit.jupiter.api.AfterAll;

/** The keep-alive suite on the real Redis: node B is a second store instance on the same prefix. */
class RedisKeepAliveTest extends KeepAliveSuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return RedisTestSupport.newStore(merger, changeLogCapacity);
    }

    @Override
    protected PresenceStore peerOf(PresenceStore first) {
        return RedisTestSupport.peerOf((RedisPresenceStore) first);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.cleanUp();
    }
}
