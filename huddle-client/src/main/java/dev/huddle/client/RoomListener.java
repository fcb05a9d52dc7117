package dev.huddle.client;

/**
 * What a {@link RoomConnection} reports. Called on the connection's socket thread, one call at a
 * time per connection: return quickly. Every method has a no-op default.
 */
public interface RoomListener {

    /** The derived view changed (H6). */
    default void onView(View view) {
    }

    /**
     * Whether {@link #onView} is wanted. Deriving the view sorts the room on every change; a listener
     * that only counts changes (a load generator with thousands of connections) returns false.
     */
    default boolean wantsViews() {
        return true;
    }

    /** One change was applied, in sequence order (P11): {@code kind} is join, leave, update or remove. */
    default void onChange(String kind, Participant entry) {
    }

    /** Someone else came online (not on the first snapshot, and not for a reconnect that continued). */
    default void onJoin(Participant who) {
    }

    /** Someone else went offline or was removed. */
    default void onLeave(Participant who) {
    }

    /** The connection's status changed. */
    default void onStatus(RoomConnection.Status status) {
    }

    /** The server answered a request with an error (docs/protocol.md lists the codes). */
    default void onError(String code, String message) {
    }
}
