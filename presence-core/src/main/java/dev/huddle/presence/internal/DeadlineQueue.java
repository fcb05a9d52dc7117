package dev.huddle.presence.internal;

import java.util.Arrays;
import java.util.List;

/**
 * The expiry schedule: an indexed binary min-heap of nodes keyed by the time they are due.
 *
 * <p>Heartbeats of a live session are by far the most frequent operation, and they only ever push a
 * deadline later. So the queue is <em>lazy</em>, the way Caffeine's timer wheel tolerates stale
 * entries: a node stays at the time it was scheduled for, the live deadline is kept on the session,
 * and only when the node comes due does the expiry pass compare the two and either end the session or
 * re-schedule it at its real deadline. A heartbeat therefore touches the queue only when it makes a
 * deadline <em>earlier</em> (a shorter interval, a departure grace), which is a decrease-key in
 * O(log n). Each session sits in the queue at most once and re-enters it at most once per deadline
 * period, so the queue's work is bounded by sessions, not by heartbeats. Removal of an ended session
 * is O(log n) through the index each node carries.
 *
 * <p>Thread-safe: every method locks the queue. Callers may hold a room lock while calling in; the
 * queue never calls out, so the lock order room → queue cannot deadlock.
 */
public final class DeadlineQueue<N extends DeadlineQueue.Node> {

    /** A schedulable thing. Its fields are owned by the queue and guarded by the queue's lock. */
    public abstract static class Node {
        int heapIndex = -1;
        long dueAt;

        /** True while the node is in some queue. */
        public final boolean isQueued() {
            return heapIndex >= 0;
        }
    }

    private Node[] heap = new Node[64];
    private int size;

    /** Schedules {@code node} at {@code at}, or moves it earlier if it is queued for later; never later. */
    public synchronized void schedule(N node, long at) {
        if (node.heapIndex < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            node.dueAt = at;
            node.heapIndex = size;
            heap[size++] = node;
            siftUp(node.heapIndex);
        } else if (at < node.dueAt) {
            node.dueAt = at;
            siftUp(node.heapIndex);
        }
    }

    /** Removes {@code node} if it is queued. */
    public synchronized void remove(N node) {
        int i = node.heapIndex;
        if (i < 0) {
            return;
        }
        Node last = heap[--size];
        heap[size] = null;
        node.heapIndex = -1;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            siftDown(i);
            siftUp(last.heapIndex);
        }
        shrinkIfSparse();
    }

    /** Removes and adds to {@code out} up to {@code max} nodes due at or before {@code now}, earliest first. */
    @SuppressWarnings("unchecked")
    public synchronized int pollDue(long now, int max, List<N> out) {
        int n = 0;
        while (n < max && size > 0 && heap[0].dueAt <= now) {
            Node top = heap[0];
            Node last = heap[--size];
            heap[size] = null;
            top.heapIndex = -1;
            if (size > 0) {
                heap[0] = last;
                last.heapIndex = 0;
                siftDown(0);
            }
            out.add((N) top);
            n++;
        }
        shrinkIfSparse();
        return n;
    }

    /** The earliest time anything is due, or {@link Long#MAX_VALUE} when the queue is empty. */
    public synchronized long peekTime() {
        return size == 0 ? Long.MAX_VALUE : heap[0].dueAt;
    }

    public synchronized int size() {
        return size;
    }

    /** How many nodes the heap array holds before it grows: it shrinks again after a burst (tests read it). */
    synchronized int capacity() {
        return heap.length;
    }

    private void shrinkIfSparse() {
        if (heap.length > 64 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, Math.max(64, heap.length / 2));
        }
    }

    private void siftUp(int i) {
        Node node = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Node p = heap[parent];
            if (p.dueAt <= node.dueAt) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = node;
        node.heapIndex = i;
    }

    private void siftDown(int i) {
        Node node = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].dueAt < heap[child].dueAt) {
                child = right;
            }
            if (node.dueAt <= heap[child].dueAt) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = node;
        node.heapIndex = i;
    }
}
