package dev.huddle.server.legacy;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Bodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The legacy calls as old clients used them — {@code POST /api/huddles/{id}/presence/upsert
 * {isSpeaking?, isRecording?}} and {@code POST /api/huddles/{id}/presence/clear} — and the admin API of
 * the rollout flag: {@code GET} and {@code PUT /api/admin/presence-source {source}}, authorised by
 * {@code Authorization: Bearer <HUDDLE_ADMIN_TOKEN>} (off, 404, while no admin token is configured).
 */
public final class LegacyRoutes {
    private final LegacyPresence legacy;
    private final Authenticator auth;
    private final byte[] adminToken;

    public LegacyRoutes(LegacyPresence legacy, Authenticator auth, String adminToken) {
        this.legacy = legacy;
        this.auth = auth;
        this.adminToken = adminToken == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
    }

    public void register(RoutesConfig routes) {
        // Sign-in is checked before the body is read: 401 comes before 400.
        routes.post("/api/huddles/{id}/presence/upsert", ctx -> {
            Caller caller = auth.signedIn(ctx);
            ctx.json(legacy.upsert(caller, ctx.pathParam("id"), bodyArgs(ctx)));
        });
        routes.post("/api/huddles/{id}/presence/clear", ctx -> {
            Caller caller = auth.signedIn(ctx);
            bodyArgs(ctx); // an old client may send {} or nothing; anything else must still be JSON
            ctx.json(legacy.clear(caller, ctx.pathParam("id")));
        });
        routes.get("/api/admin/presence-source", ctx -> {
            requireAdmin(ctx);
            ctx.json(state());
        });
        routes.put("/api/admin/presence-source", ctx -> {
            requireAdmin(ctx);
            Args args = Bodies.jsonArgs(ctx);
            String raw = args.requiredString("source");
            PresenceSource next;
            try {
                next = PresenceSource.parse(raw);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidArgument("source", e.getMessage());
            }
            PresenceSource prev = legacy.switchTo(next);
            Map<String, Object> out = state();
            out.put("previous", prev.wire());
            ctx.json(out);
        });
    }

    private Map<String, Object> state() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", legacy.source().wire());
        out.put("legacyRetired", legacy.retired());
        return out;
    }

    /** An empty body counts as {@code {}}. */
    private static Args bodyArgs(Context ctx) {
        byte[] body = Bodies.read(ctx);
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return new Args(dev.huddle.server.http.Json.newObject());
        }
        return new Args(dev.huddle.server.http.Json.object(body));
    }

    private void requireAdmin(Context ctx) {
        if (adminToken == null) {
            throw ApiException.notFound("the admin API is off: set HUDDLE_ADMIN_TOKEN to enable it");
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            throw new ApiException(401, "unauthenticated", "send Authorization: Bearer <admin token>");
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, adminToken)) {
            throw new ApiException(403, "not_an_admin", "that is not the admin token");
        }
    }
}
