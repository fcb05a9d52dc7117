package dev.huddle.server.presence;

import dev.huddle.presence.DataMerger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The huddle's merge rule (H5, P12). {@code displayName} and {@code avatarUrl} come from the newest
 * live session that has them, else from the user's room data (which keeps an offline user's name on
 * show). {@code role} comes from the room data first: a host's role change (H9) sets it there, in one
 * change that every session of the user follows at once. {@code isSpeaking} and {@code isRecording} are "true" while any live session
 * says so and "false" otherwise, and always "false" for an observer. Every other key is dropped.
 * Pure and thread-safe.
 */
public final class HuddleDataMerger implements DataMerger {

    @Override
    public Map<String, String> merge(Map<String, String> userData, List<Map<String, String>> sessionData) {
        Map<String, String> out = new HashMap<>(8);
        for (String key : SessionData.PROFILE_KEYS) {
            boolean roomFirst = key.equals(SessionData.ROLE);
            String value = roomFirst ? userData.get(key) : newest(key, sessionData);
            if (value == null) {
                value = roomFirst ? newest(key, sessionData) : userData.get(key);
            }
            if (value != null) {
                out.put(key, value);
            }
        }
        boolean observer = "observer".equals(out.get(SessionData.ROLE));
        for (String flag : SessionData.FLAG_KEYS) {
            out.put(flag, SessionData.flag(!observer && any(flag, sessionData)));
        }
        return out;
    }

    private static String newest(String key, List<Map<String, String>> sessions) {
        for (int i = sessions.size() - 1; i >= 0; i--) {
            String v = sessions.get(i).get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static boolean any(String flag, List<Map<String, String>> sessions) {
        for (Map<String, String> s : sessions) {
            if (SessionData.TRUE.equals(s.get(flag))) {
                return true;
            }
        }
        return false;
    }
}
