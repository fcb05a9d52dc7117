package dev.huddle.presence.redis;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.Entry;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte formats shared with the Lua scripts. A change travels as a run of netstrings
 * ({@code <byte length>:<bytes>}): epoch, seq, kind, userId, online ("1"/"0"), lastDisconnected, then
 * the entry's data as key, value pairs. The same bytes are the change log entry, the script's reply and,
 * prefixed with the room id as one more netstring, the pub/sub message. Script replies are nested
 * arrays of bulk strings ({@code byte[]}) and integers ({@code Long}).
 */
final class Wire {
    /** How the store's connections read and write: keys and channels as UTF-8 text, values as the bytes above. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private Wire() {
    }

    /** A change as decoded, with the epoch of the log it belongs to. */
    record Decoded(String epoch, Change change) {
    }

    /** An entry row of a read script, with the user's onlineSince for ordering. */
    record Row(Entry entry, long onlineSince) {
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] b(long n) {
        return b(Long.toString(n));
    }

    static String s(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return o.toString();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    /** A flat key, value, key, value… array as a map. */
    static Map<String, String> pairs(Object o) {
        List<Object> flat = list(o);
        Map<String, String> m = new HashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put(s(flat.get(i)), s(flat.get(i + 1)));
        }
        return m;
    }

    /** Appends {@code data} as a pair count followed by the pairs. */
    static void addPairs(List<byte[]> args, Map<String, String> data) {
        args.add(b(data.size()));
        for (Map.Entry<String, String> e : data.entrySet()) {
            args.add(b(e.getKey()));
            args.add(b(e.getValue()));
        }
    }

    /** Joins {@code parts} as a run of netstrings ({@code <UTF-8 byte length>:<text>} each). */
    static String enc(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            sb.append(p.getBytes(StandardCharsets.UTF_8).length).append(':').append(p);
        }
        return sb.toString();
    }

    /** Splits a run of netstrings, starting at byte {@code from}. */
    static List<String> netstrings(byte[] data, int from) {
        List<String> out = new ArrayList<>();
        int i = from;
        while (i < data.length) {
            int len = 0;
            while (data[i] != ':') {
                len = len * 10 + (data[i] - '0');
                i++;
            }
            i++;
            out.add(new String(data, i, len, StandardCharsets.UTF_8));
            i += len;
        }
        return out;
    }

    /** Decodes a change of {@code roomId} from its netstrings, starting at index {@code at}. */
    static Decoded change(String roomId, List<String> parts, int at) {
        Map<String, String> data = new HashMap<>();
        for (int i = at + 6; i + 1 < parts.size(); i += 2) {
            data.put(parts.get(i), parts.get(i + 1));
        }
        Entry entry = new Entry(roomId, parts.get(at + 3), "1".equals(parts.get(at + 4)),
                Long.parseLong(parts.get(at + 5)), data);
        return new Decoded(parts.get(at), new Change(roomId, Long.parseLong(parts.get(at + 1)),
                ChangeKind.valueOf(parts.get(at + 2)), entry));
    }

    static Decoded change(String roomId, byte[] encoded) {
        return change(roomId, netstrings(encoded, 0), 0);
    }

    /** Decodes a pub/sub message: the room id, then the change. */
    static Decoded message(byte[] message) {
        List<String> parts = netstrings(message, 0);
        return change(parts.get(0), parts, 1);
    }

    /** Decodes an entry row: userId, online, lastDisconnected, onlineSince, {data pairs}. */
    static Row row(String roomId, Object o) {
        List<Object> r = list(o);
        Entry e = new Entry(roomId, s(r.get(0)), "1".equals(s(r.get(1))), Long.parseLong(s(r.get(2))), pairs(r.get(4)));
        return new Row(e, Long.parseLong(s(r.get(3))));
    }
}
