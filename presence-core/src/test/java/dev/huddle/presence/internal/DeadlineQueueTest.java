package dev.huddle.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Fuzzes the indexed heap against a plain map, the way Caffeine checks its timer wheel (P5). */
class DeadlineQueueTest {

    static final class Item extends DeadlineQueue.Node {
        final int id;

        Item(int id) {
            this.id = id;
        }
    }

    @Test
    void agreesWithAPlainMapUnderRandomOperations() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        DeadlineQueue<Item> queue = new DeadlineQueue<>();
        Map<Item, Long> reference = new HashMap<>();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            items.add(new Item(i));
        }
        long now = 0;
        for (int step = 0; step < 50_000; step++) {
            Item item = items.get(rnd.nextInt(items.size()));
            int op = rnd.nextInt(10);
            if (op < 5) {
                long at = now + rnd.nextInt(1_000);
                queue.schedule(item, at);
                reference.merge(item, at, Math::min);
            } else if (op < 7) {
                queue.remove(item);
                reference.remove(item);
            } else {
                now += rnd.nextInt(100);
                int max = 1 + rnd.nextInt(20);
                List<Item> out = new ArrayList<>();
                queue.pollDue(now, max, out);
                long t = now;
                List<Map.Entry<Item, Long>> due = reference.entrySet().stream().filter(e -> e.getValue() <= t)
                        .sorted(Map.Entry.comparingByValue()).toList();
                assertThat(out).as("seed %d", seed).hasSize(Math.min(max, due.size()));
                long last = Long.MIN_VALUE;
                for (Item polled : out) {
                    long at = reference.remove(polled);
                    assertThat(at).as("seed %d: due and in order", seed).isLessThanOrEqualTo(now).isGreaterThanOrEqualTo(last);
                    last = at;
                    assertThat(polled.isQueued()).isFalse();
                }
            }
            assertThat(queue.size()).as("seed %d", seed).isEqualTo(reference.size());
            long earliest = reference.values().stream().min(Comparator.naturalOrder()).orElse(Long.MAX_VALUE);
            assertThat(queue.peekTime()).as("seed %d", seed).isEqualTo(earliest);
        }
    }

    @Test
    void scheduleNeverMovesANodeLater() {
        DeadlineQueue<Item> queue = new DeadlineQueue<>();
        Item item = new Item(1);
        queue.schedule(item, 100);
        queue.schedule(item, 500);
        assertThat(queue.peekTime()).isEqualTo(100);
        queue.schedule(item, 50);
        assertThat(queue.peekTime()).isEqualTo(50);
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("after a burst the heap gives its memory back: it halves while under a quarter full, never below 64")
    void shrinksAfterABurst() {
        DeadlineQueue<Item> queue = new DeadlineQueue<>();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Item item = new Item(i);
            items.add(item);
            queue.schedule(item, i);
        }
        assertThat(queue.capacity()).isEqualTo(1_024);

        // Removing down to exactly a quarter keeps the array; one fewer halves it.
        for (int i = 999; i >= 256; i--) {
            queue.remove(items.get(i));
        }
        assertThat(queue.size()).isEqualTo(256);
        assertThat(queue.capacity()).isEqualTo(1_024);
        queue.remove(items.get(255));
        assertThat(queue.capacity()).isEqualTo(512);

        // Expiring the rest shrinks it step by step, down to the initial 64 and no further.
        List<Item> due = new ArrayList<>();
        assertThat(queue.pollDue(Long.MAX_VALUE, Integer.MAX_VALUE, due)).isEqualTo(255);
        assertThat(due).extracting(item -> item.id).isSorted().hasSize(255);
        assertThat(queue.capacity()).isEqualTo(256);
        queue.pollDue(Long.MAX_VALUE, Integer.MAX_VALUE, due);
        assertThat(queue.capacity()).isEqualTo(128);
        queue.pollDue(Long.MAX_VALUE, Integer.MAX_VALUE, due);
        assertThat(queue.capacity()).isEqualTo(64);
        queue.pollDue(Long.MAX_VALUE, Integer.MAX_VALUE, due);
        assertThat(queue.capacity()).isEqualTo(64);
        assertThat(queue.peekTime()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    @DisplayName("pollDue takes what is due at or before now, earliest first, at most max; a later schedule never moves a node later")
    void pollDueBoundsAndEarlierOnly() {
        DeadlineQueue<Item> queue = new DeadlineQueue<>();
        Item a = new Item(1);
        Item b = new Item(2);
        Item c = new Item(3);
        queue.schedule(a, 100);
        queue.schedule(b, 200);
        queue.schedule(c, 300);
        queue.schedule(c, 400); // later: ignored
        queue.schedule(b, 50); // earlier: moves
        assertThat(b.isQueued()).as("the earliest, at the top of the heap, is queued too").isTrue();
        List<Item> due = new ArrayList<>();
        assertThat(queue.pollDue(49, 10, due)).isZero();
        assertThat(queue.pollDue(100, 1, due)).isEqualTo(1);
        assertThat(due).containsExactly(b);
        assertThat(queue.pollDue(300, 10, due)).isEqualTo(2);
        assertThat(due).containsExactly(b, a, c);
        assertThat(a.isQueued()).isFalse();
        assertThat(queue.size()).isZero();
    }
}
