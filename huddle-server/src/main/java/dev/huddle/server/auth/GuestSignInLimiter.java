package dev.huddle.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.config.HttpSettings;
import dev.huddle.server.http.ApiException;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * X2: guest sign-ins are free identities, so they are rationed — per client address per minute, and
 * for the whole server per minute. Each is a Bucket4j token bucket refilled greedily (the per-minute
 * allowance trickles back evenly, a burst up to the allowance is fine).
 *
 * <p>Per-address buckets live in a Caffeine cache bounded to {@link #MAX_ADDRESSES} entries, so a
 * stranger with many addresses cannot grow it without bound. Forgetting a bucket is harmless: one idle
 * for a minute is full again, which is exactly what a new bucket is (hence expiry one minute after
 * last use); one evicted early by a flood of new addresses starts full, and the total bucket still
 * caps what that flood gets. The address is checked first, so an address over its allowance never
 * spends the total that everyone else shares.
 */
public final class GuestSignInLimiter {
    /** Most client addresses remembered at once. */
    public static final int MAX_ADDRESSES = 10_000;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final int perAddress;
    private final Bucket total;
    private final Cache<String, Bucket> byAddress;
    private final TimeMeter meter;
    private final Counter refusedAddress;
    private final Counter refusedTotal;

    public GuestSignInLimiter(HttpSettings settings, TimeSource time, MeterRegistry metrics) {
        this.perAddress = settings.guestSignInsPerAddressPerMinute();
        this.meter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return TimeUnit.MILLISECONDS.toNanos(time.millis());
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        this.total = bucket(settings.guestSignInsPerMinute());
        this.byAddress = Caffeine.newBuilder()
                .maximumSize(MAX_ADDRESSES)
                .expireAfterAccess(MINUTE)
                .ticker(meter::currentTimeNanos)
                .executor(Runnable::run)
                .build();
        this.refusedAddress = Counter.builder("huddle_guest_sign_ins_refused").tag("limit", "address")
                .description("Guest sign-ins refused with 429 (X2)").register(metrics);
        this.refusedTotal = Counter.builder("huddle_guest_sign_ins_refused").tag("limit", "total")
                .description("Guest sign-ins refused with 429 (X2)").register(metrics);
    }

    /** Takes one sign-in for {@code address}; 429 {@code rate_limited} with {@code Retry-After} when none is left. */
    public void acquire(String address) {
        Bucket mine = byAddress.get(address, a -> bucket(perAddress));
        ConsumptionProbe p = mine.tryConsumeAndReturnRemaining(1);
        if (!p.isConsumed()) {
            refusedAddress.increment();
            throw ApiException.rateLimited("too many guest sign-ins from your address: at most " + perAddress
                    + " a minute; try again later", seconds(p.getNanosToWaitForRefill()));
        }
        ConsumptionProbe all = total.tryConsumeAndReturnRemaining(1);
        if (!all.isConsumed()) {
            mine.addTokens(1); // the server is busy, not this address: give its sign-in back
            refusedTotal.increment();
            throw ApiException.rateLimited("too many guest sign-ins on this server right now; try again later",
                    seconds(all.getNanosToWaitForRefill()));
        }
    }

    /** How many client addresses are remembered now (at most {@link #MAX_ADDRESSES}). */
    public long addresses() {
        byAddress.cleanUp();
        return byAddress.estimatedSize();
    }

    private Bucket bucket(int perMinute) {
        return Bucket.builder().addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, MINUTE))
                .withCustomTimePrecision(meter).build();
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
