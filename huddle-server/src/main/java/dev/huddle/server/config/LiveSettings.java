package dev.huddle.server.config;

import dev.huddle.presence.Presence;

/**
 * Limits and timings of the WebSocket API (T1, S2, S4), each a setting (see docs/operations.md).
 *
 * @param pingIntervalMs how often the server pings each socket; never more than the smallest session
 *     interval on that socket. The default, 10 s, is the default session interval: a socket proves its
 *     sessions alive as often as an HTTP client heartbeats them (P1), 2.5 times within each deadline
 * @param maxMessageBytes largest client frame; a larger one closes the socket with 1009
 * @param maxRoomsPerConnection rooms one socket may join or subscribe to at once
 * @param maxConnectionsPerUser open sockets one signed-in user may hold; more are refused with 429
 * @param flagUpdatesPerSecond {@code flags} messages one session may send per second; more get {@code rate_limited}
 * @param flagCoalesceMs flag pacing: after a burst of {@code Pacer.BURST} (3), one application per this window; changes in between merge
 * @param outboundQueue messages queued for one socket before its subscriptions are resynced (S4), each counted once per 32 KB begun
 * @param sendTimeoutMs a send stuck this long closes the socket with 4008 {@code too_slow}
 * @param changeLogCapacity changes kept per room for resume (S2)
 * @param roomBatchMs room fan-out pacing: after a burst of {@code Pacer.BURST} (3) changes sent alone, a
 *     room's changes go out at most once per this window, batched into one {@code changes} frame (0: never batch)
 */
public record LiveSettings(long pingIntervalMs, int maxMessageBytes, int maxRoomsPerConnection,
        int maxConnectionsPerUser, int flagUpdatesPerSecond, long flagCoalesceMs, int outboundQueue,
        long sendTimeoutMs, int changeLogCapacity, long roomBatchMs) {

    public static final LiveSettings DEFAULTS = new LiveSettings(Presence.DEFAULT_INTERVAL_MS, 16 * 1024, 16, 8, 10, 100, 256, 30_000, 1_024, 50);

    public LiveSettings {
        check("pingIntervalMs", pingIntervalMs, 50, 300_000);
        check("maxMessageBytes", maxMessageBytes, 256, 1024 * 1024);
        check("maxRoomsPerConnection", maxRoomsPerConnection, 1, 10_000);
        check("maxConnectionsPerUser", maxConnectionsPerUser, 1, 10_000);
        check("flagUpdatesPerSecond", flagUpdatesPerSecond, 1, 1_000);
        check("flagCoalesceMs", flagCoalesceMs, 0, 5_000);
        check("outboundQueue", outboundQueue, 4, 1_000_000);
        check("sendTimeoutMs", sendTimeoutMs, 100, 600_000);
        check("changeLogCapacity", changeLogCapacity, 1, 1_000_000);
        check("roomBatchMs", roomBatchMs, 0, 5_000);
    }

    private static void check(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must lie in " + min + "…" + max + ", was " + v);
        }
    }

    public LiveSettings withPingIntervalMs(long v) {
        return new LiveSettings(v, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser, flagUpdatesPerSecond,
                flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs);
    }

    public LiveSettings withMaxConnectionsPerUser(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, v, flagUpdatesPerSecond,
                flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs);
    }

    public LiveSettings withMaxRoomsPerConnection(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, v, maxConnectionsPerUser, flagUpdatesPerSecond,
                flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs);
    }

    public LiveSettings withOutboundQueue(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, v, sendTimeoutMs, changeLogCapacity, roomBatchMs);
    }

    public LiveSettings withSendTimeoutMs(long v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, v, changeLogCapacity, roomBatchMs);
    }

    public LiveSettings withChangeLogCapacity(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, v, roomBatchMs);
    }

    public LiveSettings withRoomBatchMs(long v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, v);
    }
}
