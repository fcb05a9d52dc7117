/**
 * The presence store on Redis: {@link dev.huddle.presence.redis.RedisPresenceStore}, a
 * {@code PresenceStore} that several server nodes share through one Redis server or Redis Cluster.
 *
 * <p><b>Owns</b> everything about presence state in Redis: the key layout and its partitions (hash
 * tags, so each room's keys share one slot), the Lua scripts that change or read a room in one atomic
 * step, the session-id claims that keep a session id to one room and user across slots (P2), expiry by
 * compare-and-delete on every node at once, the delivery of every change to this node's listeners once
 * and in order (pub/sub, with the per-room log filling gaps), the probe of the subscription, and the
 * connections to Redis ({@link dev.huddle.presence.redis.RedisConnections}). {@code docs/redis-store.md}
 * describes the layout, the scripts and why each step is safe.
 *
 * <p><b>Depends on</b> {@code presence-core}'s store contract only (the {@code PresenceStore} interface
 * and its value types), Lettuce and SLF4J. <b>Must not depend on</b> the engine's rules
 * ({@code Presence}, which sits above the store), on the server ({@code huddle-server}: HTTP, WebSocket,
 * SQL, configuration) or on a JSON library (the JSON inside Redis is written and read by the scripts
 * alone). It never reads the wall clock for presence: every time ({@code now}, deadlines) comes from the
 * caller, so the engine's injected clock rules on every store alike. Nothing in it may block a Lettuce
 * thread (the pub/sub callback only queues).
 */
package dev.huddle.presence.redis;
