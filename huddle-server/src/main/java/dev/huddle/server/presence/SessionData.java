package dev.huddle.server.presence;

import java.util.List;

/** The only metadata keys a session or entry holds (H5), and their string forms in the core. */
public final class SessionData {
    public static final String DISPLAY_NAME = "displayName";
    public static final String AVATAR_URL = "avatarUrl";
    public static final String ROLE = "role";
    public static final String IS_SPEAKING = "isSpeaking";
    public static final String IS_RECORDING = "isRecording";

    /** Keys set by the server from the profile and the membership. */
    public static final List<String> PROFILE_KEYS = List.of(DISPLAY_NAME, AVATAR_URL, ROLE);
    /** Keys set by the client; true while any live session says so. */
    public static final List<String> FLAG_KEYS = List.of(IS_SPEAKING, IS_RECORDING);

    public static final String TRUE = "true";
    public static final String FALSE = "false";

    private SessionData() {
    }

    public static String flag(boolean value) {
        return value ? TRUE : FALSE;
    }
}
