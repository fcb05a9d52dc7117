package dev.huddle.server.huddle;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Bodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The huddle endpoints: create, read by id or slug (never a write), open (H3: registers an observer),
 * join, leave; and the hosts' settings, invites, members and bans (H9, {@link HostRoutes}).
 */
public final class HuddleRoutes {
    private final HuddleService service;
    private final HostService hosts;
    private final Authenticator auth;
    private final java.util.function.Function<String, java.util.Optional<List<Map<String, Object>>>> presenceArray;

    /**
     * @param presenceArray the detail's transitional {@code presence} array of a huddle id, or empty to
     *     leave it out (H8, L2)
     */
    public HuddleRoutes(HuddleService service, HostService hosts, Authenticator auth,
            java.util.function.Function<String, java.util.Optional<List<Map<String, Object>>>> presenceArray) {
        this.service = service;
        this.hosts = hosts;
        this.auth = auth;
        this.presenceArray = presenceArray;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/huddles", this::create);
        routes.get("/api/huddles/{idOrSlug}", this::read);
        routes.post("/api/huddles/{id}/open", this::open);
        routes.post("/api/huddles/{id}/join", this::join);
        routes.post("/api/huddles/{id}/leave", this::leave);
        new HostRoutes(hosts, auth, this::detail).register(routes);
    }

    private void create(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        Args args = Bodies.jsonArgs(ctx);
        Huddle h = service.create(userId, args.requiredString("title"));
        ctx.status(201).json(detail(new HuddleAccess(h, false, java.util.Optional.of(Role.HOST))));
    }

    private void read(Context ctx) {
        ctx.json(detail(service.read(ctx.pathParam("idOrSlug"), auth.caller(ctx))));
    }

    private void open(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        ctx.json(detail(service.open(ctx.pathParam("id"), userId)));
    }

    private void join(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        Args args = Bodies.jsonArgs(ctx);
        var role = args.optionalString("role").map(r -> Role.parse("role", r));
        var token = args.optionalString("inviteToken");
        ctx.json(detail(service.join(ctx.pathParam("id"), userId, role, token)));
    }

    private void leave(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        Args args = HostRoutes.optionalBody(ctx);
        boolean wasMember = service.leave(ctx.pathParam("id"), userId, args.optionalString("newHost"));
        ctx.json(Map.of("ok", true, "wasMember", wasMember));
    }

    /** The detail a client sees: the huddle, the caller's role, and the members. */
    Map<String, Object> detail(HuddleAccess a) {
        Huddle h = a.huddle();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", h.id());
        out.put("slug", h.slug());
        out.put("title", h.title());
        out.put("createdBy", h.createdBy());
        out.put("createdAt", h.createdAt());
        out.put("publicViewing", h.publicViewing());
        out.put("joinPolicy", h.joinPolicy().wire());
        out.put("role", a.role().map(Role::wire).orElse(null));
        out.put("readOnly", a.viaSlug());
        List<Map<String, Object>> members = new ArrayList<>();
        for (Member m : service.repository().members(h.id())) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("userId", m.userId());
            mm.put("displayName", m.displayName());
            mm.put("role", m.role().wire());
            members.add(mm);
        }
        out.put("members", members);
        presenceArray.apply(h.id()).ifPresent(p -> out.put("presence", p));
        return out;
    }
}
