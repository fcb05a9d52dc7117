package dev.huddle.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X3: a server that can no longer do its job ends the process at once, with one log line and a non-zero
 * exit, so the supervisor restarts a whole one. Never a half-alive node: one whose expiry worker is dead
 * shows ghosts for ever; one that ran out of memory may have lost any thread, Jetty's acceptor included.
 * {@code Runtime.halt}, not {@code System.exit}: the shutdown hooks want the very machinery that broke.
 */
public final class FailFast {
    private static final Logger LOG = LoggerFactory.getLogger(FailFast.class);

    /** Exit code after an {@link OutOfMemoryError} (the JVM's own, from {@code -XX:+ExitOnOutOfMemoryError}). */
    public static final int OUT_OF_MEMORY = 3;
    /** Exit code after any other failure that leaves the server unable to work (EX_SOFTWARE). */
    public static final int BROKEN = 70;

    private FailFast() {
    }

    /** Logs {@code event=fatal} with the reason and ends the process with {@link #BROKEN}; never returns. */
    public static void halt(String reason, Throwable cause) {
        try {
            LOG.error("event=fatal reason=\"{}\" exit={}: the server cannot go on and stops now; restart it", reason, BROKEN,
                    cause);
        } catch (Throwable logging) {
            System.err.println("event=fatal reason=\"" + reason + "\" exit=" + BROKEN);
        } finally {
            Runtime.getRuntime().halt(BROKEN);
        }
    }

    /** The handler for threads of the server's own: a {@link VirtualMachineError} anywhere ends the process. */
    static void onUncaughtVirtualMachineErrors() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof VirtualMachineError) {
                halt(e.getClass().getSimpleName() + " in thread " + thread.getName(), e);
            } else if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace();
            }
        });
    }
}
