package dev.huddle.server.live;

/**
 * A room's snapshot (S1) with its entries already rendered as the JSON array of a {@code snapshot}
 * frame, so that the subscribers who start while it is recent share one rendering.
 *
 * @param size how many entries {@code entries} holds
 */
record RenderedSnapshot(String room, String epoch, long seq, int size, String entries) {
    /**
     * The most changes a subscriber is sent after a shared snapshot instead of a fresh one: an eighth of
     * the room, so the changes are never more to send and apply than the entries they save, and at most
     * 128. A room of fewer than 8 entries always gets a fresh snapshot unless nothing has changed.
     */
    int maxChangesAfter() {
        return Math.min(128, size / 8);
    }
}
