package dev.huddle.presence.redis;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.testkit.Dependency;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Redis the tests run against: {@code HUDDLE_TEST_REDIS_URL}, default {@code redis://127.0.0.1:6379}.
 * Every store gets its own key prefix {@code test:<random>:}, and every key under the prefixes a test
 * class used is deleted afterwards (SCAN + UNLINK), so tests never touch anything else on that Redis.
 * If Redis is unreachable the tests fail, with a message saying how to start it; only
 * {@code HUDDLE_TEST_SKIP=redis} skips them (see {@link Dependency}).
 */
final class RedisTestSupport {
    static final String URL = System.getenv().getOrDefault("HUDDLE_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static RedisClient client;
    private static final List<String> PREFIXES = new CopyOnWriteArrayList<>();
    private static final Map<RedisPresenceStore, String> STORE_PREFIXES = Collections.synchronizedMap(new WeakHashMap<>());

    private RedisTestSupport() {
    }

    static synchronized RedisClient client() {
        Dependency.REDIS.require();
        if (client == null) {
            RedisClient c = (RedisClient) RedisConnections.newClient(URL, 10_000, Duration.ofSeconds(10));
            try (StatefulRedisConnection<String, String> conn = c.connect()) {
                conn.sync().ping();
            } catch (RuntimeException e) {
                RedisConnections.shutdown(c);
                throw new IllegalStateException(Dependency.REDIS.unreachable(URL + " (" + e.getMessage() + ")",
                        "Start one (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no) "
                        + "or point HUDDLE_TEST_REDIS_URL at one"), e);
            }
            client = c;
        }
        return client;
    }

    static String newPrefix() {
        String prefix = "test:" + UUID.randomUUID().toString().replace("-", "") + ":";
        PREFIXES.add(prefix);
        return prefix;
    }

    static RedisPresenceStore newStore(String prefix, DataMerger merger, int changeLogCapacity) {
        return RedisPresenceStore.builder(client()).prefix(prefix).merger(merger)
                .changeLogCapacity(changeLogCapacity).build();
    }

    static RedisPresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        String prefix = newPrefix();
        RedisPresenceStore store = newStore(prefix, merger, changeLogCapacity);
        STORE_PREFIXES.put(store, prefix);
        return store;
    }

    /** A second node: another store instance on the prefix of {@code first} (made by {@link #newStore(DataMerger, int)}). */
    static RedisPresenceStore peerOf(RedisPresenceStore first) {
        return newStore(STORE_PREFIXES.get(first), DataMerger.DEFAULT, 64);
    }

    /** Deletes every key under every prefix handed out so far; returns how many keys. */
    static long cleanUp() {
        long n = 0;
        for (String prefix : PREFIXES) {
            n += deleteKeys(prefix);
        }
        PREFIXES.clear();
        return n;
    }

    /** Deletes every key under {@code prefix} (as if Redis had lost its data); returns how many. */
    static long deleteKeys(String prefix) {
        long n = 0;
        try (StatefulRedisConnection<String, String> conn = client().connect()) {
            RedisCommands<String, String> redis = conn.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1_000));
                if (!page.getKeys().isEmpty()) {
                    n += redis.unlink(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        return n;
    }

    /** Counts the keys under {@code prefix}. */
    static long keyCount(String prefix) {
        long n = 0;
        try (StatefulRedisConnection<String, String> conn = client().connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = conn.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1_000));
                n += page.getKeys().size();
                cursor = page;
            } while (!cursor.isFinished());
        }
        return n;
    }
}
