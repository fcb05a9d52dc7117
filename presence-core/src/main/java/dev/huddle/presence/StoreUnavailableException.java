package dev.huddle.presence;

/**
 * The store could not be reached, or did not answer in time, or refused work because too much is
 * already waiting for it (R1, R3). The call may or may not have been applied (a write that timed out
 * after the store ran it stands); the caller should tell its client to try again shortly. The store
 * counts and logs these at a bounded rate itself, so callers need not log each one.
 */
public final class StoreUnavailableException extends PresenceException {
    private final String kind;

    /**
     * @param kind a short stable word for what went wrong ({@code timeout}, {@code disconnected},
     *     {@code overloaded}, {@code busy}), for metrics and logs
     * @param detail what the store said, for the log; never shown to clients
     */
    public StoreUnavailableException(String kind, String detail, Throwable cause) {
        super("unavailable", "presence is unavailable right now (" + kind + "): " + detail);
        this.kind = kind;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** What went wrong, one stable word: {@code timeout}, {@code disconnected}, {@code overloaded} or {@code busy}. */
    public String kind() {
        return kind;
    }
}
