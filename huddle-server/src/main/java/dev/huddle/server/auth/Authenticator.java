package dev.huddle.server.auth;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.user.ProfileRules;
import dev.huddle.server.user.User;
import dev.huddle.server.user.UserRepository;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the caller of a request from {@code Authorization: Bearer <token>} or, failing that, the
 * {@code huddle_token} cookie. A guest token must name a user the server knows; a user signed in
 * through an external identity provider gets a profile the first time they are seen, from the
 * {@code name} claim (else the user id) and the {@code picture} claim when it is a safe URL.
 */
public final class Authenticator {
    public static final String COOKIE = "huddle_token";

    private final TokenVerifier verifier;
    private final boolean external;
    private final UserRepository users;
    private final TimeSource time;
    private final Set<String> knownUsers = ConcurrentHashMap.newKeySet();

    public Authenticator(TokenVerifier verifier, boolean external, UserRepository users, TimeSource time) {
        this.verifier = verifier;
        this.external = external;
        this.users = users;
        this.time = time;
    }

    /** The caller of this request, resolved on first use. */
    public Caller caller(Context ctx) {
        return new Caller(() -> token(ctx).map(this::userOf));
    }

    /**
     * The caller of a request that needs sign-in, checked now: 401 before the handler reads the body,
     * so a request without a (valid) token learns that first, whatever its body holds.
     */
    public Caller signedIn(Context ctx) {
        Caller caller = caller(ctx);
        caller.requireUserId();
        return caller;
    }

    /** Verifies a token and returns its user id, creating an external user's profile on first sight. */
    public String userOf(String token) {
        VerifiedToken t = verifier.verify(token);
        if (knownUsers.contains(t.userId())) {
            return t.userId();
        }
        if (external) {
            String name = ProfileRules.displayNameOrNull(t.name());
            if (name == null) {
                name = ProfileRules.displayNameOrNull(t.userId());
            }
            users.insertIfAbsent(new User(t.userId(), name == null ? "user" : name,
                    ProfileRules.avatarUrlOrNull(t.picture()), time.millis()));
        } else if (users.find(t.userId()).isEmpty()) {
            throw ApiException.invalidToken("it names a user this server does not know");
        }
        knownUsers.add(t.userId());
        return t.userId();
    }

    /** Remembers a user created by guest sign-in, so their first request needs no lookup. */
    public void known(String userId) {
        knownUsers.add(userId);
    }

    private static Optional<String> token(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && !header.isBlank()) {
            String h = header.strip();
            if (h.regionMatches(true, 0, "Bearer ", 0, 7) && h.length() > 7) {
                return Optional.of(h.substring(7).strip());
            }
            throw ApiException.invalidToken("the Authorization header must be 'Bearer <token>'");
        }
        String cookie = ctx.cookie(COOKIE);
        if (cookie != null && !cookie.isBlank()) {
            return Optional.of(cookie);
        }
        return Optional.empty();
    }
}
