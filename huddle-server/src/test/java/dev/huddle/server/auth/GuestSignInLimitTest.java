package dev.huddle.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.config.HttpSettings;
import dev.huddle.server.support.Api;
import dev.huddle.server.support.StoredRows;
import dev.huddle.server.support.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** X2: guest sign-ins are rationed per client address per minute and in total; refusals are 429 with Retry-After. */
@Timeout(60)
class GuestSignInLimitTest {
    @TempDir
    Path dir;

    static Api.Response signIn(TestServer t, String forwardedFor) {
        Map<String, String> headers = forwardedFor == null ? Map.of() : Map.of("X-Forwarded-For", forwardedFor);
        return t.api.send("POST", "/api/auth/guest", headers, "application/json", "{\"displayName\":\"Guest\"}");
    }

    @Test
    @DisplayName("a burst over the per-address allowance → 429 rate_limited with Retry-After, nothing stored; it refills with time")
    void perAddress() {
        ManualClock clock = new ManualClock(TestServer.T0);
        try (TestServer t = new TestServer(dir, clock, c -> c.withHttp(c.http().withGuestSignIns(3, 600)))) {
            for (int i = 0; i < 3; i++) {
                assertThat(signIn(t, null).status()).isEqualTo(200);
            }
            String before = StoredRows.of(dir);
            Api.Response refused = signIn(t, null);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("rate_limited");
            assertThat(refused.json().get("error").get("message").asText()).contains("your address").contains("3 a minute");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
            assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(StoredRows.of(dir)).isEqualTo(before);

            clock.advance(19_000);
            assertThat(signIn(t, null).headers().firstValue("Retry-After")).hasValue("1");
            clock.advance(1_000);
            assertThat(signIn(t, null).status()).as("one sign-in back after 20 s (3 a minute)").isEqualTo(200);
            assertThat(signIn(t, null).status()).isEqualTo(429);
            assertThat(t.server.metrics().scrape()).contains("huddle_guest_sign_ins_refused_total{limit=\"address\"} 3.0");
        }
    }

    @Test
    @DisplayName("a bad request (an invisible name, a broken body) costs no sign-in")
    void badInputIsFree() {
        try (TestServer t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withHttp(c.http().withGuestSignIns(1, 600)))) {
            for (int i = 0; i < 5; i++) {
                assertThat(t.api.post("/api/auth/guest", null, Map.of("displayName", "\u200B")).status()).isEqualTo(400);
                assertThat(t.api.post("/api/auth/guest", null, "{").status()).isEqualTo(400);
            }
            assertThat(signIn(t, null).status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("forged X-Forwarded-For from an untrusted client is ignored: still one address, still refused")
    void forgedForwardedForIsIgnored() {
        try (TestServer t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withHttp(c.http().withGuestSignIns(2, 600)))) {
            assertThat(signIn(t, "198.51.100.1").status()).isEqualTo(200);
            assertThat(signIn(t, "198.51.100.2").status()).isEqualTo(200);
            assertThat(signIn(t, "198.51.100.3").status()).isEqualTo(429);
        }
    }

    @Test
    @DisplayName("behind a trusted proxy each forwarded address has its own allowance, and the total caps them all")
    void perForwardedAddressAndTotal() {
        try (TestServer t = new TestServer(dir, new ManualClock(TestServer.T0), c -> c.withHttp(c.http()
                .withTrustedProxies(List.of("127.0.0.1", "::1")).withGuestSignIns(2, 5)))) {
            assertThat(signIn(t, "198.51.100.1").status()).isEqualTo(200);
            assertThat(signIn(t, "198.51.100.1").status()).isEqualTo(200);
            assertThat(signIn(t, "198.51.100.1").status()).as("that address is spent").isEqualTo(429);
            assertThat(signIn(t, "6.6.6.6, 198.51.100.1").status()).as("a forged prefix does not help").isEqualTo(429);
            assertThat(signIn(t, "198.51.100.2").status()).as("another address is not").isEqualTo(200);
            assertThat(signIn(t, "198.51.100.3").status()).isEqualTo(200);
            assertThat(signIn(t, "198.51.100.4").status()).isEqualTo(200);
            Api.Response total = signIn(t, "198.51.100.5");
            assertThat(total.status()).as("the sixth sign-in of the minute on the server").isEqualTo(429);
            assertThat(total.json().get("error").get("message").asText()).contains("on this server");
            assertThat(total.headers().firstValue("Retry-After")).isPresent();
            assertThat(signIn(t, "198.51.100.5").status()).as("the refused address lost nothing: still refused by the total only")
                    .isEqualTo(429);
        }
    }

    @Test
    @DisplayName("many addresses cannot grow the limiter's memory past its bound")
    void boundedAddresses() {
        ManualClock clock = new ManualClock(TestServer.T0);
        GuestSignInLimiter limiter = new GuestSignInLimiter(HttpSettings.DEFAULTS.withGuestSignIns(1, 10_000_000), clock,
                new SimpleMeterRegistry());
        for (int i = 0; i < 3 * GuestSignInLimiter.MAX_ADDRESSES; i++) {
            limiter.acquire("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        assertThat(limiter.addresses()).isLessThanOrEqualTo(GuestSignInLimiter.MAX_ADDRESSES);
        clock.advance(61_000);
        limiter.acquire("192.0.2.1");
        assertThat(limiter.addresses()).as("a minute idle forgets an address (its bucket would be full again)").isEqualTo(1);
    }
}
