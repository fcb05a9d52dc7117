package dev.huddle.server.http;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Who is at the other end of a request: the client's address, whether it came over https, and the host
 * it asked for. Read from the connection itself, unless the connection's peer is one of the configured
 * trusted proxies ({@code HUDDLE_TRUSTED_PROXIES}, none by default): only then are the proxy's headers
 * believed. A client that is not a trusted proxy can write any {@code X-Forwarded-For} it likes; it is
 * ignored, so nobody can borrow another address to dodge a per-address limit.
 *
 * <p>The address is the rightmost hop of {@code X-Forwarded-For} (or, without it, of RFC 7239
 * {@code Forwarded: for=}) that is not itself a trusted proxy: each proxy appends the peer it saw, so
 * everything left of the last untrusted hop was written by the client and is worthless. Values are
 * taken only as IP literals; nothing here ever resolves a name.
 *
 * <p>Works on a servlet request, so the same instance serves Javalin handlers ({@link #address(Context)})
 * and the WebSocket upgrade ({@code JettyServerUpgradeRequest.getHttpServletRequest()}). Thread-safe.
 */
public final class ClientAddress {
    /** Believes no proxy: every request's client is its connection's peer. */
    public static final ClientAddress DIRECT = new ClientAddress(List.of());

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private final InetAddressSet trusted = new InetAddressSet();

    /** @param trustedProxies IP addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}); see {@link #problem} */
    public ClientAddress(List<String> trustedProxies) {
        for (String p : trustedProxies) {
            String why = problem(p);
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
            trusted.add(p.strip());
        }
    }

    /** Why {@code pattern} is not a trusted-proxy entry (an IP literal or a CIDR range), or null if it is one. */
    public static String problem(String pattern) {
        String p = pattern.strip();
        int slash = p.indexOf('/');
        String address = slash < 0 ? p : p.substring(0, slash);
        InetAddress a = literal(address);
        if (a == null || address.startsWith("[")) {
            return "'" + pattern + "' is not an IP address or a CIDR range like 10.0.0.0/8 (names are not resolved)";
        }
        if (slash >= 0) {
            int max = a.getAddress().length * 8;
            try {
                int bits = Integer.parseInt(p.substring(slash + 1));
                if (bits < 0 || bits > max) {
                    return "'" + pattern + "': the prefix length must lie in 0…" + max;
                }
            } catch (NumberFormatException e) {
                return "'" + pattern + "': the prefix length must be a whole number";
            }
        }
        return null;
    }

    /** A request's header lines by name, every line in order (empty when absent); for requests that are not servlet requests. */
    public interface Headers {
        List<String> all(String name);
    }

    /** The client's address, normalised (IPv6 in full form). */
    public String address(HttpServletRequest req) {
        return address(req.getRemoteAddr(), name -> Collections.list(req.getHeaders(name)));
    }

    /** The client's address for a request from {@code remoteAddr} (the connection's peer) with {@code headers}. */
    public String address(String remoteAddr, Headers headers) {
        InetAddress peer = literal(remoteAddr);
        if (peer == null) {
            return remoteAddr; // a Unix socket or the like: nothing to normalise
        }
        if (!trusted.test(peer)) {
            return peer.getHostAddress();
        }
        InetAddress nearest = peer;
        List<String> hops = forwardedFor(headers);
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                break; // garbage or "unknown" where a proxy should have written an address: stop at the last known one
            }
            nearest = hop;
            if (!trusted.test(hop)) {
                break;
            }
        }
        return nearest.getHostAddress();
    }

    public String address(Context ctx) {
        return address(ctx.req());
    }

    /** True when the client reached us over https: directly, or per a trusted proxy's {@code X-Forwarded-Proto}. */
    public boolean https(HttpServletRequest req) {
        if (req.isSecure()) {
            return true;
        }
        if (!fromTrustedProxy(req)) {
            return false;
        }
        String proto = first(req.getHeader("X-Forwarded-Proto"));
        if (proto == null) {
            proto = forwardedParameter(req, "proto");
        }
        return "https".equalsIgnoreCase(proto);
    }

    public boolean https(Context ctx) {
        return https(ctx.req());
    }

    /** The host (and port) the client asked for: a trusted proxy's {@code X-Forwarded-Host}, else {@code Host}. */
    public String host(HttpServletRequest req) {
        if (fromTrustedProxy(req)) {
            String h = first(req.getHeader("X-Forwarded-Host"));
            if (h == null) {
                h = forwardedParameter(req, "host");
            }
            if (h != null) {
                return h;
            }
        }
        return req.getHeader("Host");
    }

    public String host(Context ctx) {
        return host(ctx.req());
    }

    private boolean fromTrustedProxy(HttpServletRequest req) {
        InetAddress peer = literal(req.getRemoteAddr());
        return peer != null && trusted.test(peer);
    }

    /** The hops of X-Forwarded-For, or else of Forwarded's {@code for=}, left to right, every header line in order. */
    private static List<String> forwardedFor(Headers headers) {
        List<String> hops = new ArrayList<>();
        for (String line : headers.all("X-Forwarded-For")) {
            for (String hop : line.split(",")) {
                hops.add(hop.strip());
            }
        }
        if (hops.isEmpty()) {
            for (String line : headers.all("Forwarded")) {
                for (String element : line.split(",")) {
                    String v = parameter(element, "for");
                    hops.add(v == null ? "" : v);
                }
            }
        }
        return hops;
    }

    /** A parameter of the first element of the first Forwarded header, unquoted; null if absent. */
    private static String forwardedParameter(HttpServletRequest req, String name) {
        String line = req.getHeader("Forwarded");
        return line == null ? null : parameter(line.split(",")[0], name);
    }

    private static String parameter(String element, String name) {
        for (String pair : element.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals(name)) {
                String v = pair.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    private static String first(String headerValue) {
        if (headerValue == null) {
            return null;
        }
        String v = headerValue.split(",")[0].strip();
        return v.isEmpty() ? null : v;
    }

    /**
     * The address an IP literal names, or null when {@code s} is not one. Accepts {@code 1.2.3.4},
     * {@code 1.2.3.4:port}, {@code ::1}, {@code [::1]} and {@code [::1]:port}. Never a DNS lookup: IPv4
     * is checked octet by octet first, and IPv6 goes to the JDK in brackets, which it parses or refuses.
     */
    static InetAddress literal(String s) {
        if (s == null) {
            return null;
        }
        String v = s.strip();
        if (v.startsWith("[")) {
            int end = v.indexOf(']');
            if (end < 0) {
                return null;
            }
            v = v.substring(1, end);
        } else if (v.indexOf(':') > 0 && v.indexOf(':') == v.lastIndexOf(':') && v.indexOf('.') > 0) {
            v = v.substring(0, v.indexOf(':')); // IPv4 with a port
        }
        var m = IPV4.matcher(v);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return null;
                }
            }
        } else if (v.indexOf(':') < 0 || !IPV6_CHARS.matcher(v).matches()) {
            return null;
        } else {
            v = "[" + v + "]";
        }
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
