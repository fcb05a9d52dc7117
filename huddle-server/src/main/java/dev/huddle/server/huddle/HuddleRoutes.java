package dev.huddle.server.huddle;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
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
 * join, leave, the member list a page at a time; and the hosts' settings, invites, members and bans (H9, {@link HostRoutes}).
 */
public final class HuddleRoutes {
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 200;

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
        routes.get("/api/huddles/{idOrSlug}/members", this::members);
        new HostRoutes(hosts, auth, this::detail).register(routes);
    }

    private void create(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        Args args = Bodies.jsonArgs(ctx);
        Huddle h = service.create(userId, args.requiredString("title"));
        ctx.status(201).json(detail(new HuddleAccess(h, false, java.util.Optional.of(Role.HOST)), userId));
    }

    private void read(Context ctx) {
        Caller caller = auth.caller(ctx);
        HuddleAccess a = service.read(ctx.pathParam("idOrSlug"), caller);
        Map<String, Object> detail = detail(a, caller.optionalUserId().orElse(null));
        presenceArray.apply(a.huddle().id()).ifPresent(p -> detail.put("presence", p));
        ctx.json(detail);
    }

    private void open(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        ctx.json(detail(service.open(ctx.pathParam("id"), userId), userId));
    }

    private void join(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        Args args = Bodies.jsonArgs(ctx);
        var role = args.optionalString("role").map(r -> Role.parse("role", r));
        var token = args.optionalString("inviteToken");
        ctx.json(detail(service.join(ctx.pathParam("id"), userId, role, token), userId));
    }

    private void leave(Context ctx) {
        String userId = auth.caller(ctx).requireUserId();
        Args args = HostRoutes.optionalBody(ctx);
        boolean wasMember = service.leave(ctx.pathParam("id"), userId, args.optionalString("newHost"));
        ctx.json(Map.of("ok", true, "wasMember", wasMember));
    }

    /**
     * The member list, a page at a time ({@code ?cursor=&limit=}), in join order (joined at, then user
     * id); {@code nextCursor} is null on the last page. Readable where the detail is (H4).
     */
    private void members(Context ctx) {
        Huddle h = service.memberListOf(ctx.pathParam("idOrSlug"), auth.caller(ctx));
        int limit = limit(ctx.queryParam("limit"));
        var after = MemberCursor.decode(ctx.queryParam("cursor"));
        List<Member> page = service.repository().memberPage(h.id(), after, limit + 1);
        boolean more = page.size() > limit;
        List<Member> shown = more ? page.subList(0, limit) : page;
        List<Map<String, Object>> out = new ArrayList<>();
        shown.forEach(m -> out.add(member(m)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("members", out);
        Member last = more ? shown.get(shown.size() - 1) : null;
        body.put("nextCursor", last == null ? null
                : MemberCursor.encode(new HuddleRepository.MemberKey(last.joinedAt(), last.userId())));
        ctx.json(body);
    }

    private static int limit(String v) {
        if (v == null || v.isEmpty()) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiException.invalidArgument("limit", "must be a whole number from 1 to " + MAX_PAGE);
    }

    private static Map<String, Object> member(Member m) {
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("userId", m.userId());
        mm.put("displayName", m.displayName());
        mm.put("role", m.role().wire());
        mm.put("joinedAt", m.joinedAt());
        return mm;
    }

    /**
     * The detail a client sees: the huddle, the caller's role and own membership, and how many members
     * it has; its size does not depend on the room's (the members are {@code GET …/members}). Only
     * {@code GET} adds the transitional {@code presence} array (H8), which old clients poll there: a
     * join, an open or a host's change answers in the same time in a room of 5 or of 5 000.
     *
     * @param userId the caller, or null when not signed in
     */
    Map<String, Object> detail(HuddleAccess a, String userId) {
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
        out.put("memberCount", service.repository().memberCount(h.id()));
        out.put("membership", a.role().isEmpty() || userId == null ? null
                : service.repository().member(h.id(), userId).map(HuddleRoutes::member).orElse(null));
        return out;
    }
}
