package dev.huddle.server.user;

import java.security.SecureRandom;

/**
 * Random identifiers of users and huddles: 128 bits from a CSPRNG in lowercase base32 ({@code a-z2-7}, 26 characters).
 * They never contain {@code -}, and every slug does, so an id can never be mistaken for a slug.
 */
public final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A new huddle id (the room id). */
    private static final java.util.regex.Pattern SHAPE = java.util.regex.Pattern.compile("[a-z2-7]{26}");

    /** Whether {@code s} could be an id this class made (26 characters of lowercase base32). */
    public static boolean looksLikeId(String s) {
        return s != null && SHAPE.matcher(s).matches();
    }

    public static String huddleId() {
        return random(26);
    }

    /** A new guest user id. */
    public static String userId() {
        return random(26);
    }

    /** {@code n} random base32 characters (5 bits each). */
    public static String random(int n) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(32)];
        }
        return new String(out);
    }
}
