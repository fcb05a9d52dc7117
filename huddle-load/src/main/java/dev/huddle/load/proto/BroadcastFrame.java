package dev.huddle.load.proto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one message every prototype fans out: a text frame of {@value #WIRE_BYTES} bytes on the wire,
 * as many as the floor ({@code scripts/floor/fanout-floor.c}) writes per socket and about a change
 * frame of the real server. Server-to-client frames are not masked, so the wire bytes are the same
 * for every socket and can be encoded once.
 */
final class BroadcastFrame {
    /** Header (4 bytes: FIN+text, 126, 16-bit length) and payload together. */
    static final int WIRE_BYTES = 260;
    static final int PAYLOAD_BYTES = WIRE_BYTES - 4;

    private BroadcastFrame() {
    }

    /** The payload: a change-shaped JSON text padded to {@link #PAYLOAD_BYTES}. */
    static byte[] payload() {
        byte[] p = new byte[PAYLOAD_BYTES];
        Arrays.fill(p, (byte) ' ');
        byte[] head = "{\"type\":\"change\",\"kind\":\"update\",\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, p, 0, head.length);
        p[PAYLOAD_BYTES - 2] = '"';
        p[PAYLOAD_BYTES - 1] = '}';
        return p;
    }

    /** The whole frame as it goes on the wire. */
    static byte[] wire() {
        byte[] w = new byte[WIRE_BYTES];
        w[0] = (byte) 0x81; // FIN, text
        w[1] = 126; // a 16-bit length follows
        w[2] = (byte) (PAYLOAD_BYTES >>> 8);
        w[3] = (byte) PAYLOAD_BYTES;
        System.arraycopy(payload(), 0, w, 4, PAYLOAD_BYTES);
        return w;
    }
}
