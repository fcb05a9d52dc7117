package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** H5 flags pacing: ordinary toggles apply at once; only a flickering flag is merged (docs/protocol.md). */
class FlagGateTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final List<Map<String, String>> applied = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final FlagGate gate = new FlagGate(10, 100, scheduler, applied::add, now::get);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static Map<String, String> speaking(boolean on) {
        return Map.of("isSpeaking", String.valueOf(on));
    }

    @Test
    @DisplayName("A speaker toggling twice within 100 ms is not delayed: both apply at once, in order")
    void quickRetoggleAppliesAtOnce() {
        gate.submit(speaking(true));
        now.addAndGet(40 * MS);
        gate.submit(speaking(false));
        assertThat(applied).containsExactly(speaking(true), speaking(false));
    }

    @Test
    @DisplayName("A flicker beyond the burst is merged into one update when the next token is due; latest value wins")
    void flickerIsMergedAfterTheBurst() {
        for (int i = 0; i < Pacer.BURST; i++) {
            gate.submit(speaking(i % 2 == 0));
        }
        assertThat(applied).hasSize(Pacer.BURST);
        gate.submit(Map.of("isRecording", "true"));
        gate.submit(speaking(true));
        gate.submit(speaking(false));
        // Nothing more applied on the caller's thread: the bucket is empty.
        assertThat(applied).hasSize(Pacer.BURST);
        await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == Pacer.BURST + 1);
        assertThat(applied.get(Pacer.BURST)).isEqualTo(Map.of("isRecording", "true", "isSpeaking", "false"));
    }

    @Test
    @DisplayName("The bucket refills at one token per window: after a quiet window, a toggle applies at once again")
    void bucketRefills() {
        for (int i = 0; i < Pacer.BURST; i++) {
            gate.submit(speaking(i % 2 == 0));
        }
        now.addAndGet(100 * MS);
        gate.submit(speaking(true));
        assertThat(applied).hasSize(Pacer.BURST + 1);
        gate.submit(speaking(false));
        assertThat(applied).hasSize(Pacer.BURST + 1);
    }

    @Test
    @DisplayName("Applications never overlap: a toggle sent while the previous one is being applied goes after it, so the last sent wins")
    void appliesInOrder() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Map<String, String>> order = new CopyOnWriteArrayList<>();
        FlagGate slow = new FlagGate(10, 100, scheduler, p -> {
            order.add(p);
            if (order.size() == 1) {
                inFirst.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, now::get);
        Thread first = new Thread(() -> slow.submit(speaking(true)));
        first.start();
        assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
        slow.submit(speaking(false)); // a token is free, but the first application is still running
        assertThat(order).containsExactly(speaking(true));
        release.countDown();
        first.join(5_000);
        assertThat(order).containsExactly(speaking(true), speaking(false));
    }

    @Test
    @DisplayName("Rate limit: more than 10 flags messages in one second are refused; the next second admits again")
    void rateLimit() {
        int admitted = 0;
        for (int i = 0; i < 15; i++) {
            admitted += gate.admit() ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(10);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(gate.admit()).isTrue();
    }

    @Test
    @DisplayName("Cancel (the session left): a merged update waiting for its token is dropped")
    void cancelDropsPending() {
        for (int i = 0; i <= Pacer.BURST; i++) {
            gate.submit(speaking(i % 2 == 0));
        }
        gate.cancel();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> applied.size() == Pacer.BURST);
    }
}
