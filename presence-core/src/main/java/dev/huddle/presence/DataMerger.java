package dev.huddle.presence;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the data an entry shows from the user's room data and the data of each of their live
 * sessions (P12). The huddle layer supplies its own rule (flags true while any session says so); the
 * default lets the user's data win over session data, and a later session's data over an earlier one.
 * Implementations must be pure, fast and thread-safe.
 */
@FunctionalInterface
public interface DataMerger {

    /** The default rule: session data in session-start order, then the user's data, later keys winning. */
    DataMerger DEFAULT = (userData, sessionData) -> {
        if (sessionData.isEmpty()) {
            return userData;
        }
        if (sessionData.size() == 1 && userData.isEmpty()) {
            return sessionData.get(0);
        }
        Map<String, String> merged = new HashMap<>();
        sessionData.forEach(merged::putAll);
        merged.putAll(userData);
        return merged;
    };

    /**
     * Merges.
     *
     * @param userData what updateRoomUser last set (empty if never)
     * @param sessionData the data of each live session, oldest session first; empty when offline
     */
    Map<String, String> merge(Map<String, String> userData, List<Map<String, String>> sessionData);
}
