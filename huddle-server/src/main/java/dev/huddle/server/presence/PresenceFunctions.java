package dev.huddle.server.presence;

import dev.huddle.presence.Entry;
import dev.huddle.presence.HeartbeatResult;
import dev.huddle.presence.Presence;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import dev.huddle.server.huddle.HuddleAccess;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.huddle.Role;
import dev.huddle.server.user.User;
import dev.huddle.server.user.UserRepository;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The presence functions of the HTTP API (H2, H5): heartbeat, list, setFlags and disconnect. The plain
 * endpoints and the Convex-compatible calls both run these, so each rule lives here once. Arguments
 * are checked before anything changes.
 */
public final class PresenceFunctions {
    private final Presence presence;
    private final HuddleService huddles;
    private final UserRepository users;

    public PresenceFunctions(Presence presence, HuddleService huddles, UserRepository users) {
        this.presence = presence;
        this.huddles = huddles;
        this.users = users;
    }

    /**
     * {@code heartbeat {roomId, userId, sessionId, interval?}} → {@code {roomToken, sessionToken}}. The
     * user id must be the caller's (H2) and the caller a member; the server sets the session's profile
     * data and role, and an observer's flags to false.
     */
    public Map<String, Object> heartbeat(Caller caller, Args args) {
        String roomId = args.requiredString("roomId");
        String userId = args.requiredString("userId");
        String sessionId = SessionIds.clientChosen(args);
        long interval = args.optionalLong("interval", Presence.DEFAULT_INTERVAL_MS);
        String me = caller.requireUserId();
        if (!me.equals(userId)) {
            throw ApiException.forbidden("userId must be the signed-in user");
        }
        HeartbeatResult r = join(me, roomId, sessionId, interval, Optional.empty(), Optional.empty()).result();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("roomToken", r.roomToken());
        out.put("sessionToken", r.sessionToken());
        return out;
    }

    /** A member's heartbeat and the membership it was checked against. */
    public record Joined(HuddleService.Membership membership, HeartbeatResult result) {
    }

    /**
     * The heartbeat rule of HTTP and WebSocket alike (H2, H5): {@code me} must be a member of the huddle
     * {@code roomId} (canonical id); the server sets the session's profile data and role, an observer's
     * flags to false, and a participant's flags when given. Observers giving a flag are refused (403
     * {@code observer_cannot_set_flags}) before anything changes.
     */
    public Joined join(String me, String roomId, String sessionId, long interval, Optional<Boolean> speaking,
            Optional<Boolean> recording) {
        HuddleService.Membership m = huddles.requireMember(roomId, me);
        Map<String, String> flags = speaking.isPresent() || recording.isPresent()
                ? flagPatch(m.role(), speaking, recording) : Map.of();
        Map<String, String> profile = profile(me, m.role());
        Map<String, String> sessionData = new HashMap<>(profile);
        if (!m.role().maySetFlags()) {
            sessionData.put(SessionData.IS_SPEAKING, SessionData.FALSE);
            sessionData.put(SessionData.IS_RECORDING, SessionData.FALSE);
        }
        sessionData.putAll(flags);
        HeartbeatResult r = presence.heartbeat(m.huddle().id(), me, sessionId, interval, sessionData);
        // The user's room data keeps their name and role on show after they go offline (see HuddleDataMerger).
        presence.updateRoomUser(m.huddle().id(), me, profile);
        return new Joined(m, r);
    }

    /**
     * The flags patch a member of {@code role} may apply (H5): observers may set neither flag (403
     * {@code observer_cannot_set_flags}).
     */
    public static Map<String, String> flagPatch(Role role, Optional<Boolean> speaking, Optional<Boolean> recording) {
        if (!role.maySetFlags()) {
            throw new ApiException(403, "observer_cannot_set_flags", "observers cannot set isSpeaking or isRecording");
        }
        Map<String, String> patch = new HashMap<>();
        speaking.ifPresent(v -> patch.put(SessionData.IS_SPEAKING, SessionData.flag(v)));
        recording.ifPresent(v -> patch.put(SessionData.IS_RECORDING, SessionData.flag(v)));
        return patch;
    }

    /**
     * {@code list {roomToken, limit?}} (a signed-in member of the token's huddle) or
     * {@code list {huddle: idOrSlug, limit?}} (a member by id, or a slug viewer, H4) → entries (P8).
     */
    public List<Map<String, Object>> list(Caller caller, Args args) {
        long asked = args.optionalLong("limit", Presence.DEFAULT_LIMIT);
        if (asked < 1 || asked > Presence.MAX_LIMIT) {
            throw ApiException.invalidArgument("limit", "must lie in 1…" + Presence.MAX_LIMIT + ", was " + asked);
        }
        int limit = (int) asked;
        var roomToken = args.optionalString("roomToken");
        var huddle = args.optionalString("huddle");
        if (roomToken.isPresent() == huddle.isPresent()) {
            throw ApiException.invalidArgument("roomToken", "or huddle is required (exactly one of them)");
        }
        List<Entry> entries;
        if (roomToken.isPresent()) {
            String me = caller.requireUserId();
            entries = presence.list(roomToken.get(), limit);
            // A room token names a room, it grants nothing: listing with it needs what listing the huddle
            // by id needs, now. A holder who left (or was removed) gets 403 not_a_member like anyone else.
            if (!entries.isEmpty()) {
                huddles.requireMember(entries.get(0).roomId(), me);
            }
        } else {
            HuddleAccess access = huddles.read(huddle.get(), caller);
            entries = presence.listRoom(access.huddle().id(), false, limit);
        }
        return EntryView.of(entries);
    }

    /**
     * {@code setFlags {roomId, sessionId, isSpeaking?, isRecording?}}: sets the session's flags (H5).
     * Observers may set neither (403 {@code observer_cannot_set_flags}); the session must be live and
     * the caller's (404 {@code unknown_session}).
     */
    public Map<String, Object> setFlags(Caller caller, Args args) {
        String roomId = args.requiredString("roomId");
        String sessionId = args.requiredString("sessionId");
        FlagArgs flags = FlagArgs.atLeastOne(args);
        String me = caller.requireUserId();
        HuddleService.Membership m = huddles.requireMember(roomId, me);
        Map<String, String> patch = flagPatch(m.role(), flags.speaking(), flags.recording());
        if (!presence.updateSession(m.huddle().id(), me, sessionId, patch)) {
            throw new ApiException(404, "unknown_session", "no live session '" + sessionId + "' of yours in this huddle");
        }
        return Map.of("ok", true);
    }

    /** {@code disconnect {sessionToken, graceMs?}}: ends the session (T3, P6); no sign-in; idempotent. */
    public void disconnect(Args args) {
        String sessionToken = args.requiredString("sessionToken");
        long graceMs = args.optionalLong("graceMs", 0);
        presence.disconnect(sessionToken, graceMs);
    }

    /** The entry data the server sets for {@code userId} as a member of {@code role} (H5). */
    Map<String, String> profile(String userId, Role role) {
        User u = users.find(userId).orElseThrow(() -> ApiException.invalidToken("no profile for this user"));
        Map<String, String> data = new HashMap<>();
        data.put(SessionData.DISPLAY_NAME, u.displayName());
        if (u.avatarUrl() != null) {
            data.put(SessionData.AVATAR_URL, u.avatarUrl());
        }
        data.put(SessionData.ROLE, role.wire());
        return data;
    }
}
