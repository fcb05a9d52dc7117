package dev.huddle.load.bench;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Realistic, reproducible ids and data for the benchmarks: 36-character UUID session and room ids and
 * 20-character user ids, as the huddle server hands them to the engine, drawn from a seeded generator so
 * every run sees the same shapes.
 */
final class Ids {
    /** A fixed epoch-millis start for every {@link dev.huddle.presence.ManualClock}. */
    static final long T0 = 1_700_000_000_000L;
    /** P1's default heartbeat interval. */
    static final long INTERVAL_MS = 10_000;

    private final SplittableRandom random;

    Ids(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A 36-character UUID, as a browser's {@code crypto.randomUUID()} makes. */
    String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /** A 20-character user id ({@code usr_} and 16 hex digits). */
    String userId() {
        return "usr_" + hex16(random.nextLong());
    }

    /** {@code n} session ids. */
    String[] uuids(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = uuid();
        }
        return out;
    }

    /** {@code n} user ids. */
    String[] userIds(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = userId();
        }
        return out;
    }

    /** The five keys the huddle layer keeps (H5), with realistic values; the name and avatar are per user. */
    static Map<String, String> huddleData(String userId) {
        return Map.of(
                "displayName", "Member " + userId.substring(4, 12),
                "avatarUrl", "https://avatars.huddle.dev/u/" + userId + ".png",
                "role", "participant",
                "isSpeaking", "false",
                "isRecording", "false");
    }

    private static String hex16(long v) {
        String s = Long.toHexString(v);
        return "0".repeat(16 - s.length()) + s;
    }
}
