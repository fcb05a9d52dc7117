package dev.huddle.client;

/** A huddle as the server describes it to the caller; {@code role} is the caller's (null if none). */
public record HuddleInfo(String id, String slug, String title, String role, boolean readOnly) {
}
