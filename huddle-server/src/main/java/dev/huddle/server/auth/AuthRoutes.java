package dev.huddle.server.auth;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Bodies;
import dev.huddle.server.http.ClientAddress;
import dev.huddle.server.user.Ids;
import dev.huddle.server.user.ProfileRules;
import dev.huddle.server.user.User;
import dev.huddle.server.user.UserRepository;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/auth/guest} (guest sign-in; off when an external identity provider is configured;
 * rationed per client address and in total, X2) and {@code GET /api/me}.
 */
public final class AuthRoutes {
    /** Guest sign-in: it sets the cookie, so foreign pages may not call it even without one (X4). */
    public static final String GUEST = "/api/auth/guest";

    private final GuestTokens guestTokens;
    private final Authenticator authenticator;
    private final UserRepository users;
    private final TimeSource time;
    private final GuestSignInLimiter limiter;
    private final ClientAddress clients;

    /** @param guestTokens null when guest sign-in is off */
    public AuthRoutes(GuestTokens guestTokens, Authenticator authenticator, UserRepository users, TimeSource time,
            GuestSignInLimiter limiter, ClientAddress clients) {
        this.guestTokens = guestTokens;
        this.authenticator = authenticator;
        this.users = users;
        this.time = time;
        this.limiter = limiter;
        this.clients = clients;
    }

    public void register(RoutesConfig routes) {
        routes.post(GUEST, this::guest);
        routes.get("/api/me", this::me);
    }

    private void guest(Context ctx) {
        if (guestTokens == null) {
            throw new ApiException(403, "guest_sign_in_disabled",
                    "guest sign-in is off: this server accepts tokens from its identity provider");
        }
        Args args = Bodies.jsonArgs(ctx);
        String displayName = ProfileRules.displayName(args.requiredString("displayName"));
        String avatarUrl = ProfileRules.avatarUrl(args.optionalString("avatarUrl").orElse(null));
        limiter.acquire(clients.address(ctx));
        String userId = Ids.userId();
        users.insert(new User(userId, displayName, avatarUrl, time.millis()));
        authenticator.known(userId);
        String token = guestTokens.issue(userId);
        // Secure whenever the page was reached over https (directly or per a trusted proxy), X5.
        ctx.header("Set-Cookie", Authenticator.COOKIE + "=" + token + "; Path=/; Max-Age=" + guestTokens.ttl().toSeconds()
                + "; HttpOnly; SameSite=Lax" + (clients.https(ctx) ? "; Secure" : ""));
        ctx.json(Map.of("userId", userId, "token", token));
    }

    private void me(Context ctx) {
        String userId = authenticator.caller(ctx).requireUserId();
        User u = users.find(userId).orElseThrow(() -> ApiException.notFound("no profile for this user"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", u.id());
        out.put("displayName", u.displayName());
        out.put("avatarUrl", u.avatarUrl());
        ctx.json(out);
    }
}
