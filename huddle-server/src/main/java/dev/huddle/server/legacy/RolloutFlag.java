package dev.huddle.server.legacy;

import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.RolloutSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's rollout flag (L2): the mode it runs — {@code legacy}, {@code shadow} or {@code component}
 * — and whether the legacy table is retired, which leaves only {@code component}. A node starts in the
 * mode recorded in the database (a switch made through any node), else the configured one. Only
 * {@link RolloutSwitches} changes it; everything else reads it.
 */
final class RolloutFlag {
    // The rollout's events share one logger, the one docs/operations.md names.
    private static final Logger LOG = LoggerFactory.getLogger(LegacyPresence.class);

    private final AtomicReference<PresenceSource> source = new AtomicReference<>();
    private volatile boolean retired;

    /** @param retired whether the retirement migration had been applied when the server started */
    RolloutFlag(LegacyPresenceTable table, boolean retired, RolloutSettings settings, MeterRegistry metrics) {
        this.retired = retired;
        PresenceSource initial = retired ? PresenceSource.COMPONENT : table.recordedSource().orElse(settings.source());
        if (retired && settings.source() != PresenceSource.COMPONENT) {
            LOG.warn("event=presence_source_overridden configured={} effective=component reason=legacy_table_retired",
                    settings.source().wire());
        }
        source.set(initial);
        LOG.info("event=presence_source source={} configured={}", initial.wire(), settings.source().wire());
        Gauge.builder("presence.source", source, s -> s.get().ordinal())
                .description("The rollout flag: 0 legacy, 1 shadow, 2 component").register(metrics);
    }

    /** The mode this node runs now. */
    PresenceSource current() {
        return source.get();
    }

    /** Whether the legacy table is known to be retired. */
    boolean retired() {
        return retired;
    }

    /** Whether the legacy calls touch the table now: not in {@code component}, nor once it is retired. */
    boolean tableInUse() {
        return !retired && source.get().usesLegacyTable();
    }

    void set(PresenceSource next) {
        source.set(next);
    }

    void markRetired() {
        retired = true;
    }
}
