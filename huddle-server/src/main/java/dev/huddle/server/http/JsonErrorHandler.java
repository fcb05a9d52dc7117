package dev.huddle.server.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * X6: the answers Jetty gives on its own — a request it cannot parse (a {@code %00} in the path, a bad
 * header, a URI or head over 8 KiB, an unknown HTTP version), a body that arrived too slowly, a request
 * refused while the server shuts down — in the API's error shape, whatever the method and
 * {@code Accept}. Messages are ours, one per status: Jetty's reasons ("Illegal character SPACE=' '")
 * describe its parser, not the client's mistake. The WebSocket upgrade's own refusals (401, 403, 429) keep
 * their code and message.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final Map<Integer, String[]> KNOWN = Map.of(
            400, new String[] {"bad_request", "the request is malformed: check its path, headers and framing"},
            408, new String[] {"request_timeout", "the request took too long to arrive"},
            413, new String[] {"payload_too_large", "the request body is too large"},
            414, new String[] {"uri_too_long", "the request URI is too long (the whole request head may be at most 8 KiB)"},
            431, new String[] {"headers_too_large", "the request headers are too large (the whole request head may be at most 8 KiB)"},
            500, new String[] {"internal", "internal server error"},
            503, new String[] {"unavailable", "the server is shutting down; try again shortly"},
            505, new String[] {"http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served"});

    /** A refusal of our own code, sent as {@code sendError(status, "code: message")} (the WebSocket upgrade's). */
    private static final Pattern OWN = Pattern.compile("([a-z][a-z_]{2,40}): (.+)", Pattern.DOTALL);

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
            Callback callback) throws IOException {
        String[] known = KNOWN.get(status);
        String code = known != null ? known[0] : "http_" + status;
        String text = known != null ? known[1] : HttpStatus.getMessage(status);
        var own = message == null ? null : OWN.matcher(message);
        if (known == null && own != null && own.matches()) {
            code = own.group(1); // the WebSocket upgrade's own refusals: "too_many_connections: at most 8 …"
            text = own.group(2);
        }
        SecurityHeaders.apply(response.getHeaders(), request.getHttpURI() == null ? null : request.getHttpURI().getPath());
        byte[] body = Json.MAPPER.writeValueAsBytes(ErrorBody.of(code, text));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
