package dev.huddle.server.auth;

import dev.huddle.presence.TimeSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Adapts the server's {@link TimeSource} to the {@link Clock} the JWT library reads. */
final class Clocks {
    private Clocks() {
    }

    static Clock of(TimeSource time) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(time.millis());
            }
        };
    }
}
