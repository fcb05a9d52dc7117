package dev.huddle.server.huddle;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Bodies;
import dev.huddle.server.http.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The hosts' endpoints (H9): {@code PATCH /api/huddles/{id}} (settings), invites, members and bans.
 * Each answers 403 {@code not_a_host} to anyone else; docs/http-api.md has the bodies.
 */
final class HostRoutes {
    private final HostService hosts;
    private final Authenticator auth;
    private final BiFunction<HuddleAccess, String, Map<String, Object>> detail;

    HostRoutes(HostService hosts, Authenticator auth, BiFunction<HuddleAccess, String, Map<String, Object>> detail) {
        this.hosts = hosts;
        this.auth = auth;
        this.detail = detail;
    }

    void register(RoutesConfig routes) {
        routes.patch("/api/huddles/{id}", this::settings);
        routes.post("/api/huddles/{id}/invites", this::createInvite);
        routes.get("/api/huddles/{id}/invites", this::listInvites);
        routes.delete("/api/huddles/{id}/invites/{token}", this::revokeInvite);
        routes.put("/api/huddles/{id}/members/{userId}", this::setRole);
        routes.delete("/api/huddles/{id}/members/{userId}", this::remove);
        routes.delete("/api/huddles/{id}/bans/{userId}", this::unban);
    }

    private void settings(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        Args a = Bodies.jsonArgs(ctx);
        Optional<String> title = a.optionalString("title");
        Optional<Boolean> publicViewing = a.optionalBoolean("publicViewing");
        Optional<JoinPolicy> policy = a.optionalString("joinPolicy").map(p -> JoinPolicy.parse("joinPolicy", p));
        if (title.isEmpty() && publicViewing.isEmpty() && policy.isEmpty()) {
            throw ApiException.invalidArgument("title", "or publicViewing or joinPolicy is required");
        }
        Huddle h = hosts.updateSettings(ctx.pathParam("id"), me, title, publicViewing, policy);
        ctx.json(detail.apply(new HuddleAccess(h, false, Optional.of(Role.HOST)), me));
    }

    private void createInvite(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        Args a = Bodies.jsonArgs(ctx);
        Role role = Role.parse("role", a.optionalString("role").orElse("participant"));
        Optional<Long> maxUses = a.has("maxUses") ? Optional.of(a.optionalLong("maxUses", 0)) : Optional.empty();
        Optional<Long> expiresIn = a.has("expiresInMs") ? Optional.of(a.optionalLong("expiresInMs", 0)) : Optional.empty();
        HostService.NewInvite inv = hosts.createInvite(ctx.pathParam("id"), me, role, maxUses, expiresIn);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inviteToken", inv.token());
        out.put("inviteId", inv.token().substring(0, InviteRepository.TOKEN_LENGTH / 2));
        out.put("role", role.wire());
        out.put("url", "/h/" + inv.huddle().slug() + "?id=" + inv.huddle().id() + "&invite=" + inv.token());
        out.put("maxUses", maxUses.orElse(null));
        out.put("expiresAt", inv.expiresAt());
        ctx.status(201).json(out);
    }

    private void listInvites(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        List<Map<String, Object>> out = hosts.invites(ctx.pathParam("id"), me).stream().map(HostRoutes::invite).toList();
        ctx.json(Map.of("invites", out));
    }

    private void revokeInvite(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        boolean revoked = hosts.revokeInvite(ctx.pathParam("id"), me, ctx.pathParam("token"));
        ctx.json(Map.of("ok", true, "revoked", revoked));
    }

    private void setRole(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        Role role = Role.parse("role", Bodies.jsonArgs(ctx).requiredString("role"));
        String member = ctx.pathParam("userId");
        hosts.setRole(ctx.pathParam("id"), me, member, role);
        ctx.json(Map.of("ok", true, "userId", member, "role", role.wire()));
    }

    private void remove(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        boolean ban = bool(ctx, "ban");
        boolean wasMember = hosts.remove(ctx.pathParam("id"), me, ctx.pathParam("userId"), ban);
        ctx.json(Map.of("ok", true, "wasMember", wasMember, "banned", ban));
    }

    private void unban(Context ctx) {
        String me = auth.caller(ctx).requireUserId();
        boolean wasBanned = hosts.unban(ctx.pathParam("id"), me, ctx.pathParam("userId"));
        ctx.json(Map.of("ok", true, "wasBanned", wasBanned));
    }

    private static boolean bool(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw ApiException.invalidArgument(name, "must be true or false");
    }

    private static Map<String, Object> invite(Invite i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inviteId", i.id());
        m.put("role", i.role().wire());
        m.put("maxUses", i.maxUses());
        m.put("uses", i.uses());
        m.put("expiresAt", i.expiresAt());
        m.put("createdBy", i.createdBy());
        m.put("createdAt", i.createdAt());
        return m;
    }

    /** The body's arguments, or none for an empty body (e.g. a plain {@code POST …/leave}). */
    static Args optionalBody(Context ctx) {
        byte[] body = Bodies.read(ctx);
        return body.length == 0 ? new Args(Json.newObject()) : new Args(Json.object(body));
    }
}
