package dev.huddle.server.presence;

import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Bodies;
import dev.huddle.server.http.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** The plain presence endpoints: heartbeat, list, flags and disconnect. */
public final class PresenceRoutes {
    /** The sendBeacon endpoint: its session token is the capability, so it never reads the cookie (X4). */
    public static final String DISCONNECT = "/api/presence/disconnect";

    private final PresenceFunctions functions;
    private final Authenticator auth;

    public PresenceRoutes(PresenceFunctions functions, Authenticator auth) {
        this.functions = functions;
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        // Sign-in is checked before the body is read: 401 comes before 400.
        routes.post("/api/presence/heartbeat", ctx -> {
            Caller caller = auth.signedIn(ctx);
            ctx.json(functions.heartbeat(caller, Bodies.jsonArgs(ctx)));
        });
        routes.get("/api/presence/list", ctx -> ctx.json(functions.list(auth.caller(ctx), queryArgs(ctx))));
        routes.post("/api/presence/flags", ctx -> {
            Caller caller = auth.signedIn(ctx);
            ctx.json(functions.setFlags(caller, Bodies.jsonArgs(ctx)));
        });
        // sendBeacon sends text/plain (a string) or application/json (a Blob): the body is JSON either way.
        routes.post(DISCONNECT, ctx -> {
            functions.disconnect(Bodies.jsonArgs(ctx));
            ctx.json(Map.of("ok", true));
        });
    }

    /** Query parameters as arguments: {@code limit} as a number when it is one, the rest as strings. */
    private static Args queryArgs(Context ctx) {
        ObjectNode node = Json.newObject();
        for (String name : List.of("roomToken", "huddle", "limit")) {
            String v = ctx.queryParam(name);
            if (v == null) {
                continue;
            }
            if (name.equals("limit")) {
                try {
                    node.put(name, Long.parseLong(v.strip()));
                } catch (NumberFormatException e) {
                    node.put(name, v);
                }
            } else {
                node.put(name, v);
            }
        }
        return new Args(node);
    }
}
