package dev.huddle.server.huddle;

import dev.huddle.presence.TimeSource;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.user.ProfileRules;
import java.util.List;
import java.util.Optional;

/**
 * What only a huddle's hosts may do (H9): change its settings, make and revoke invites, change members'
 * roles, remove and ban members, lift bans. Each call checks the caller is a host first (403
 * {@code not_a_host}; {@code not_found} for a huddle without public viewing they are not a member of),
 * and refuses any change that would leave the huddle without a host (409 {@code last_host}). Changes
 * reach presence, and so every open socket, through {@link MemberChanges}.
 */
public final class HostService {
    /** The longest an invite may stay valid: 30 days. */
    public static final long MAX_INVITE_MS = 30L * 24 * 60 * 60 * 1000;
    /** The most joins one invite may admit. */
    public static final long MAX_INVITE_USES = 10_000;
    /** X1: invites one huddle may hold, so a host cannot grow the table (and the list's answer) without bound. */
    public static final int MAX_INVITES_PER_HUDDLE = 100;

    private final HuddleService huddles;
    private final TimeSource time;

    public HostService(HuddleService huddles, TimeSource time) {
        this.huddles = huddles;
        this.time = time;
    }

    /**
     * The huddle of {@code huddleId} if {@code userId} is one of its hosts; 403 {@code not_a_host} for
     * anyone else who may see it, {@code not_found} for those who may not.
     */
    public Huddle requireHost(String huddleId, String userId) {
        Huddle h = huddles.repository().findById(huddleId).orElseThrow(() -> AccessErrors.notFound(huddleId));
        Optional<Role> role = huddles.repository().role(h.id(), userId);
        if (role.isEmpty() && !h.publicViewing()) {
            throw AccessErrors.notFound(huddleId);
        }
        if (role.orElse(null) != Role.HOST) {
            throw AccessErrors.notAHost();
        }
        return h;
    }

    /** Changes any of title, public viewing and join policy; returns the huddle as it is now. */
    public Huddle updateSettings(String huddleId, String userId, Optional<String> title, Optional<Boolean> publicViewing,
            Optional<JoinPolicy> joinPolicy) {
        Huddle h = requireHost(huddleId, userId);
        Huddle next = new Huddle(h.id(), h.slug(), title.map(ProfileRules::title).orElse(h.title()), h.createdBy(),
                h.createdAt(), publicViewing.orElse(h.publicViewing()), joinPolicy.orElse(h.joinPolicy()));
        huddles.repository().updateSettings(next);
        return next;
    }

    /**
     * A new invite making its users {@code role} (participant or host), for at most {@code maxUses}
     * joins and {@code expiresInMs} from now when given. Refused under {@code closed}.
     */
    public NewInvite createInvite(String huddleId, String userId, Role role, Optional<Long> maxUses,
            Optional<Long> expiresInMs) {
        if (role == Role.OBSERVER) {
            throw ApiException.invalidArgument("role", "must be \"participant\" or \"host\" (anyone allowed to view may observe)");
        }
        maxUses.filter(n -> n < 1 || n > MAX_INVITE_USES).ifPresent(n -> {
            throw ApiException.invalidArgument("maxUses", "must lie in 1…" + MAX_INVITE_USES + ", was " + n);
        });
        expiresInMs.filter(ms -> ms < 1 || ms > MAX_INVITE_MS).ifPresent(ms -> {
            throw ApiException.invalidArgument("expiresInMs", "must lie in 1…" + MAX_INVITE_MS + ", was " + ms);
        });
        Huddle h = requireHost(huddleId, userId);
        if (h.joinPolicy() == JoinPolicy.CLOSED) {
            throw AccessErrors.closed();
        }
        if (huddles.invites().count(h.id()) >= MAX_INVITES_PER_HUDDLE) {
            throw AccessErrors.tooManyInvites(MAX_INVITES_PER_HUDDLE);
        }
        long now = time.millis();
        Long expiresAt = expiresInMs.map(ms -> now + ms).orElse(null);
        String token = huddles.invites().create(h.id(), role, maxUses.orElse(null), expiresAt, userId, now);
        return new NewInvite(h, token, expiresAt);
    }

    /** The huddle's invites (never their secrets). */
    public List<Invite> invites(String huddleId, String userId) {
        return huddles.invites().list(requireHost(huddleId, userId).id());
    }

    /** Revokes an invite by its token or id; true if the huddle had it. */
    public boolean revokeInvite(String huddleId, String userId, String tokenOrId) {
        return huddles.invites().revoke(requireHost(huddleId, userId).id(), tokenOrId);
    }

    /** Sets a member's role; 404 for a non-member, 409 {@code last_host} when no host would be left. */
    public void setRole(String huddleId, String hostId, String memberId, Role role) {
        Huddle h = requireHost(huddleId, hostId);
        switch (huddles.repository().changeRole(h.id(), memberId, role)) {
            case NOT_MEMBER -> throw AccessErrors.noSuchMember(memberId);
            case LAST_HOST -> throw AccessErrors.lastHost();
            case DONE -> huddles.memberChanges().roleChanged(h.id(), memberId, role);
        }
    }

    /**
     * Removes a member (their sessions in the room end at once, everywhere), and with {@code ban} keeps
     * them from coming back until a host lifts it. Banning a non-member is allowed (it keeps them out);
     * returns whether the user was a member.
     */
    public boolean remove(String huddleId, String hostId, String memberId, boolean ban) {
        Huddle h = requireHost(huddleId, hostId);
        HuddleRepository.Outcome out = huddles.repository().removeMember(h.id(), memberId, Optional.of(hostId), ban, time.millis());
        if (out == HuddleRepository.Outcome.LAST_HOST) {
            throw AccessErrors.lastHost();
        }
        if (out == HuddleRepository.Outcome.DONE) {
            huddles.memberChanges().removed(h.id(), memberId);
            huddles.leftOrRemoved(h.id(), memberId);
        }
        return out == HuddleRepository.Outcome.DONE;
    }

    /** Lifts a ban; true if there was one. */
    public boolean unban(String huddleId, String hostId, String userId) {
        Huddle h = requireHost(huddleId, hostId);
        return huddles.repository().banned(h.id(), userId) && huddles.repository().unban(h.id(), userId);
    }

    /** A new invite and its token, shown once. */
    public record NewInvite(Huddle huddle, String token, Long expiresAt) {
    }
}
