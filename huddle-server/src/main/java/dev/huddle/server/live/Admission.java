package dev.huddle.server.live;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.OriginPolicy;
import java.util.concurrent.Executor;

/**
 * The checks a WebSocket upgrade passes before it opens a socket, whichever transport carries it: the
 * {@code Origin} (403 {@code origin_not_allowed}), the token (401; from {@code Authorization: Bearer}, the
 * {@code huddle_token} cookie, or {@code ?token=} for browsers, which cannot set headers on a WebSocket),
 * then the socket counts (429 {@code too_many_connections}, X2): the user's, the client address's, and, for
 * a socket without a token, the server's anonymous sockets. No token gives an anonymous socket that may
 * only subscribe by slug (H4). An admitted socket holds its counts until its {@link LiveConnection} ends.
 */
final class Admission {
    /**
     * What an upgrade request carries: its {@code Origin} and {@code Host} headers, the token's three sources
     * (each may be null), and the client's address ({@link dev.huddle.server.http.ClientAddress}).
     */
    record Request(String origin, String host, String authorization, String queryToken, String cookieToken,
            String address) {
    }

    /** The socket to open, or why not: {@code connection} is null exactly when {@code status} is a refusal's. */
    record Verdict(LiveConnection connection, int status, String code, String message) {
        static Verdict refuse(int status, String code, String message) {
            return new Verdict(null, status, code, message);
        }
    }

    private final LiveServices services;
    private final Authenticator auth;
    private final OriginPolicy origins;

    Admission(LiveServices services, Authenticator auth, OriginPolicy origins) {
        this.services = services;
        this.auth = auth;
        this.origins = origins;
    }

    /** Checks {@code r}; an admitted socket's signed-in messages are handled on {@code signedIn} ({@link LiveConnection}). */
    Verdict admit(Request r, Executor signedIn) {
        if (!origins.allows(r.origin(), r.host())) {
            return Verdict.refuse(403, "origin_not_allowed", "this Origin may not open the socket");
        }
        String userId = null;
        try {
            String token = token(r);
            if (token != null) {
                userId = auth.userOf(token);
            }
        } catch (ApiException e) {
            return Verdict.refuse(401, e.code(), e.getMessage());
        }
        LiveHub hub = services.hub();
        var s = hub.settings();
        if (userId != null && !hub.tryOpen(userId)) {
            return refuse("at most " + s.maxConnectionsPerUser() + " sockets per user");
        }
        AddressLimits.Refusal refusal = hub.addresses().tryOpen(r.address(), userId == null);
        if (refusal != null) {
            if (userId != null) {
                hub.released(userId);
            }
            return refuse(refusal == AddressLimits.Refusal.ADDRESS
                    ? "at most " + s.maxConnectionsPerAddress() + " sockets per client address"
                    : "the server holds its most anonymous sockets (" + s.maxAnonymousConnections() + "); sign in, or try again later");
        }
        return new Verdict(new LiveConnection(services, userId, r.address(), signedIn), 101, null, null);
    }

    /** X2: 429 {@code too_many_connections}. */
    private Verdict refuse(String why) {
        services.hub().refusedUpgrade();
        return Verdict.refuse(429, "too_many_connections", why);
    }

    /** The token: the Authorization header's (which must then be a bearer token), else the query's, else the cookie's; or null. */
    private static String token(Request r) {
        String header = r.authorization();
        if (header != null && !header.isBlank()) {
            String h = header.strip();
            if (h.regionMatches(true, 0, "Bearer ", 0, 7) && h.length() > 7) {
                return h.substring(7).strip();
            }
            throw ApiException.invalidToken("the Authorization header must be 'Bearer <token>'");
        }
        if (r.queryToken() != null && !r.queryToken().isBlank()) {
            return r.queryToken().strip();
        }
        if (r.cookieToken() != null && !r.cookieToken().isBlank()) {
            return r.cookieToken();
        }
        return null;
    }
}
