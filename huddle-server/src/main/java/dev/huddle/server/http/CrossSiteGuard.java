package dev.huddle.server.http;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Set;

/**
 * X4: the cookie acts only for the server's own pages. One check in front of every {@code /api} route,
 * as Django and Rails do it, for requests the cookie would authenticate: an unsafe method (anything but
 * GET, HEAD and OPTIONS) carrying the cookie and no {@code Authorization} header. Such a request
 *
 * <ol>
 *   <li>must come from an allowed origin ({@link OriginPolicy}: the server's own, or one configured):
 *       by its {@code Origin} header, or — when a browser sent none — by {@code Sec-Fetch-Site:
 *       same-origin} (or {@code none}, a navigation the user started). A request with neither header is
 *       refused too: every browser since 2020 sends one of them on a write, so it is either a script
 *       holding the cookie, which should send {@code Authorization: Bearer}, or a browser too old to be
 *       protected. 403 {@code cross_site_request}.
 *   <li>must send its body as JSON. A page on another site can post form, multipart and
 *       {@code text/plain} bodies without asking (no CORS preflight), and {@code text/plain} can carry a
 *       body that parses as JSON; a JSON content type it cannot send. 415 {@code unsupported_media_type}.
 * </ol>
 *
 * Same-site is not enough: another port of the same host is same-site, and {@code SameSite=Lax} sends
 * the cookie from there. Bearer clients are untouched (a page on another site cannot set
 * {@code Authorization} without a preflight this server never grants). The capability endpoints, where
 * a token in the body is the authority and the cookie is never read ({@code POST
 * /api/presence/disconnect}, for {@code sendBeacon}), stay open to any origin and body type.
 *
 * <p>Signing in is guarded even without the cookie. From another host a browser withholds a Lax
 * cookie on a POST, so the server cannot see that the visitor is signed in; but it would still store
 * the {@code Set-Cookie} of the answer and so replace the visitor's identity. So a sign-in that a
 * browser marks as coming from a foreign page (its {@code Origin}, or {@code Sec-Fetch-Site}) is
 * refused too; one with neither header is a non-browser client (the README's curl tour) and goes on.
 */
public final class CrossSiteGuard {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final OriginPolicy origins;
    private final ClientAddress clients;
    private final String cookie;
    private final Set<String> capabilityPaths;
    private final Set<String> signInPaths;

    /**
     * @param cookie the name of the session cookie
     * @param capabilityPaths paths whose requests never act on the cookie, left open
     * @param signInPaths paths that set the cookie: guarded against foreign pages even without it
     */
    public CrossSiteGuard(OriginPolicy origins, ClientAddress clients, String cookie, Set<String> capabilityPaths,
            Set<String> signInPaths) {
        this.origins = origins;
        this.clients = clients;
        this.cookie = cookie;
        this.capabilityPaths = Set.copyOf(capabilityPaths);
        this.signInPaths = Set.copyOf(signInPaths);
    }

    /** Javalin {@code before} handler; throws the refusal, which the error mapping renders. */
    public void check(Context ctx) {
        if (SAFE.contains(ctx.req().getMethod()) || capabilityPaths.contains(ctx.path()) || hasBearer(ctx)) {
            return;
        }
        boolean byCookie = hasCookie(ctx);
        if (!byCookie && !signInPaths.contains(ctx.path())) {
            return;
        }
        String origin = ctx.header("Origin");
        String site = ctx.header("Sec-Fetch-Site");
        if (origin != null) {
            if (!origins.isAllowedOrigin(origin, clients.host(ctx))) {
                throw refused(byCookie, "it comes from " + origin);
            }
        } else if (site != null) {
            String s = site.strip().toLowerCase(Locale.ROOT);
            if (!s.equals("same-origin") && !s.equals("none")) {
                throw refused(byCookie, "it is " + s);
            }
        } else if (byCookie) {
            throw refused(true, "it has neither Origin nor Sec-Fetch-Site");
        }
        if (byCookie && hasBody(ctx) && !isJson(ctx.header("Content-Type"))) {
            throw new ApiException(415, "unsupported_media_type",
                    "send the body as application/json: a request authenticated by the " + cookie
                            + " cookie may not send form, multipart or text bodies");
        }
    }

    private static boolean hasBearer(Context ctx) {
        String authorization = ctx.header("Authorization");
        return authorization != null && !authorization.isBlank();
    }

    private boolean hasCookie(Context ctx) {
        String value = ctx.cookie(cookie);
        return value != null && !value.isBlank();
    }

    private static boolean hasBody(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null
                || ctx.header("Content-Type") != null;
    }

    /** {@code application/json} or any {@code …+json}, with or without parameters. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private ApiException refused(boolean byCookie, String why) {
        String what = byCookie ? "this request carries the " + cookie + " cookie but " + why
                + "; the cookie acts only for this server's own pages" : "sign-in comes from another site (" + why
                + "); sign in on this server's own page";
        return new ApiException(403, "cross_site_request", "refused: " + what
                + " (other clients: send Authorization: Bearer <token>, and no Origin)");
    }
}
