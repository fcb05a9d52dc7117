package dev.huddle.server.huddle;

import dev.huddle.server.user.Ids;
import java.text.Normalizer;
import java.util.Locale;

/** Human slugs: the title in lowercase ASCII words joined by {@code -}, then {@code -} and a random suffix. */
public final class Slugs {
    static final int MAX_BASE = 48;
    static final int SUFFIX = 6;

    private Slugs() {
    }

    /** A new slug for {@code title}, e.g. "Design sync!" → "design-sync-k3x9qa". */
    public static String forTitle(String title) {
        return base(title) + "-" + Ids.random(SUFFIX);
    }

    private static final java.util.regex.Pattern SHAPE =
            java.util.regex.Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*-[a-z2-7]{" + SUFFIX + "}");

    /** Whether {@code s} could be a slug this class made (a base, a dash and a 6-character suffix). */
    public static boolean looksLikeSlug(String s) {
        return s != null && s.length() <= MAX_BASE + 1 + SUFFIX && SHAPE.matcher(s).matches();
    }

    static String base(String title) {
        String ascii = Normalizer.normalize(title, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        String s = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > MAX_BASE) {
            s = s.substring(0, MAX_BASE).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "huddle" : s;
    }
}
