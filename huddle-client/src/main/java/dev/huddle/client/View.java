package dev.huddle.client;

import java.util.List;

/**
 * The derived view every client gets (H6): online participants sorted — self first, then participants
 * before observers, then display name (case-insensitive), then user id — and who is speaking and
 * recording.
 */
public record View(List<Participant> participants, List<String> speakingUserIds, List<String> recordingUserIds) {
    public View {
        participants = List.copyOf(participants);
        speakingUserIds = List.copyOf(speakingUserIds);
        recordingUserIds = List.copyOf(recordingUserIds);
    }
}
