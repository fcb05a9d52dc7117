-- Portable SQL: the same file runs on SQLite and PostgreSQL. Times are epoch milliseconds.
CREATE TABLE users (
    id           VARCHAR(256)  NOT NULL PRIMARY KEY,
    display_name VARCHAR(64)   NOT NULL,
    avatar_url   VARCHAR(2048),
    created_at   BIGINT        NOT NULL
);

CREATE TABLE huddles (
    id             VARCHAR(64)  NOT NULL PRIMARY KEY,
    slug           VARCHAR(96)  NOT NULL UNIQUE,
    title          VARCHAR(120) NOT NULL,
    created_by     VARCHAR(256) NOT NULL REFERENCES users (id),
    created_at     BIGINT       NOT NULL,
    public_viewing BOOLEAN      NOT NULL DEFAULT TRUE
);

CREATE TABLE memberships (
    huddle_id VARCHAR(64)  NOT NULL REFERENCES huddles (id) ON DELETE CASCADE,
    user_id   VARCHAR(256) NOT NULL REFERENCES users (id),
    role      VARCHAR(16)  NOT NULL CHECK (role IN ('participant', 'observer')),
    joined_at BIGINT       NOT NULL,
    PRIMARY KEY (huddle_id, user_id)
);

CREATE INDEX memberships_by_user ON memberships (user_id);
