-- L3: retires the legacy tracker. Not in db/migration on purpose: only the
-- `migrate retire-legacy-presence` command applies it (see docs/migration.md).
DELETE FROM presence;
DROP TABLE presence;
