package dev.huddle.load;

import java.util.function.BooleanSupplier;

/** Waiting for the clients to reach a state: the tool polls, since nothing notifies it. */
final class Poll {
    private Poll() {
    }

    /** Returns once {@code done} holds or {@code timeoutMs} has passed, checking every 200 ms. */
    static void until(long timeoutMs, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        Object lock = new Object();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            synchronized (lock) {
                lock.wait(200); // poll the clients' state (a scan of every client: not too often); nothing notifies this lock
            }
        }
    }
}
