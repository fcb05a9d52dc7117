package dev.huddle.server.huddle;

import dev.huddle.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The member list's opaque cursor: where the last member of a page stands in the member order
 * (joined at, user id), in base64url. Clients pass it back unread; anything else is refused.
 */
final class MemberCursor {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MAX_LENGTH = 512;

    private MemberCursor() {
    }

    static String encode(HuddleRepository.MemberKey key) {
        return ENCODER.encodeToString((key.joinedAt() + ":" + key.userId()).getBytes(StandardCharsets.UTF_8));
    }

    /** The position an absent or empty cursor stands for is the list's start. */
    static Optional<HuddleRepository.MemberKey> decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Optional.empty();
        }
        ApiException bad = ApiException.invalidArgument("cursor", "is not a cursor this server gave out");
        if (cursor.length() > MAX_LENGTH) {
            throw bad;
        }
        try {
            String text = new String(DECODER.decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 1 || colon == text.length() - 1) {
                throw bad;
            }
            long joinedAt = Long.parseLong(text.substring(0, colon));
            if (joinedAt < 0) {
                throw bad;
            }
            return Optional.of(new HuddleRepository.MemberKey(joinedAt, text.substring(colon + 1)));
        } catch (IllegalArgumentException e) { // not base64url, or not a number before the colon
            throw bad;
        }
    }
}
