package dev.huddle.server.user;

import dev.huddle.server.http.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cleaning of user-supplied strings (H5). Display names and titles are cleaned, not refused, where a
 * clean form exists: surrounding and repeated white space collapsed, control and bidi-override
 * characters removed, markup removed (anything between {@code <} and {@code >}, then any stray
 * {@code <} or {@code >}), and the result cut to the cap in whole code points. A value that is empty
 * after cleaning is refused with 400 {@code invalid_argument}. Avatar URLs are never rewritten: they
 * must be absolute http(s) URLs of at most 2048 characters, else 400 {@code invalid_avatar_url}.
 */
public final class ProfileRules {
    public static final int MAX_DISPLAY_NAME = 64;
    public static final int MAX_TITLE = 120;
    public static final int MAX_AVATAR_URL = 2048;

    private static final Pattern TAG = Pattern.compile("<[^<>]*>");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Letters and symbols whose glyph is blank: Hangul fillers, the Khmer inherent vowels, the braille blank. */
    private static final java.util.Set<Integer> BLANK_GLYPHS = java.util.Set.of(0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, 0x17B5,
            0x2800);

    private ProfileRules() {
    }

    /** The cleaned display name; 400 {@code invalid_argument} naming {@code displayName} if nothing is left. */
    public static String displayName(String raw) {
        return text("displayName", raw, MAX_DISPLAY_NAME);
    }

    /** The cleaned huddle title; 400 {@code invalid_argument} naming {@code title} if nothing is left. */
    public static String title(String raw) {
        return text("title", raw, MAX_TITLE);
    }

    /** Cleans without refusing: null when nothing usable is left (for names taken from identity-provider claims). */
    public static String displayNameOrNull(String raw) {
        if (raw == null) {
            return null;
        }
        String s = clean(raw, MAX_DISPLAY_NAME);
        return showsSomething(s) ? s : null;
    }

    /** The avatar URL unchanged (but trimmed), null for null or blank; 400 {@code invalid_avatar_url} if unsafe. */
    public static String avatarUrl(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String s = raw.strip();
        if (s.length() > MAX_AVATAR_URL) {
            throw invalidAvatar("must be at most " + MAX_AVATAR_URL + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\'' || c == '\\') {
                throw invalidAvatar("must not contain spaces, control characters, quotes or markup");
            }
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw invalidAvatar("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalidAvatar("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty() || uri.getRawUserInfo() != null) {
            throw invalidAvatar("must name a host (and no user info)");
        }
        return s;
    }

    /** Like {@link #avatarUrl} but null instead of refusing (for identity-provider claims). */
    public static String avatarUrlOrNull(String raw) {
        try {
            return avatarUrl(raw);
        } catch (ApiException e) {
            return null;
        }
    }

    private static ApiException invalidAvatar(String why) {
        return new ApiException(400, "invalid_avatar_url", "avatarUrl " + why);
    }

    private static String text(String field, String raw, int cap) {
        if (raw == null) {
            throw ApiException.invalidArgument(field, "is required");
        }
        String s = clean(raw, cap);
        if (!showsSomething(s)) {
            throw ApiException.invalidArgument(field, "must contain visible text after cleaning");
        }
        return s;
    }

    /** True when at least one character draws something: not a space, format, combining mark or blank glyph. */
    static boolean showsSomething(String s) {
        return s.codePoints().anyMatch(cp -> {
            int type = Character.getType(cp);
            return !Character.isWhitespace(cp) && !Character.isSpaceChar(cp) && type != Character.FORMAT
                    && type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK
                    && type != Character.CONTROL && !BLANK_GLYPHS.contains(cp);
        });
    }

    static String clean(String raw, int cap) {
        StringBuilder sb = new StringBuilder(raw.length());
        raw.codePoints().forEach(cp -> {
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                sb.append(' ');
            } else if (!Character.isISOControl(cp) && !isBidiControl(cp) && cp != 0xFEFF
                    && Character.getType(cp) != Character.UNASSIGNED && Character.getType(cp) != Character.SURROGATE) {
                sb.appendCodePoint(cp);
            }
        });
        String s = sb.toString();
        // Remove tags repeatedly so nested or overlapping pieces ("<<b>script>") cannot reassemble.
        String before;
        do {
            before = s;
            s = TAG.matcher(s).replaceAll("");
        } while (!s.equals(before));
        s = s.replace("<", "").replace(">", "");
        s = SPACES.matcher(s).replaceAll(" ").strip();
        if (s.codePointCount(0, s.length()) > cap) {
            s = s.substring(0, s.offsetByCodePoints(0, cap)).strip();
        }
        return s;
    }

    private static boolean isBidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F
                || cp == 0x061C;
    }
}
