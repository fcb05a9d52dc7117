package dev.huddle.server.config;

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
 * @param outboundBudgetMb bytes queued to all sockets together, in MiB, before the biggest queues are closed
 *     with 4009 {@code over_budget} (X1); 0: a quarter of the heap the JVM may grow to
 * @param maxConnectionsPerAddress open sockets one client address may hold, signed in or not (X2); more get 429
 * @param maxSubscriptionsPerAddress subscriptions all sockets of one client address may hold (X2); more get {@code too_many_subscriptions}
 * @param maxAnonymousConnections anonymous sockets the whole server holds (X2); more get 429
 */
public record LiveSettings(long pingIntervalMs, int maxMessageBytes, int maxRoomsPerConnection,
        int maxConnectionsPerUser, int flagUpdatesPerSecond, long flagCoalesceMs, int outboundQueue, long sendTimeoutMs,
        int changeLogCapacity, long roomBatchMs, int outboundBudgetMb, int maxConnectionsPerAddress,
        int maxSubscriptionsPerAddress, int maxAnonymousConnections) {

    /** The declared defaults of the settings (see {@link Setting}). */
    public static final LiveSettings DEFAULTS = new LiveSettings(Setting.WS_PING_INTERVAL_MS.defaultInt(),
            Setting.WS_MAX_MESSAGE_BYTES.defaultInt(), Setting.WS_MAX_ROOMS_PER_CONNECTION.defaultInt(),
            Setting.WS_MAX_CONNECTIONS_PER_USER.defaultInt(), Setting.WS_FLAG_UPDATES_PER_SECOND.defaultInt(),
            Setting.WS_FLAG_COALESCE_MS.defaultInt(), Setting.WS_OUTBOUND_QUEUE.defaultInt(),
            Setting.WS_SEND_TIMEOUT_MS.defaultInt(), Setting.CHANGE_LOG_CAPACITY.defaultInt(),
            Setting.WS_ROOM_BATCH_MS.defaultInt(), Setting.WS_OUTBOUND_BUDGET_MB.defaultInt(),
            Setting.WS_MAX_CONNECTIONS_PER_ADDRESS.defaultInt(), Setting.WS_MAX_SUBSCRIPTIONS_PER_ADDRESS.defaultInt(),
            Setting.WS_MAX_ANONYMOUS_CONNECTIONS.defaultInt());

    /** Holds values built in code to the settings' declared ranges. */
    public LiveSettings {
        Setting.WS_PING_INTERVAL_MS.check(pingIntervalMs);
        Setting.WS_MAX_MESSAGE_BYTES.check(maxMessageBytes);
        Setting.WS_MAX_ROOMS_PER_CONNECTION.check(maxRoomsPerConnection);
        Setting.WS_MAX_CONNECTIONS_PER_USER.check(maxConnectionsPerUser);
        Setting.WS_FLAG_UPDATES_PER_SECOND.check(flagUpdatesPerSecond);
        Setting.WS_FLAG_COALESCE_MS.check(flagCoalesceMs);
        Setting.WS_OUTBOUND_QUEUE.check(outboundQueue);
        Setting.WS_SEND_TIMEOUT_MS.check(sendTimeoutMs);
        Setting.CHANGE_LOG_CAPACITY.check(changeLogCapacity);
        Setting.WS_ROOM_BATCH_MS.check(roomBatchMs);
        Setting.WS_OUTBOUND_BUDGET_MB.check(outboundBudgetMb);
        Setting.WS_MAX_CONNECTIONS_PER_ADDRESS.check(maxConnectionsPerAddress);
        Setting.WS_MAX_SUBSCRIPTIONS_PER_ADDRESS.check(maxSubscriptionsPerAddress);
        Setting.WS_MAX_ANONYMOUS_CONNECTIONS.check(maxAnonymousConnections);
    }

    public LiveSettings withPingIntervalMs(long v) {
        return new LiveSettings(v, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser, flagUpdatesPerSecond,
                flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs, outboundBudgetMb,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withMaxRoomsPerConnection(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, v, maxConnectionsPerUser, flagUpdatesPerSecond,
                flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs, outboundBudgetMb,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withMaxConnectionsPerUser(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, v, flagUpdatesPerSecond,
                flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs, outboundBudgetMb,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withOutboundQueue(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, v, sendTimeoutMs, changeLogCapacity, roomBatchMs, outboundBudgetMb,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withSendTimeoutMs(long v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, v, changeLogCapacity, roomBatchMs, outboundBudgetMb,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withChangeLogCapacity(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, v, roomBatchMs, outboundBudgetMb,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withRoomBatchMs(long v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, v,
                outboundBudgetMb, maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withOutboundBudgetMb(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs, v,
                maxConnectionsPerAddress, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withMaxConnectionsPerAddress(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs,
                outboundBudgetMb, v, maxSubscriptionsPerAddress, maxAnonymousConnections);
    }

    public LiveSettings withMaxSubscriptionsPerAddress(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs,
                outboundBudgetMb, maxConnectionsPerAddress, v, maxAnonymousConnections);
    }

    /**
     * A copy whose per-address socket and subscription limits (X2) are as high as the settings allow: for
     * tests and load runs, whose many users all connect from one address.
     */
    public LiveSettings withoutPerAddressLimits() {
        return withMaxConnectionsPerAddress((int) ((Setting.Whole) Setting.WS_MAX_CONNECTIONS_PER_ADDRESS.allowed()).max())
                .withMaxSubscriptionsPerAddress((int) ((Setting.Whole) Setting.WS_MAX_SUBSCRIPTIONS_PER_ADDRESS.allowed()).max());
    }

    public LiveSettings withMaxAnonymousConnections(int v) {
        return new LiveSettings(pingIntervalMs, maxMessageBytes, maxRoomsPerConnection, maxConnectionsPerUser,
                flagUpdatesPerSecond, flagCoalesceMs, outboundQueue, sendTimeoutMs, changeLogCapacity, roomBatchMs,
                outboundBudgetMb, maxConnectionsPerAddress, maxSubscriptionsPerAddress, v);
    }
}
