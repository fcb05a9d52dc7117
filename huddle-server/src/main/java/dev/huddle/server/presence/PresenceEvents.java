package dev.huddle.server.presence;

import dev.huddle.presence.Change;
import dev.huddle.presence.ChangeKind;
import dev.huddle.presence.ChangeListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * H7: one structured log line and one counter increment per join and leave. The engine calls
 * {@link #onChange} under the room lock, so this only bumps a counter and queues the line; a named
 * daemon thread writes the logs. When the queue is full a line is dropped (and counted) rather than
 * slowing the engine.
 */
public final class PresenceEvents implements ChangeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("huddle.presence.events");
    private static final int QUEUE = 10_000;

    private final Counter joins;
    private final Counter leaves;
    private final Counter dropped;
    private final BlockingQueue<Change> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;

    /**
     * @param clusterWide whether this node sees every change of a store shared by several nodes (cluster
     *     mode): its counts are then the cluster's, tagged {@code scope="cluster"} — the same on every
     *     node, so take one node's (or the max), never the sum; else {@code scope="node"}
     */
    public PresenceEvents(MeterRegistry registry, boolean clusterWide) {
        String scope = clusterWide ? "cluster" : "node";
        this.joins = Counter.builder("presence.joins").tag("scope", scope)
                .description("Users who came online in a room (P3)").register(registry);
        this.leaves = Counter.builder("presence.leaves").tag("scope", scope)
                .description("Users who went offline in a room (P7)").register(registry);
        this.dropped = Counter.builder("presence.event.log.dropped").description("Join/leave log lines dropped").register(registry);
        this.writer = new Thread(this::writeLoop, "presence-event-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void onChange(Change change) {
        if (change.kind() == ChangeKind.JOIN) {
            joins.increment();
        } else if (change.kind() == ChangeKind.LEAVE) {
            leaves.increment();
        } else {
            return;
        }
        if (!queue.offer(change)) {
            dropped.increment();
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                log(queue.take());
            }
        } catch (InterruptedException e) {
            Change c;
            while ((c = queue.poll()) != null) {
                log(c);
            }
        }
    }

    private static void log(Change c) {
        try {
            String event = c.kind() == ChangeKind.JOIN ? "presence.join" : "presence.leave";
            if (c.kind() == ChangeKind.JOIN) {
                LOG.info("event={} room={} user={} seq={}", event, c.roomId(), c.entry().userId(), c.seq());
            } else {
                LOG.info("event={} room={} user={} seq={} lastDisconnected={}", event, c.roomId(),
                        c.entry().userId(), c.seq(), c.entry().lastDisconnected());
            }
        } catch (RuntimeException e) {
            // a broken appender must not stop the writer
        }
    }

    @Override
    public void close() {
        writer.interrupt();
    }
}
