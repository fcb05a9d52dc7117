package dev.huddle.presence.redis;

/** Test access to a store's subscription connection, to make it deaf while it stays connected. */
public final class Deafen {
    private Deafen() {
    }

    /** Unsubscribes the store's subscription connection from everything; it stays up and answers. */
    public static Object deafen(RedisPresenceStore store) {
        var ps = store.subscription().connection();
        ps.sync().unsubscribe();
        return ps;
    }

    /** The current subscription connection (to see it was replaced). */
    public static Object connection(RedisPresenceStore store) {
        return store.subscription().connection();
    }
}
