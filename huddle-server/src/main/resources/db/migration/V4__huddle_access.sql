-- H9: hosts, join policy, invites and removals. Portable SQL (SQLite and PostgreSQL).
-- SQLite cannot change a CHECK constraint, so memberships is rebuilt with the host role.
ALTER TABLE huddles ADD COLUMN join_policy VARCHAR(16) NOT NULL DEFAULT 'open';

CREATE TABLE memberships_h9 (
    huddle_id VARCHAR(64)  NOT NULL REFERENCES huddles (id) ON DELETE CASCADE,
    user_id   VARCHAR(256) NOT NULL REFERENCES users (id),
    role      VARCHAR(16)  NOT NULL CHECK (role IN ('host', 'participant', 'observer')),
    joined_at BIGINT       NOT NULL,
    PRIMARY KEY (huddle_id, user_id)
);

INSERT INTO memberships_h9 (huddle_id, user_id, role, joined_at)
SELECT huddle_id, user_id, role, joined_at FROM memberships;

-- Existing huddles: the creator is their first host (a creator who left is enrolled again as host).
INSERT INTO memberships_h9 (huddle_id, user_id, role, joined_at)
SELECT h.id, h.created_by, 'host', h.created_at FROM huddles h
WHERE NOT EXISTS (SELECT 1 FROM memberships_h9 m WHERE m.huddle_id = h.id AND m.user_id = h.created_by);

UPDATE memberships_h9 SET role = 'host'
WHERE user_id = (SELECT h.created_by FROM huddles h WHERE h.id = memberships_h9.huddle_id);

DROP TABLE memberships;
ALTER TABLE memberships_h9 RENAME TO memberships;
CREATE INDEX memberships_by_user ON memberships (user_id);

-- Invites: the token is the id (public handle, listed to hosts) followed by a secret; only the
-- secret's SHA-256 is kept.
CREATE TABLE huddle_invites (
    id          VARCHAR(32)  NOT NULL PRIMARY KEY,
    huddle_id   VARCHAR(64)  NOT NULL REFERENCES huddles (id) ON DELETE CASCADE,
    secret_hash VARCHAR(64)  NOT NULL,
    role        VARCHAR(16)  NOT NULL CHECK (role IN ('host', 'participant')),
    max_uses    BIGINT,
    uses        BIGINT       NOT NULL DEFAULT 0,
    expires_at  BIGINT,
    created_by  VARCHAR(256) NOT NULL REFERENCES users (id),
    created_at  BIGINT       NOT NULL
);

CREATE INDEX huddle_invites_by_huddle ON huddle_invites (huddle_id);

-- A host's removal of a member, kept until the user rejoins (or, when banned, until a host unbans them).
CREATE TABLE huddle_removals (
    huddle_id  VARCHAR(64)  NOT NULL REFERENCES huddles (id) ON DELETE CASCADE,
    user_id    VARCHAR(256) NOT NULL REFERENCES users (id),
    banned     BOOLEAN      NOT NULL,
    removed_by VARCHAR(256) NOT NULL REFERENCES users (id),
    removed_at BIGINT       NOT NULL,
    PRIMARY KEY (huddle_id, user_id)
);
