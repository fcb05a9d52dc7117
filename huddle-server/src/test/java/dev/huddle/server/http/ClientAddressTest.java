package dev.huddle.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** X2: the client address, scheme and host come from the connection unless its peer is a trusted proxy. */
class ClientAddressTest {
    private static final ClientAddress BEHIND_PROXY = new ClientAddress(List.of("10.0.0.0/8", "fd00::/8", "192.0.2.7"));

    /** A request from {@code peer} with these headers (several lines of one header joined by "\n"). */
    private static HttpServletRequest request(String peer, boolean secure, Map<String, String> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(ClientAddressTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRemoteAddr" -> peer;
                    case "isSecure" -> secure;
                    case "getHeader" -> {
                        String v = headers.get((String) args[0]);
                        yield v == null ? null : v.split("\n")[0];
                    }
                    case "getHeaders" -> {
                        String v = headers.get((String) args[0]);
                        yield Collections.enumeration(v == null ? List.of() : List.of(v.split("\n")));
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    @DisplayName("an untrusted peer's forged X-Forwarded-For, Forwarded, X-Forwarded-Proto and X-Forwarded-Host are ignored")
    void forgedHeadersFromUntrustedPeersAreIgnored() {
        HttpServletRequest forged = request("203.0.113.9", false, Map.of(
                "X-Forwarded-For", "1.2.3.4", "Forwarded", "for=5.6.7.8;proto=https;host=evil.example",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example", "Host", "huddle.example"));
        assertThat(BEHIND_PROXY.address(forged)).isEqualTo("203.0.113.9");
        assertThat(BEHIND_PROXY.https(forged)).isFalse();
        assertThat(BEHIND_PROXY.host(forged)).isEqualTo("huddle.example");
        assertThat(ClientAddress.DIRECT.address(request("10.1.1.1", false, Map.of("X-Forwarded-For", "1.2.3.4"))))
                .as("with no trusted proxy configured, even a private peer is the client").isEqualTo("10.1.1.1");
    }

    @Test
    @DisplayName("behind a trusted proxy: the rightmost untrusted X-Forwarded-For hop; the client's own prefix is ignored")
    void rightmostUntrustedHop() {
        assertThat(BEHIND_PROXY.address(request("10.0.0.2", false, Map.of("X-Forwarded-For", "198.51.100.1"))))
                .isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXY.address(request("10.0.0.2", false,
                Map.of("X-Forwarded-For", "6.6.6.6, 198.51.100.1, 10.0.0.5")))).as("forged 6.6.6.6, then two real hops")
                .isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXY.address(request("10.0.0.2", false,
                Map.of("X-Forwarded-For", "6.6.6.6\n198.51.100.1")))).as("two header lines count in order")
                .isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXY.address(request("10.0.0.2", false, Map.of("X-Forwarded-For", "10.0.0.9, 10.0.0.5"))))
                .as("every hop trusted: the farthest").isEqualTo("10.0.0.9");
        assertThat(BEHIND_PROXY.address(request("10.0.0.2", false, Map.of()))).as("no header: the proxy itself")
                .isEqualTo("10.0.0.2");
    }

    @Test
    @DisplayName("bad hops (unknown, a name, 999.1.1.1, an empty entry) stop the walk at the last known address, never a DNS lookup")
    void garbageHops() {
        for (String bad : List.of("unknown", "evil.example", "999.1.1.1", "", "1.2.3", "::g")) {
            assertThat(BEHIND_PROXY.address(request("10.0.0.2", false, Map.of("X-Forwarded-For", bad + ", 10.0.0.5"))))
                    .as(bad).isEqualTo("10.0.0.5");
        }
    }

    @Test
    @DisplayName("Forwarded (RFC 7239) when there is no X-Forwarded-For: quoted IPv6 with a port, IPv4 with a port, proto, host")
    void forwardedHeader() {
        HttpServletRequest r = request("10.0.0.2", false, Map.of(
                "Forwarded", "for=\"[2001:db8::1]:4711\";proto=https;host=huddle.example, for=10.0.0.3", "Host", "internal:8080"));
        assertThat(BEHIND_PROXY.address(r)).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(BEHIND_PROXY.https(r)).isTrue();
        assertThat(BEHIND_PROXY.host(r)).isEqualTo("huddle.example");
        assertThat(BEHIND_PROXY.address(request("10.0.0.2", false, Map.of("Forwarded", "for=198.51.100.1:5555"))))
                .isEqualTo("198.51.100.1");
    }

    @Test
    @DisplayName("scheme and host from a trusted proxy: X-Forwarded-Proto https, X-Forwarded-Host; https directly is https")
    void schemeAndHost() {
        HttpServletRequest r = request("192.0.2.7", false, Map.of("X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "huddle.example", "Host", "backend:8080"));
        assertThat(BEHIND_PROXY.https(r)).isTrue();
        assertThat(BEHIND_PROXY.host(r)).isEqualTo("huddle.example");
        assertThat(BEHIND_PROXY.https(request("192.0.2.7", false, Map.of("X-Forwarded-Proto", "http")))).isFalse();
        assertThat(ClientAddress.DIRECT.https(request("203.0.113.9", true, Map.of()))).isTrue();
    }

    @Test
    @DisplayName("IPv6 peers are normalised, so ::1 and its long form are one address")
    void ipv6Normalised() {
        assertThat(ClientAddress.DIRECT.address(request("::1", false, Map.of())))
                .isEqualTo(ClientAddress.DIRECT.address(request("0:0:0:0:0:0:0:1", false, Map.of())));
        assertThat(ClientAddress.DIRECT.address(request("[::1]", false, Map.of()))).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(BEHIND_PROXY.address(request("fd00::5", false, Map.of("X-Forwarded-For", "2001:db8::7"))))
                .isEqualTo("2001:db8:0:0:0:0:0:7");
    }

    @Test
    @DisplayName("trusted-proxy entries must be IP literals or CIDR ranges: names, bad prefixes and brackets are refused")
    void entries() {
        assertThat(ClientAddress.problem("10.0.0.0/8")).isNull();
        assertThat(ClientAddress.problem("::1")).isNull();
        assertThat(ClientAddress.problem("fd00::/8")).isNull();
        assertThat(ClientAddress.problem("proxy.internal")).contains("names are not resolved");
        assertThat(ClientAddress.problem("10.0.0.0/33")).contains("0…32");
        assertThat(ClientAddress.problem("10.0.0.0/x")).contains("whole number");
        assertThat(ClientAddress.problem("[::1]")).isNotNull();
        assertThat(ClientAddress.problem("300.1.1.1")).isNotNull();
        assertThatThrownBy(() -> new ClientAddress(List.of("proxy.internal"))).isInstanceOf(IllegalArgumentException.class);
    }
}
