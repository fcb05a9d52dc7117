package dev.huddle.server.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.presence.PresenceException;
import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.http.Bodies;
import dev.huddle.server.http.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Convex-compatible function calls for apps moving off Convex: {@code POST /api/mutation} runs
 * {@code presence:heartbeat} and {@code presence:disconnect}, {@code POST /api/query} runs
 * {@code presence:list}, through the same {@link PresenceFunctions} as the plain endpoints. A request
 * that is not a function call (not JSON, no path, args neither an object nor a one-element array of
 * one) is 400; a call that fails (auth, membership, rule, unknown function) is HTTP 560 with
 * {@code {"status":"error","errorMessage":…,"errorData":{"code":…},"logLines":[]}}, the status Convex's
 * clients read as a function error.
 */
public final class ConvexRoutes {
    /** The status Convex's HTTP clients treat as "the function failed". */
    public static final int FUNCTION_ERROR = 560;

    private enum Kind { QUERY, MUTATION }

    @FunctionalInterface
    private interface Function {
        Object run(Caller caller, Args args);
    }

    private record Registered(Kind kind, Function function) {
    }

    /** The legacy tracker's {@code huddle:upsertPresence} (L1), handed in so that this package needs none of {@code legacy}. */
    @FunctionalInterface
    public interface LegacyUpsert {
        Object upsert(Caller caller, String huddleId, Args args);
    }

    /** The legacy tracker's {@code huddle:clearPresence} (L1). */
    @FunctionalInterface
    public interface LegacyClear {
        Object clear(Caller caller, String huddleId);
    }

    private final Map<String, Registered> functions;
    private final Authenticator auth;

    public ConvexRoutes(PresenceFunctions presence, LegacyUpsert legacyUpsert, LegacyClear legacyClear, Authenticator auth) {
        this.auth = auth;
        this.functions = Map.of(
                // the legacy tracker's mutations (L1), args {huddleId, isSpeaking?, isRecording?} / {huddleId}
                "huddle:upsertPresence", new Registered(Kind.MUTATION,
                        (caller, args) -> legacyUpsert.upsert(caller, args.requiredString("huddleId"), args)),
                "huddle:clearPresence", new Registered(Kind.MUTATION,
                        (caller, args) -> legacyClear.clear(caller, args.requiredString("huddleId"))),
                "presence:heartbeat", new Registered(Kind.MUTATION, presence::heartbeat),
                "presence:disconnect", new Registered(Kind.MUTATION, (caller, args) -> {
                    presence.disconnect(args);
                    return null;
                }),
                "presence:list", new Registered(Kind.QUERY, presence::list));
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/mutation", ctx -> call(ctx, Kind.MUTATION));
        routes.post("/api/query", ctx -> call(ctx, Kind.QUERY));
    }

    private void call(Context ctx, Kind kind) {
        ObjectNode request = Json.object(Bodies.read(ctx));
        String path = path(request);
        Args args = args(request);
        format(request);
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            Registered fn = functions.get(normalise(path));
            if (fn == null) {
                throw new ApiException(404, "unknown_function", "Could not find public function for '" + path + "'");
            }
            if (fn.kind() != kind) {
                throw new ApiException(400, "wrong_function_kind", "Trying to execute " + path + " as "
                        + (kind == Kind.QUERY ? "Query" : "Mutation") + ", but it is defined as "
                        + (fn.kind() == Kind.QUERY ? "Query" : "Mutation"));
            }
            Object value = fn.function().run(auth.caller(ctx), args);
            out.put("status", "success");
            out.put("value", value);
            out.put("logLines", List.of());
            ctx.json(out);
        } catch (ApiException e) {
            fail(ctx, out, e.code(), e.getMessage());
        } catch (PresenceException e) {
            fail(ctx, out, e.code(), e.getMessage());
        }
    }

    private static void fail(Context ctx, Map<String, Object> out, String code, String message) {
        out.put("status", "error");
        out.put("errorMessage", "[" + code + "] " + message);
        out.put("errorData", Map.of("code", code));
        out.put("logLines", List.of());
        ctx.status(FUNCTION_ERROR).json(out);
    }

    private static String path(ObjectNode request) {
        JsonNode p = request.get("path");
        if (p == null || !p.isTextual() || p.textValue().isBlank()) {
            throw ApiException.invalidArgument("path", "is required and must be a string like \"presence:list\"");
        }
        return p.textValue();
    }

    private static Args args(ObjectNode request) {
        JsonNode a = request.get("args");
        if (a == null || a.isNull()) {
            return new Args(Json.newObject());
        }
        if (a instanceof ObjectNode o) {
            return new Args(o);
        }
        if (a instanceof ArrayNode arr && arr.size() == 1 && arr.get(0) instanceof ObjectNode o) {
            return new Args(o);
        }
        throw ApiException.invalidArgument("args", "must be an object or a one-element array holding one");
    }

    private static void format(ObjectNode request) {
        JsonNode f = request.get("format");
        if (f != null && !f.isNull()
                && !(f.isTextual() && (f.textValue().equals("json") || f.textValue().equals("convex_encoded_json")))) {
            throw ApiException.invalidArgument("format", "must be \"json\" or \"convex_encoded_json\"");
        }
    }

    /** Accepts {@code presence:list} and the module-file form {@code presence.js:list}. */
    private static String normalise(String path) {
        return path.replace(".js:", ":");
    }
}
