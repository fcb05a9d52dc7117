package dev.huddle.server.support;

import java.time.Duration;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A minimal WebSocket client on a plain socket with a tiny receive buffer, for tests that need a
 * client which truly stops reading (the JDK client may buffer on its own): it performs a real
 * upgrade, sends masked text frames, and reads frames only when asked.
 */
public final class RawWsClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A frame from the server: opcode and payload. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawWsClient(int port, String token, int receiveBuffer) throws IOException {
        this(port, token, receiveBuffer, null, "");
    }

    /**
     * Connects from {@code local} (any 127.x.y.z works on Linux's loopback; null: the default), with
     * {@code extraHeaders} (each line ending in CRLF). A refused upgrade throws {@link Refused}.
     */
    public RawWsClient(int port, String token, int receiveBuffer, InetAddress local, String extraHeaders) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        String req = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + extraHeaders + "\r\n";
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            String body = "";
            var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            if (m.find()) {
                byte[] b = new byte[Integer.parseInt(m.group(1))];
                in.readFully(b);
                body = new String(b, StandardCharsets.UTF_8);
            }
            socket.close();
            throw new Refused(Integer.parseInt(head.substring(9, 12)), head, body);
        }
    }

    /** The client's end of the connection: its local port. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** The server refused the upgrade: its status, head and body. */
    public static final class Refused extends IOException {
        public final int status;
        public final String head;
        public final String body;

        Refused(int status, String head, String body) {
            super("upgrade refused: " + head + body);
            this.status = status;
            this.head = head;
            this.body = body;
        }
    }

    /** Sends one masked text frame. */
    public void sendText(String text) throws IOException {
        sendFrame(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked ping frame carrying {@code payload} (at most 125 bytes). */
    public void sendPing(byte[] payload) throws IOException {
        sendFrame(0x89, payload);
    }

    /** Sends one masked frame: {@code head} is its first byte (FIN and opcode). */
    public void sendFrame(int head, byte[] p) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(head);
        if (p.length < 126) {
            f.write(0x80 | p.length);
        } else {
            f.write(0x80 | 126);
            f.write(p.length >> 8);
            f.write(p.length & 0xff);
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < p.length; i++) {
            f.write(p[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** How long a read waits for the server before it throws {@link java.net.SocketTimeoutException} (10 s unless set). */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /**
     * Reads the next message (blocking, 10 s timeout): a control frame, or a whole text or binary
     * message with its continuation frames joined (the server fragments large ones); control frames
     * that arrive between fragments are dropped.
     */
    public Frame readFrame() throws IOException {
        Frame first = readOneFrame();
        if (first.opcode() >= 8 || lastFin) {
            return first;
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.write(first.payload());
        while (true) {
            Frame next = readOneFrame();
            if (next.opcode() == 0) {
                all.write(next.payload());
                if (lastFin) {
                    return new Frame(first.opcode(), all.toByteArray());
                }
            }
        }
    }

    /** Reads past every message until the server's close frame, and returns its status code. */
    public int readCloseCode() throws IOException {
        while (true) {
            Frame f = readFrame();
            if (f.opcode() == 8) {
                return f.closeCode();
            }
        }
    }

    private boolean lastFin;

    private Frame readOneFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        lastFin = (b0 & 0x80) != 0;
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed during upgrade: " + sb);
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
