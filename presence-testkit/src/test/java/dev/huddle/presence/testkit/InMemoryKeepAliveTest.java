package dev.huddle.presence.testkit;

import dev.huddle.presence.DataMerger;
import dev.huddle.presence.PresenceStore;
import dev.huddle.presence.store.InMemoryPresenceStore;

/** The keep-alive suite on the in-memory store: node B is a second engine on the same store. */
class InMemoryKeepAliveTest extends KeepAliveSuite {
    @Override
    protected PresenceStore newStore(DataMerger merger, int changeLogCapacity) {
        return new InMemoryPresenceStore(merger, changeLogCapacity);
    }

    @Override
    protected PresenceStore peerOf(PresenceStore first) {
        return first;
    }
}
