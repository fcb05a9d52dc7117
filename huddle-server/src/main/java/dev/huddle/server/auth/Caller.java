package dev.huddle.server.auth;

import dev.huddle.server.http.ApiException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who is calling, worked out lazily so that calls needing no sign-in (disconnect, public slug views)
 * never touch the token. A token that is present but bad is refused even where sign-in is optional.
 */
public final class Caller {
    private final Supplier<Optional<String>> resolve;
    private Optional<String> userId;

    public Caller(Supplier<Optional<String>> resolve) {
        this.resolve = resolve;
    }

    /** A caller known to be {@code userId}, for tests and internal calls. */
    public static Caller of(String userId) {
        return new Caller(() -> Optional.of(userId));
    }

    /** The signed-in user, or empty when no token was sent; 401 {@code invalid_token} for a bad one. */
    public Optional<String> optionalUserId() {
        if (userId == null) {
            userId = resolve.get();
        }
        return userId;
    }

    /** The signed-in user; 401 {@code unauthenticated} when no token was sent. */
    public String requireUserId() {
        return optionalUserId().orElseThrow(ApiException::unauthenticated);
    }
}
