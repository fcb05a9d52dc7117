package dev.huddle.server.huddle;

import dev.huddle.presence.Presence;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.auth.Caller;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.user.Ids;
import dev.huddle.server.user.ProfileRules;
import java.util.Optional;
import org.jdbi.v3.core.JdbiException;

/**
 * The huddle rules: creation (H1), membership (H2), observer registration when a signed-in user opens a
 * huddle (H3, an explicit write), watching by slug (H4), and who may join in which role (H9). Writes use
 * the canonical id only; a slug there is "not found". Reading never changes anything. A huddle without
 * public viewing is "not found" for everyone but its members. Every refusal comes before any change.
 */
public final class HuddleService {
    private static final int SLUG_ATTEMPTS = 8;

    private final HuddleRepository huddles;
    private final InviteRepository invites;
    private final Presence presence;
    private final TimeSource time;
    private volatile MemberChanges changes = MemberChanges.NONE;
    private final java.util.List<java.util.function.BiConsumer<String, String>> leaveListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public HuddleService(HuddleRepository huddles, InviteRepository invites, Presence presence, TimeSource time) {
        this.huddles = huddles;
        this.invites = invites;
        this.presence = presence;
        this.time = time;
    }

    /** Where membership changes are shown in presence (set once while wiring the server). */
    public void onMemberChanges(MemberChanges changes) {
        this.changes = changes;
    }

    MemberChanges memberChanges() {
        return changes;
    }

