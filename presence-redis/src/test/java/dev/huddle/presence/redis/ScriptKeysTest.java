package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * On a Redis Cluster a script may only touch keys it declared in KEYS: Lettuce routes it by them, and a
 * key built inside Lua (say {@code prefix .. 'sid:' .. ARGV[1]}) could hash to another slot — or, worse,
 * to the same slot by luck in the cluster tests and to another one in production. Redis itself does not
 * refuse an undeclared key of the same slot, so this reads every Lua source and checks that the key
 * argument of every {@code redis.call}/{@code redis.pcall} is {@code KEYS[n]}, a local bound to
 * {@code KEYS[n]}, or a function parameter that every call site passes such a key. No Redis needed.
 */
class ScriptKeysTest {
    /** Commands the scripts use, and whether their first argument is a key (PUBLISH: a channel). */
    private static final Map<String, Boolean> FIRST_ARG_IS_KEY = Map.ofEntries(
            Map.entry("GET", true), Map.entry("SET", true), Map.entry("DEL", true), Map.entry("PEXPIRE", true),
            Map.entry("HGET", true), Map.entry("HSET", true), Map.entry("HDEL", true), Map.entry("HMGET", true),
            Map.entry("HGETALL", true), Map.entry("HEXISTS", true), Map.entry("HINCRBY", true), Map.entry("HSETNX", true),
            Map.entry("ZADD", true), Map.entry("ZREM", true), Map.entry("ZRANGEBYSCORE", true), Map.entry("ZRANGEBYLEX", true), Map.entry("ZSCORE", true), Map.entry("XADD", true),
            Map.entry("XRANGE", true), Map.entry("PUBLISH", false));
    private static final Pattern CALL = Pattern.compile("redis\\.p?call\\(");
    private static final Pattern STATIC_CALL = Pattern.compile("redis\\.p?call\\(\\s*'([A-Z]+)'\\s*(?:,\\s*([^,)]+?)\\s*)?[,)]");
    private static final Pattern KEYS_N = Pattern.compile("KEYS\\[(\\d+|[A-Za-z_]\\w*)\\]");
    private static final Pattern LOCAL = Pattern.compile("(?m)^\\s*local\\s+([A-Za-z_][\\w\\s,]*?)\\s*=\\s*(.+)$");
    private static final Pattern FUNCTION = Pattern.compile("function\\s+([A-Za-z_]\\w*)\\s*\\(([^)]*)\\)");

    @Test
    @DisplayName("Every key a Lua script touches comes from KEYS (so it routes, and stays in the declared slot, on a cluster)")
    void everyKeyComesFromKeys() {
        assertThat(Scripts.ALL).extracting(Scripts.Script::name).contains("heartbeat", "claim", "refresh_claim");
        List<String> problems = new ArrayList<>();
        for (Scripts.Script script : Scripts.ALL) {
            // each script as Redis runs it, preludes included
            problems.addAll(check(script.name(), script.source(), script.source()));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    @DisplayName("The check catches a key built inside Lua, a key from ARGV, a dynamic command and an unknown one")
    void theCheckCatchesUndeclaredKeys() {
        assertThat(check("t", "local cur = redis.call('GET', 'pre:sid:' .. ARGV[1])", "")).hasSize(1);
        assertThat(check("t", "local k = ARGV[1]\nredis.call('DEL', k)", "")).hasSize(1);
        assertThat(check("t", "local k = KEYS[1] .. ':x'\nredis.call('DEL', k)", "")).hasSize(1);
        assertThat(check("t", "local c = 'GET'\nredis.call(c, KEYS[1])", "")).hasSize(1);
        assertThat(check("t", "redis.call('FLUSHALL')", "")).hasSize(1);
        String viaParam = "local function f(k) return redis.call('GET', k) end\nf(KEYS[1])\nf(ARGV[2])";
        assertThat(check("t", viaParam, viaParam)).hasSize(1);
        String good = "local A, B = KEYS[1], KEYS[2]\nredis.call('HGET', A, 'x')\nredis.call('PUBLISH', ARGV[1], 'm')\n"
                + "local function f(k) return redis.call('GET', k) end\nf(B)\nlocal ki = tonumber(ARGV[2])\nlocal K = KEYS[ki]\n"
                + "redis.call('HGET', K, 'x')";
        assertThat(check("t", good, good)).isEmpty();
    }

    /** The problems of one source; {@code all} is every source, for the call sites of functions. */
    private static List<String> check(String name, String source, String all) {
        Map<String, String> locals = locals(all + "\n" + source);
        List<String> problems = new ArrayList<>();
        Matcher any = CALL.matcher(source);
        while (any.find()) {
            Matcher m = STATIC_CALL.matcher(source);
            if (!m.find(any.start()) || m.start() != any.start()) {
                problems.add(name + ": a call whose command is not a literal at offset " + any.start());
                continue;
            }
            String command = m.group(1);
            String key = m.group(2);
            Boolean firstIsKey = FIRST_ARG_IS_KEY.get(command);
            if (firstIsKey == null) {
                problems.add(name + ": " + command + " is not known to this test; add whether its first argument is a key");
            } else if (firstIsKey && (key == null || !fromKeys(key, locals, all, 0))) {
                problems.add(name + ": " + command + " with key '" + key + "', which does not come from KEYS");
            }
        }
        return problems;
    }

    private static boolean fromKeys(String expr, Map<String, String> locals, String all, int depth) {
        expr = expr.trim();
        if (KEYS_N.matcher(expr).matches()) {
            return true;
        }
        if (depth > 5 || !expr.matches("[A-Za-z_]\\w*")) {
            return false;
        }
        String bound = locals.get(expr);
        if (bound != null) {
            return fromKeys(bound, locals, all, depth + 1);
        }
        // a function parameter: every call of the function must pass a key in that position
        Matcher f = FUNCTION.matcher(all);
        while (f.find()) {
            String[] params = f.group(2).split(",");
            for (int i = 0; i < params.length; i++) {
                if (params[i].trim().equals(expr)) {
                    Matcher call = Pattern.compile("(?<![\\w.])" + Pattern.quote(f.group(1)) + "\\(([^()]*)\\)").matcher(all);
                    while (call.find()) {
                        if (all.startsWith("function", Math.max(0, call.start() - 9)) || call.group(1).equals(f.group(2))) {
                            continue; // the definition itself
                        }
                        String[] args = call.group(1).split(",");
                        if (args.length <= i || !fromKeys(args[i], locals, all, depth + 1)) {
                            return false;
                        }
                    }
                    return true; // a prelude function this script never calls touches nothing
                }
            }
        }
        return false;
    }

    /** Locals bound by {@code local a, b = x, y} (one line). */
    private static Map<String, String> locals(String source) {
        Map<String, String> out = new HashMap<>();
        Matcher m = LOCAL.matcher(source);
        while (m.find()) {
            String[] names = m.group(1).split(",");
            String[] values = m.group(2).split(",");
            for (int i = 0; i < names.length && i < values.length; i++) {
                String n = names[i].trim();
                if (!n.isEmpty()) {
                    // a name bound twice keeps a non-key binding, so that it fails rather than passes
                    String v = values[i].trim();
                    out.merge(n, v, (a, b) -> KEYS_N.matcher(a).matches() ? b : a);
                }
            }
        }
        return out;
    }
}
