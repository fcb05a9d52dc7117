package dev.huddle.server.huddle;

import dev.huddle.server.http.ApiException;

/** The precise refusals of the huddle access rules (H4, H9); docs/http-api.md lists them. */
final class AccessErrors {
    private AccessErrors() {
    }

    /** Also what a user gets for a huddle they may not see: no existence oracle for private huddles. */
    static ApiException notFound(String idOrSlug) {
        return ApiException.notFound("no huddle '" + idOrSlug + "'");
    }

    static ApiException notAMember() {
        return new ApiException(403, "not_a_member",
                "you are not a member of this huddle; open it (POST /api/huddles/{id}/open) or join it first");
    }

    static ApiException notAHost() {
        return new ApiException(403, "not_a_host", "only the huddle's hosts may do this");
    }

    static ApiException lastHost() {
        return new ApiException(409, "last_host",
                "a huddle keeps at least one host: promote another member to host first (or name one when leaving)");
    }

    static ApiException tooManyInvites(int max) {
        return new ApiException(409, "too_many_invites",
                "a huddle holds at most " + max + " invites: revoke some first");
    }

    static ApiException inviteRequired() {
        return new ApiException(403, "invite_required",
                "this role needs a host's invite (inviteToken) or promotion by a host");
    }

    static ApiException invalidInvite() {
        return new ApiException(403, "invalid_invite", "this invite is not valid (unknown, revoked, expired or used up)");
    }

    static ApiException closed() {
        return new ApiException(403, "huddle_closed", "this huddle admits no new members");
    }

    static ApiException banned() {
        return new ApiException(403, "banned", "a host removed you from this huddle and banned you");
    }

    static ApiException noSuchMember(String userId) {
        return new ApiException(404, "not_found", "'" + userId + "' is not a member of this huddle");
    }
}
