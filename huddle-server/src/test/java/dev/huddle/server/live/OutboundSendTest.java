package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** S4, X1: how a socket's changes go out: at once from the fan-out when the socket is idle, queued in order otherwise. */
class OutboundSendTest {
    /** A socket that records what it is sent, by which thread, and completes each send when told to (or at once). */
    static final class FakeSocket implements Wire {
        final List<String> texts = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final List<Sent> pending = new ArrayList<>();
        volatile boolean completeAtOnce;

        @Override
        public void sendText(SharedBytes bytes, boolean first, boolean fin, Sent done) {
            synchronized (this) {
                texts.add(StandardCharsets.UTF_8.decode(bytes.view()).toString());
                threads.add(Thread.currentThread());
                if (!completeAtOnce) {
                    pending.add(done);
                    return;
                }
            }
            done.sent();
        }

        @Override
        public void ping(ByteBuffer payload) {
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public void abort() {
        }

        @Override
        public void demand() {
        }

        @Override
        public boolean isOutputOpen() {
            return true;
        }

        /** Completes the oldest send still waiting for the client. */
        void completeOne() {
            Sent c;
            synchronized (this) {
                c = pending.remove(0);
            }
            c.sent();
        }

        /** Completes the oldest send still waiting for the client, if any. */
        void completeIfAny() {
            Sent c;
            synchronized (this) {
                c = pending.isEmpty() ? null : pending.remove(0);
            }
            if (c != null) {
                c.sent();
            }
        }

        synchronized boolean hasPending() {
            return !pending.isEmpty();
        }

        synchronized List<String> texts() {
            return List.copyOf(texts);
        }
    }

    /** Runs hand-offs at once, on the caller's thread, and counts them. */
    static final class CountingExecutor implements Executor {
        final AtomicInteger handOffs = new AtomicInteger();

        @Override
        public void execute(Runnable r) {
            handOffs.incrementAndGet();
            r.run();
        }
    }

    private final FakeSocket socket = new FakeSocket();
    private final CountingExecutor pool = new CountingExecutor();
    private final OutboundBudget budget = new OutboundBudget(1 << 20);
    private final AtomicInteger overflows = new AtomicInteger();

    private Outbound outbound(int limit) {
        return new Outbound(socket, limit, budget, pool, overflows::incrementAndGet, () -> { }, () -> { });
    }

    private static SharedBytes change(String text) {
        return new SharedBytes(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("a change for an idle socket is written by the fan-out's own thread, with no hand-off to the sender pool")
    void idleSocketIsWrittenInline() {
        socket.completeAtOnce = true;
        Outbound out = outbound(8);
        for (int i = 1; i <= 3; i++) {
            assertThat(out.offerChange("r", change("c" + i))).isTrue();
        }
        assertThat(socket.texts()).containsExactly("c1", "c2", "c3");
        assertThat(socket.threads).allMatch(t -> t == Thread.currentThread());
        assertThat(pool.handOffs).hasValue(0);
        assertThat(out.queuedBytes()).isZero();
        assertThat(budget.used()).as("X1: nothing held once sent").isZero();
    }

    @Test
    @DisplayName("S4: changes offered while a frame waits for the client are queued and go out after it, in order, from the pool")
    void busySocketQueuesInOrder() {
        Outbound out = outbound(8);
        assertThat(out.offerChange("r", change("c1"))).isTrue();
        assertThat(budget.used()).as("X1: the frame in flight is charged").isEqualTo(2);
        assertThat(out.offerChange("r", change("c2"))).isTrue();
        out.reply("reply");
        assertThat(out.offerChange("r", change("c3"))).isTrue();
        assertThat(socket.texts()).containsExactly("c1");
        assertThat(pool.handOffs).hasValue(0);

        socket.completeOne();
        assertThat(pool.handOffs).as("the client's completion hands the backlog to the pool").hasValue(1);
        while (socket.hasPending()) {
            socket.completeOne();
        }
        assertThat(socket.texts()).containsExactly("c1", "c2", "reply", "c3");
        assertThat(budget.used()).isZero();

        assertThat(out.offerChange("r", change("c4"))).isTrue();
        assertThat(socket.texts()).as("idle again: written at once").endsWith("c4");
    }

    @Test
    @DisplayName("S4: a socket whose queue is at its bound refuses a change (its subscription resyncs); the frame in flight does not count")
    void fullQueueRefuses() {
        Outbound out = outbound(2);
        assertThat(out.offerChange("r", change("c1"))).isTrue();
        assertThat(out.offerChange("r", change("c2"))).isTrue();
        assertThat(out.offerChange("r", change("c3"))).isTrue();
        assertThat(out.offerChange("r", change("c4"))).isFalse();
        assertThat(out.size()).isEqualTo(2);
        assertThat(overflows).hasValue(0);
    }

    @Test
    @DisplayName("X1: a change the server's budget has no room for is refused, and nothing is sent")
    void overBudgetRefuses() {
        OutboundBudget tiny = new OutboundBudget(4);
        Outbound out = new Outbound(socket, 8, tiny, pool, () -> { }, () -> { }, () -> { });
        assertThat(out.offerChange("r", change("too big"))).isFalse();
        assertThat(socket.texts()).isEmpty();
        assertThat(tiny.used()).isZero();
    }

    @Test
    @DisplayName("a closed socket drops a change in flight and ignores later ones")
    void closedSocketIgnoresChanges() {
        Outbound out = outbound(8);
        out.offerChange("r", change("c1"));
        out.close();
        assertThat(budget.used()).isZero();
        socket.completeOne();
        assertThat(out.offerChange("r", change("c2"))).isTrue();
        assertThat(socket.texts()).containsExactly("c1");
    }
}
