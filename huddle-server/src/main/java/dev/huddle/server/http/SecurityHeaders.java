package dev.huddle.server.http;

import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * X5: the headers every response carries, set at the Jetty level so pages, static files, the API, the
 * WebSocket upgrade and Jetty's own error answers all get them (the security defaults Spring Security
 * turns on). The pages have no inline script or style, so the policy allows scripts and styles from
 * this origin only; avatars may come from any http(s) host; nothing may frame a page.
 */
public final class SecurityHeaders extends Handler.Wrapper {
    /** The Content-Security-Policy of every response. */
    public static final String CSP = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: http: https:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        apply(response.getHeaders(), request.getHttpURI().getPath());
        return super.handle(request, response, callback);
    }

    /** The headers every answer carries, by name (the socket port's refusals too). */
    public static final Map<String, String> HEADERS = Map.of("Content-Security-Policy", CSP, "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY", "Referrer-Policy", "same-origin");

    /** Puts the headers on {@code headers}; API answers are also never cached (they carry tokens). */
    public static void apply(HttpFields.Mutable headers, String path) {
        HEADERS.forEach(headers::put);
        if (path != null && path.startsWith("/api/")) {
            headers.put("Cache-Control", "no-store");
        }
    }
}
