package dev.huddle.server.huddle;

import dev.huddle.presence.Presence;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.user.ProfileRules;
import java.util.Optional;

/**
 * The huddle rules: creation (H1), membership (H2), observer registration when a signed-in user opens a
 * huddle (H3, an explicit write), read-only access by slug (H4). Writes use the canonical id only; a slug
 * there is "not found". Reading never changes anything.
 */
public final class HuddleService {
    private static final int SLUG_ATTEMPTS = 8;

    private final HuddleRepository huddles;
    private final Presence presence;
    private final TimeSource time;
    private final java.util.List<java.util.function.BiConsumer<String, String>> leaveListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public HuddleService(HuddleRepository huddles, Presence presence, TimeSource time) {
        this.huddles = huddles;
        this.presence = presence;
        this.time = time;
    }

    /** Creates a huddle; the creator becomes a participant. */
    public Huddle create(String userId, String rawTitle) {
        String title = ProfileRules.title(rawTitle);
        long now = time.millis();
        for (int attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
            String slug = Slugs.forTitle(title);
            if (huddles.slugTaken(slug)) {
                continue;
            }
            Huddle h = new Huddle(Ids.huddleId(), slug, title, userId, now, true);
            try {
                huddles.create(h);
                return h;
            } catch (RuntimeException raced) {
                if (!huddles.slugTaken(slug)) {
                    throw raced;
                }
            }
        }
        throw new IllegalStateException("could not find a free slug for '" + title + "'");
    }

    /**
     * Opens a huddle by canonical id as the page does when it shows it (H3): a signed-in user who is not
     * a member yet is registered as an observer; a member keeps their role. A write, so it is a POST the
     * page makes, never a side effect of reading (X4).
     */
    public HuddleAccess open(String huddleId, String userId) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> notFound(huddleId));
        huddles.addObserverIfAbsent(h.id(), userId, time.millis());
        return new HuddleAccess(h, false, huddles.role(h.id(), userId));
    }

    /**
     * Read access without side effects: by id for members (403 {@code not_a_member} otherwise); by
     * slug read-only for anyone signed in, and without sign-in where the huddle allows public viewing
     * (H4). Nobody is registered.
     */
    public HuddleAccess read(String idOrSlug, Caller caller) {
        Optional<Huddle> byId = huddles.findById(idOrSlug);
        if (byId.isPresent()) {
            String userId = caller.requireUserId();
            Role role = huddles.role(byId.get().id(), userId).orElseThrow(HuddleService::notAMember);
            return new HuddleAccess(byId.get(), false, Optional.of(role));
        }
        return viaSlug(idOrSlug, caller);
    }

    /** The huddle of a canonical id and the caller's role in it; 404 / 403 {@code not_a_member} otherwise. */
    public Membership requireMember(String huddleId, String userId) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> notFound(huddleId));
        Role role = huddles.role(h.id(), userId).orElseThrow(HuddleService::notAMember);
        return new Membership(h, role);
    }

    /** Joins (or changes role in) a huddle by canonical id. */
    public HuddleAccess join(String huddleId, String userId, Role role) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> notFound(huddleId));
        huddles.setRole(h.id(), userId, role, time.millis());
        return new HuddleAccess(h, false, Optional.of(role));
    }

    /** Leaves a huddle: the membership and the user's presence entry in its room are removed. Idempotent. */
    public boolean leave(String huddleId, String userId) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> notFound(huddleId));
        boolean wasMember = huddles.removeMember(h.id(), userId);
        presence.removeRoomUser(h.id(), userId);
        leaveListeners.forEach(l -> l.accept(h.id(), userId));
        return wasMember;
    }

    /** Runs {@code listener(huddleId, userId)} after each leave (the legacy tracker drops the user's row). */
    public void onLeave(java.util.function.BiConsumer<String, String> listener) {
        leaveListeners.add(listener);
    }

    /** The repository, for the detail view's member list. */
    public HuddleRepository repository() {
        return huddles;
    }

    private HuddleAccess viaSlug(String slug, Caller caller) {
        Huddle h = huddles.findBySlug(slug).orElseThrow(() -> notFound(slug));
        Optional<String> userId = caller.optionalUserId();
        if (!h.publicViewing() && userId.isEmpty()) {
            throw ApiException.unauthenticated();
        }
        return new HuddleAccess(h, true, userId.flatMap(u -> huddles.role(h.id(), u)));
    }

    private static ApiException notFound(String idOrSlug) {
        return ApiException.notFound("no huddle '" + idOrSlug + "'");
    }

    private static ApiException notAMember() {
        return new ApiException(403, "not_a_member", "you are not a member of this huddle; open it (POST /api/huddles/{id}/open) or join it first");
    }

    /** A member's huddle and role. */
    public record Membership(Huddle huddle, Role role) {
    }
}
