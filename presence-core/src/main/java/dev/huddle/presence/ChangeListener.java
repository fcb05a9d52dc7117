package dev.huddle.presence;

/**
 * Receives every change of every room, in each room's sequence order. Called on the thread that made
 * the change, while the room is still locked, so an implementation must be quick and must never block
 * or call back into the engine: hand the change to a queue and return.
 */
@FunctionalInterface
public interface ChangeListener {

    /** Called once per change, in sequence order per room. */
    void onChange(Change change);
}
