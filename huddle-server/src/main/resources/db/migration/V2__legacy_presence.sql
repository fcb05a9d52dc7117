-- L1: the legacy tracker's table, as the old app kept it: one row per (huddle, user), refreshed by
-- upsertPresence heartbeats, deleted by clearPresence and by the stale-row job. Retired by
-- db/retire/V3__retire_legacy_presence.sql (the `migrate retire-legacy-presence` command).
CREATE TABLE presence (
    huddle_id    VARCHAR(64)  NOT NULL REFERENCES huddles (id) ON DELETE CASCADE,
    user_id      VARCHAR(256) NOT NULL REFERENCES users (id),
    is_speaking  BOOLEAN      NOT NULL DEFAULT FALSE,
    is_recording BOOLEAN      NOT NULL DEFAULT FALSE,
    last_seen    BIGINT       NOT NULL,
    PRIMARY KEY (huddle_id, user_id)
);

-- L2: a runtime switch of the rollout flag is recorded here so a restart does not undo it and the
-- retirement command can see it.
CREATE TABLE rollout_settings (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    value      VARCHAR(64)  NOT NULL,
    updated_at BIGINT       NOT NULL
);
