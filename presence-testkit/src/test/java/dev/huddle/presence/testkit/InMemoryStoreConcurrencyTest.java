package dev.huddle.presence.testkit;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.store.InMemoryPresenceStore;

class InMemoryStoreConcurrencyTest extends PresenceStoreConcurrencySuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return new InMemoryPresenceStore(merger, changeLogCapacity);
    }
}
