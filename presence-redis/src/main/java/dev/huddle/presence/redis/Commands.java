package dev.huddle.presence.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The store's one command connection (its pub/sub connection is {@link Subscription}'s), and how every
 * call waits on it: a script by EVALSHA, sent again with its source if the server answers NOSCRIPT
 * (see {@link Scripts}); pipelined calls, each waited for at most the command timeout. Every command
 * the store sends goes through here, so how long a call may wait is decided in one place.
 */
final class Commands implements AutoCloseable {
    private final RedisConnections.Connection<String, byte[]> connection;
    private final RedisClusterCommands<String, byte[]> sync;
    private final RedisClusterAsyncCommands<String, byte[]> async;
    private final Duration timeout;

    /** Connects (to a cluster: a connection that routes each command by its key's slot) and names the connection. */
    Commands(AbstractRedisClient client, Duration timeout, String clientName) {
        this.connection = RedisConnections.connect(client, Wire.CODEC);
        this.sync = connection.sync();
        this.async = connection.async();
        this.timeout = timeout;
        RedisConnections.trySetName(() -> sync.clientSetname(clientName));
    }

    /** Blocking commands, each bounded by the client's command timeout. */
    RedisClusterCommands<String, byte[]> sync() {
        return sync;
    }

    /** Pipelined commands; wait for them with {@link #get}. */
    RedisClusterAsyncCommands<String, byte[]> async() {
        return async;
    }

    Duration timeout() {
        return timeout;
    }

    /** Runs {@code script} and waits for its reply (nested lists of byte[] and Long). */
    List<Object> eval(Scripts.Script script, String[] keys, byte[]... args) {
        return Scripts.eval(sync, script, keys, args);
    }

    /** Sends {@code script} without waiting; {@link Pending#reply()} waits for it. */
    Pending send(Scripts.Script script, String[] keys, byte[]... args) {
        return new Pending(async.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args), script, keys, args);
    }

    /**
     * Sends {@code script} and never waits for it: for a step whose failure is harmless as long as a
     * later one arrives. A NOSCRIPT answer sends it again with its source; any other failure goes to
     * {@code onFailure} (on Lettuce's thread, so it must not block).
     */
    void sendWithoutWaiting(Scripts.Script script, String[] keys, Consumer<Throwable> onFailure, byte[]... args) {
        async.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args).whenComplete((v, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                async.eval(script.source(), ScriptOutputType.MULTI, keys, args);
            } else if (cause != null) {
                onFailure.accept(cause);
            }
        });
    }

    /** Waits for a pipelined command, at most the command timeout; its failure is rethrown as it came. */
    <T> T get(RedisFuture<T> f) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new RedisCommandTimeoutException("timed out after " + timeout);
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }

    /** A script call sent in a pipeline, with what it takes to run it again if Redis lost the script. */
    final class Pending {
        private final RedisFuture<List<Object>> future;
        private final Scripts.Script script;
        private final String[] keys;
        private final byte[][] args;

        private Pending(RedisFuture<List<Object>> future, Scripts.Script script, String[] keys, byte[][] args) {
            this.future = future;
            this.script = script;
            this.keys = keys;
            this.args = args;
        }

        /** Waits for the reply; reloads the script and runs it synchronously if Redis lost it. */
        List<Object> reply() {
            try {
                return get(future);
            } catch (RedisNoScriptException e) {
                return eval(script, keys, args);
            }
        }
    }
}
