package dev.huddle.server.http;

import dev.huddle.presence.InvalidArgumentException;
import dev.huddle.presence.PresenceException;
import dev.huddle.presence.SessionConflictException;
import dev.huddle.presence.StoreUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into {@code {"error":{"code","message"}}} with the right status: API refusals as
 * they are, the engine's {@code invalid_argument} as 400 and {@code session_conflict} as 409, unknown
 * routes as 404 {@code not_found}, the presence store out of reach as 503 {@code unavailable} with
 * {@code Retry-After} (R1; not logged per request), and anything unexpected as 500 {@code internal} (logged, with no
 * detail sent to the client).
 */
public final class ErrorMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);
    private static final String WRITTEN = "huddle.error.written";
    /** What a client is told while the presence store is out of reach (R1); the cause stays in the log. */
    public static final String UNAVAILABLE = "presence is unavailable right now; try again shortly";
    /** {@code Retry-After} of a 503 {@code unavailable}: the store is back within seconds, or the node reports it. */
    static final int RETRY_AFTER_SECONDS = 2;

    private ErrorMapping() {
    }

    public static void register(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            write(ctx, e.status(), e.code(), e.getMessage());
        });
        routes.exception(InvalidArgumentException.class, (e, ctx) -> write(ctx, 400, e.code(), e.getMessage()));
        routes.exception(SessionConflictException.class, (e, ctx) -> write(ctx, 409, e.code(), e.getMessage()));
        routes.exception(StoreUnavailableException.class, (e, ctx) -> {
            // R1: not logged here; the store counts and logs its outages at a bounded rate.
            ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            write(ctx, 503, e.code(), UNAVAILABLE);
        });
        routes.exception(PresenceException.class, (e, ctx) -> write(ctx, 400, e.code(), e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus(),
                e.getStatus() == 404 ? "not_found" : "http_" + e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            write(ctx, 500, "internal", "internal server error");
        });
        routes.error(404, "*", ctx -> {
            if (ctx.attribute(WRITTEN) == null) {
                write(ctx, 404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
    }

    /** Writes the error body and marks the response so the 404 page does not replace it. */
    public static void write(Context ctx, int status, String code, String message) {
        ctx.attribute(WRITTEN, Boolean.TRUE);
        ctx.status(status).json(ErrorBody.of(code, message));
    }
}
