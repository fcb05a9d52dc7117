package dev.huddle.presence.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts, run with EVALSHA. A script missing from the cache of the server that runs it (a
 * restarted or flushed Redis, or a cluster node that joined later) is sent again with EVAL, which runs
 * it on that same server and caches it there; a script is one atomic step, so this cannot apply
 * anything twice (the refused EVALSHA never ran).
 */
final class Scripts {
    /** One script: its full source (prelude included) and its SHA-1. */
    record Script(String name, String source, String sha) {
    }

    static final Script HEARTBEAT = write("heartbeat");
    static final Script UPDATE_SESSION = write("update_session");
    static final Script DISCONNECT = write("disconnect");
    static final Script END_DUE = write("end_due");
    static final Script UPDATE_ROOM_USER = write("update_room_user");
    static final Script REMOVE_ROOM_USER = write("remove_room_user");
    static final Script REMOVE_ROOM = write("remove_room");
    static final Script VERIFY_CLAIM = write("verify_claim");
    static final Script DROP_PENDING = write("drop_pending");
    static final Script LIST_ROOM = read("list_room");
    static final Script SNAPSHOT = read("snapshot");
    static final Script MEMBER = read("member");
    static final Script CHANGES = plain("changes");
    static final Script RANGE = plain("range");
    static final Script LIVE_SESSION = plain("live_session");
    static final Script USER_ROOMS = plain("user_rooms");
    static final Script CLAIM = plain("claim");
    static final Script RELEASE_CLAIM = plain("release_claim");
    static final Script REFRESH_CLAIM = plain("refresh_claim");
    static final Script HOLD = plain("hold");
    static final Script UNHOLD = plain("unhold");
    static final Script RELEASE_LEASE = plain("release_lease");

    static final List<Script> ALL = List.of(HEARTBEAT, UPDATE_SESSION, DISCONNECT, END_DUE, UPDATE_ROOM_USER,
            REMOVE_ROOM_USER, REMOVE_ROOM, VERIFY_CLAIM, DROP_PENDING, LIST_ROOM, SNAPSHOT, MEMBER, CHANGES, RANGE,
            LIVE_SESSION, USER_ROOMS, CLAIM, RELEASE_CLAIM, REFRESH_CLAIM, HOLD, UNHOLD,
            RELEASE_LEASE);

    private Scripts() {
    }

    /** Loads every script into the server's cache (on a cluster, Lettuce sends it to every master). */
    static void loadAll(RedisClusterCommands<String, byte[]> redis) {
        for (Script s : ALL) {
            redis.scriptLoad(s.source());
        }
    }

    /** Runs {@code script}; its reply as nested lists of byte[] and Long. */
    static List<Object> eval(RedisClusterCommands<String, byte[]> redis, Script script, String[] keys, byte[]... args) {
        try {
            return redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            // EVAL goes where EVALSHA went (the keys' slot), runs the script and caches it there
            return redis.eval(script.source(), ScriptOutputType.MULTI, keys, args);
        }
    }

    private static Script write(String name) {
        return make(name, resource("order_lib") + "\n" + resource("lib") + "\n" + resource(name));
    }

    private static Script read(String name) {
        return make(name, resource("order_lib") + "\n" + resource("read_lib") + "\n" + resource(name));
    }

    private static Script plain(String name) {
        return make(name, resource(name));
    }

    private static Script make(String name, String source) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new Script(name, source, HexFormat.of().formatHex(sha));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Scripts.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name + ".lua");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
