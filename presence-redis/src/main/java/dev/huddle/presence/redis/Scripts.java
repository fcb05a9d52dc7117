package dev.huddle.presence.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts, run with EVALSHA. A script missing from the server's cache (a restarted or flushed
 * Redis) is loaded again and the call retried once; a script is one atomic step, so the retry cannot
 * apply anything twice (the first call never ran).
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
    static final Script LIST_ROOM = read("list_room");
    static final Script SNAPSHOT = read("snapshot");
    static final Script MEMBER = read("member");
    static final Script CHANGES = plain("changes");
    static final Script RANGE = plain("range");
    static final Script DUE = plain("due");
    static final Script LIVE_SESSION = plain("live_session");

    static final List<Script> ALL = List.of(HEARTBEAT, UPDATE_SESSION, DISCONNECT, END_DUE, UPDATE_ROOM_USER,
            REMOVE_ROOM_USER, REMOVE_ROOM, LIST_ROOM, SNAPSHOT, MEMBER, CHANGES, RANGE, DUE, LIVE_SESSION);

    private Scripts() {
    }

    /** Loads every script into the server's cache. */
    static void loadAll(RedisCommands<String, byte[]> redis) {
        for (Script s : ALL) {
            redis.scriptLoad(s.source());
        }
    }

    /** Runs {@code script}; its reply as nested lists of byte[] and Long. */
    static List<Object> eval(RedisCommands<String, byte[]> redis, Script script, String[] keys, byte[]... args) {
        try {
            return redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            redis.scriptLoad(script.source());
            return redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
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
