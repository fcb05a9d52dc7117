package dev.huddle.server.presence;

import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Session ids (L3): the ones clients choose, and the ones the legacy wrapper uses on behalf of old
 * clients. A legacy session id is derived from the (huddle, user) pair — so one user in two huddles
 * has two — under a prefix no client may use, so nobody can take it through the public API (user ids
 * are public).
 */
public final class SessionIds {
    /** Reserved for the legacy wrapper's sessions; refused in a client-chosen session id. */
    public static final String LEGACY_PREFIX = "legacy:";

    private SessionIds() {
    }

    /** The {@code sessionId} field a client chose: required, and not under the reserved prefix (400 otherwise). */
    public static String clientChosen(Args args) {
        String id = args.requiredString("sessionId");
        if (id.startsWith(LEGACY_PREFIX)) {
            throw ApiException.invalidArgument("sessionId", "must not start with '" + LEGACY_PREFIX
                    + "' (reserved for the legacy presence calls)");
        }
        return id;
    }

    /**
     * The legacy wrapper's session of {@code userId} in huddle {@code huddleId}: {@code legacy:} and 22
     * characters of SHA-256 of the pair (short, whatever the ids' lengths).
     */
    public static String legacy(String huddleId, String userId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(huddleId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(userId.getBytes(StandardCharsets.UTF_8));
            byte[] digest = sha.digest();
            return LEGACY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
