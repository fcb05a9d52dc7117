package dev.huddle.server.huddle;

/**
 * A huddle (H1). Its id is its presence room.
 *
 * @param id canonical id, the room id
 * @param slug unique human alias for read-only viewing (H4)
 * @param title cleaned title
 * @param createdBy the creator's user id
 * @param createdAt epoch millis
 * @param publicViewing whether anyone with the slug may watch it, even without signing in (H4)
 * @param joinPolicy who may become a member (H9)
 */
public record Huddle(String id, String slug, String title, String createdBy, long createdAt, boolean publicViewing,
        JoinPolicy joinPolicy) {
}