    /** Creates a huddle; the creator becomes its first host (H9). Public viewing on, join policy open. */
    public Huddle create(String userId, String rawTitle) {
        String title = ProfileRules.title(rawTitle);
        long now = time.millis();
        for (int attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
            String slug = Slugs.forTitle(title);
            if (huddles.slugTaken(slug)) {
                continue;
            }
            Huddle h = new Huddle(Ids.huddleId(), slug, title, userId, now, true, JoinPolicy.OPEN);
            try {
                huddles.create(h);
                return h;
            } catch (JdbiException raced) { // a database refusal: retry only when the slug was taken meanwhile
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
     * page makes, never a side effect of reading (X4). Refused with {@code banned}, {@code huddle_closed},
     * or {@code not_found} for a huddle without public viewing.
     */
    public HuddleAccess open(String huddleId, String userId) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> AccessErrors.notFound(huddleId));
        Optional<Role> role = huddles.role(h.id(), userId);
        if (role.isEmpty()) {
            admitNewcomer(h, userId, false);
            if (huddles.addObserverIfAbsent(h.id(), userId, time.millis())) {
                huddles.unban(h.id(), userId); // not banned (checked): forgets an earlier removal
            }
            role = huddles.role(h.id(), userId);
        }
        return new HuddleAccess(h, false, role);
    }

    /**
     * Read access without side effects: by id for members (403 {@code not_a_member} otherwise, or
     * {@code not_found} where the huddle is not public); by slug read-only for anyone where the huddle
     * allows public viewing, and for its members (H4). Nobody is registered.
     */
    public HuddleAccess read(String idOrSlug, Caller caller) {
        Optional<Huddle> byId = huddles.findById(idOrSlug);
        if (byId.isPresent()) {
            String userId = caller.requireUserId();
            Huddle h = byId.get();
            Optional<Role> role = huddles.role(h.id(), userId);
            if (role.isEmpty()) {
                throw h.publicViewing() ? AccessErrors.notAMember() : AccessErrors.notFound(idOrSlug);
            }
            return new HuddleAccess(h, false, role);
        }
        Huddle h = huddles.findBySlug(idOrSlug).orElseThrow(() -> AccessErrors.notFound(idOrSlug));
        Optional<Role> role = caller.optionalUserId().flatMap(u -> huddles.role(h.id(), u));
        if (!h.publicViewing() && role.isEmpty()) {
            throw AccessErrors.notFound(idOrSlug);
        }
        return new HuddleAccess(h, true, role);
    }

    /**
     * The huddle (by id or slug) whose member list the caller may read: anyone's, signed in or not,
     * where it allows public viewing (as its read-only view shows who is there, H4); its members' only
     * otherwise, and {@code not_found} to everyone else.
     */
    public Huddle memberListOf(String idOrSlug, Caller caller) {
        Huddle h = huddles.findById(idOrSlug).or(() -> huddles.findBySlug(idOrSlug))
                .orElseThrow(() -> AccessErrors.notFound(idOrSlug));
        if (!h.publicViewing() && caller.optionalUserId().flatMap(u -> huddles.role(h.id(), u)).isEmpty()) {
            throw AccessErrors.notFound(idOrSlug);
        }
        return h;
    }

    /**
     * The huddle of a canonical id and the caller's role in it; 404 (also for a huddle without public
     * viewing the caller is not a member of) or 403 {@code not_a_member} otherwise.
     */
    public Membership requireMember(String huddleId, String userId) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> AccessErrors.notFound(huddleId));
        Role role = huddles.role(h.id(), userId)
                .orElseThrow(() -> h.publicViewing() ? AccessErrors.notAMember() : AccessErrors.notFound(huddleId));
        return new Membership(h, role);
    }

    /**
     * Joins a huddle by canonical id, or changes one's own role in it (H9). With an invite token the
     * caller becomes at least what it grants (at most that if they ask for more); without one, hosts
     * come only from invites and promotions, and under {@code invite} so do participants. Under
     * {@code closed} nobody new joins; a banned user never does. A role asked for that would leave no
     * host is refused with {@code last_host}.
     *
     * @param asked the role asked for; empty with an invite token: the invite's role
     */
    public HuddleAccess join(String huddleId, String userId, Optional<Role> asked, Optional<String> inviteToken) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> AccessErrors.notFound(huddleId));
        Optional<Role> current = huddles.role(h.id(), userId);
        if (current.isEmpty()) {
            admitNewcomer(h, userId, inviteToken.isPresent());
        }
        Role next;
        if (inviteToken.isPresent()) {
            Role granted = invites.redeem(h.id(), inviteToken.get(), time.millis()).orElseThrow(AccessErrors::invalidInvite);
            Role wanted = asked.orElse(granted);
            next = higher(current.orElse(Role.OBSERVER), rank(wanted) > rank(granted) ? granted : wanted);
        } else {
            next = asked.orElseThrow(() -> ApiException.invalidArgument("role", "is required without an inviteToken"));
            boolean promotion = rank(next) > rank(current.orElse(Role.OBSERVER));
            if (promotion && (next == Role.HOST || h.joinPolicy() != JoinPolicy.OPEN)) {
                throw AccessErrors.inviteRequired();
            }
        }
        if (current.isEmpty()) {
            huddles.setRole(h.id(), userId, next, time.millis());
        } else if (current.get() != next) {
            if (huddles.changeRole(h.id(), userId, next) == HuddleRepository.Outcome.LAST_HOST) {
                throw AccessErrors.lastHost();
            }
            changes.roleChanged(h.id(), userId, next);
        }
        return new HuddleAccess(h, false, Optional.of(next));
    }

    /**
     * Leaves a huddle: the membership and the user's presence entry in its room are removed. Idempotent.
     * The last host names another member to hand the huddle to ({@code newHost}), else 409 {@code last_host}.
     */
    public boolean leave(String huddleId, String userId, Optional<String> newHost) {
        Huddle h = huddles.findById(huddleId).orElseThrow(() -> AccessErrors.notFound(huddleId));
        if (newHost.isPresent()) {
            if (huddles.role(h.id(), userId).orElse(Role.OBSERVER) != Role.HOST) {
                throw AccessErrors.notAHost();
            }
            if (newHost.get().equals(userId)) {
                throw ApiException.invalidArgument("newHost", "must be another member");
            }
            if (huddles.changeRole(h.id(), newHost.get(), Role.HOST) != HuddleRepository.Outcome.DONE) {
                throw AccessErrors.noSuchMember(newHost.get());
            }
            changes.roleChanged(h.id(), newHost.get(), Role.HOST);
        }
        HuddleRepository.Outcome out = huddles.removeMember(h.id(), userId, Optional.empty(), false, time.millis());
        if (out == HuddleRepository.Outcome.LAST_HOST) {
            throw AccessErrors.lastHost();
        }
        presence.removeRoomUser(h.id(), userId);
        leaveListeners.forEach(l -> l.accept(h.id(), userId));
        return out == HuddleRepository.Outcome.DONE;
    }

    /** Runs {@code listener(huddleId, userId)} after each leave or removal (the legacy tracker drops the user's row). */
    public void onLeave(java.util.function.BiConsumer<String, String> listener) {
        leaveListeners.add(listener);
    }

    void leftOrRemoved(String huddleId, String userId) {
        leaveListeners.forEach(l -> l.accept(huddleId, userId));
    }

    /** The repository, for the detail's member count and the member list. */
    public HuddleRepository repository() {
        return huddles;
    }

    /** The invites. */
    InviteRepository invites() {
        return invites;
    }

    /** Whether a host removed {@code userId} from {@code huddleId} (and they have not come back since). */
    public boolean removedByHost(String huddleId, String userId) {
        return huddles.removedByHost(huddleId, userId);
    }

    /**
     * Whether a newcomer may become a member at all: not banned, the huddle visible to them (public
     * viewing, or an invite in hand), and not closed.
     */
    private void admitNewcomer(Huddle h, String userId, boolean withInvite) {
        if (huddles.banned(h.id(), userId)) {
            throw AccessErrors.banned();
        }
        if (!h.publicViewing() && !withInvite) {
            throw AccessErrors.notFound(h.id());
        }
        if (h.joinPolicy() == JoinPolicy.CLOSED) {
            throw AccessErrors.closed();
        }
    }

    static int rank(Role r) {
        return switch (r) {
            case OBSERVER -> 0;
            case PARTICIPANT -> 1;
            case HOST -> 2;
        };
    }

    private static Role higher(Role a, Role b) {
        return rank(a) >= rank(b) ? a : b;
    }

    /** A member's huddle and role. */
    public record Membership(Huddle huddle, Role role) {
    }
}
