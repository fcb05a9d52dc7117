package dev.huddle.presence.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link SessionIdsAndTokensSuite} on one Redis server. */
class RedisSessionIdsAndTokensTest extends SessionIdsAndTokensSuite {
    private static StatefulRedisConnection<String, String> raw;

    @BeforeAll
    static void connect() {
        raw = RedisTestSupport.client().connect();
    }

    @AfterAll
    static void deleteKeys() {
        raw.close();
        RedisTestSupport.cleanUp();
    }

    @Override
    protected String newPrefix() {
        return RedisTestSupport.newPrefix();
    }

    @Override
    protected RedisStoreBuilder storeOn() {
        return RedisPresenceStore.builder(RedisTestSupport.client());
    }

    @Override
    protected RedisClusterCommands<String, String> raw() {
        return raw.sync();
    }
}
