package dev.huddle.server.http;

import dev.huddle.server.config.ServerConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies with the 64 KiB cap: a larger body is 413 {@code payload_too_large}, unread. */
public final class Bodies {
    /** Bodies up to this size are read to the end before a 413, so ordinary clients see the answer. */
    private static final long DRAIN_LIMIT = 1024 * 1024;

    private Bodies() {
    }

    /** The raw body, at most {@link ServerConfig#MAX_BODY_BYTES}. */
    public static byte[] read(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > DRAIN_LIMIT) {
            throw tooLarge(); // not worth reading; the connection is closed after the response
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(ServerConfig.MAX_BODY_BYTES + 1);
            if (bytes.length > ServerConfig.MAX_BODY_BYTES) {
                // Read the rest (up to a bound) so the client gets the 413 rather than a broken pipe.
                byte[] sink = new byte[8192];
                long drained = bytes.length;
                int n;
                while (drained < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
                    drained += n;
                }
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new ApiException(400, "malformed_request", "the request body could not be read");
        }
    }

    /** The body as one JSON object of arguments. */
    public static Args jsonArgs(Context ctx) {
        return new Args(Json.object(read(ctx)));
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "payload_too_large",
                "the request body exceeds " + ServerConfig.MAX_BODY_BYTES + " bytes");
    }
}
