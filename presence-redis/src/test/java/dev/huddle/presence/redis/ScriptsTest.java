package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A script the server does not have cached (a restarted Redis) is loaded and run on first use. */
class ScriptsTest {
    @Test
    void aScriptMissingFromTheServerCacheIsLoadedAndRun() {
        // A fresh comment gives a SHA the server has never seen: EVALSHA answers NOSCRIPT first.
        String source = "-- " + UUID.randomUUID() + "\nreturn {ARGV[1], 42}";
        Scripts.Script script = new Scripts.Script("probe", source, sha1(source));
        try (StatefulRedisConnection<String, byte[]> conn = RedisTestSupport.client()
                .connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            List<Object> r = Scripts.eval(conn.sync(), script, new String[0], Wire.b("ünïcode"));
            assertThat(Wire.s(r.get(0))).isEqualTo("ünïcode");
            assertThat(r.get(1)).isEqualTo(42L);
        }
    }

    private static String sha1(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
