-- One stored time encoding: every timestamp is INTEGER milliseconds since the
-- Unix epoch, UTC, with 0 for "not yet". Earlier tables kept RFC 3339 text.
--
-- ms(x) below is CAST(ROUND(unixepoch(x, 'subsec') * 1000) AS INTEGER), and
-- '' (never set) becomes 0.

-- users
ALTER TABLE users ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN updated_ms INTEGER NOT NULL DEFAULT 0;
UPDATE users SET
    created_ms = CAST(ROUND(unixepoch(created_at, 'subsec') * 1000) AS INTEGER),
    updated_ms = CAST(ROUND(unixepoch(updated_at, 'subsec') * 1000) AS INTEGER);
ALTER TABLE users DROP COLUMN created_at;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users RENAME COLUMN created_ms TO created_at;
ALTER TABLE users RENAME COLUMN updated_ms TO updated_at;

-- api_tokens
ALTER TABLE api_tokens ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked_ms INTEGER NOT NULL DEFAULT 0;
UPDATE api_tokens SET
    created_ms = CAST(ROUND(unixepoch(created_at, 'subsec') * 1000) AS INTEGER),
    expires_ms = CAST(ROUND(unixepoch(expires_at, 'subsec') * 1000) AS INTEGER),
    revoked_ms = CASE revoked_at WHEN '' THEN 0 ELSE CAST(ROUND(unixepoch(revoked_at, 'subsec') * 1000) AS INTEGER) END;
ALTER TABLE api_tokens DROP COLUMN created_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN revoked_at;
ALTER TABLE api_tokens RENAME COLUMN created_ms TO created_at;
ALTER TABLE api_tokens RENAME COLUMN expires_ms TO expires_at;
ALTER TABLE api_tokens RENAME COLUMN revoked_ms TO revoked_at;

-- transfers
DROP INDEX transfers_pending;
ALTER TABLE transfers ADD COLUMN expires_ms   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN requested_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN accepted_ms  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN confirmed_ms INTEGER NOT NULL DEFAULT 0;
UPDATE transfers SET
    expires_ms   = CAST(ROUND(unixepoch(expires_at, 'subsec') * 1000) AS INTEGER),
    requested_ms = CAST(ROUND(unixepoch(requested_at, 'subsec') * 1000) AS INTEGER),
    accepted_ms  = CASE accepted_at  WHEN '' THEN 0 ELSE CAST(ROUND(unixepoch(accepted_at, 'subsec') * 1000) AS INTEGER) END,
    confirmed_ms = CASE confirmed_at WHEN '' THEN 0 ELSE CAST(ROUND(unixepoch(confirmed_at, 'subsec') * 1000) AS INTEGER) END;
ALTER TABLE transfers DROP COLUMN expires_at;
ALTER TABLE transfers DROP COLUMN requested_at;
ALTER TABLE transfers DROP COLUMN accepted_at;
ALTER TABLE transfers DROP COLUMN confirmed_at;
ALTER TABLE transfers RENAME COLUMN expires_ms   TO expires_at;
ALTER TABLE transfers RENAME COLUMN requested_ms TO requested_at;
ALTER TABLE transfers RENAME COLUMN accepted_ms  TO accepted_at;
ALTER TABLE transfers RENAME COLUMN confirmed_ms TO confirmed_at;
CREATE INDEX transfers_pending ON transfers (status, expires_at);

-- audit_log: the time is part of each entry's hash. Entries written before
-- this migration were hashed with nanosecond precision, so the nanoseconds
-- within the millisecond are kept in at_ns (0 for every later entry) and the
-- chain still verifies. The triggers are lifted only for this conversion.
DROP TRIGGER audit_log_no_update;
DROP INDEX audit_log_at;
ALTER TABLE audit_log RENAME COLUMN at TO at_text;
ALTER TABLE audit_log ADD COLUMN at    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN at_ns INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET
    at = unixepoch(substr(at_text, 1, 19)) * 1000
         + CASE WHEN instr(at_text, '.') = 0 THEN 0
                ELSE CAST(substr(substr(at_text, instr(at_text, '.') + 1, instr(at_text, 'Z') - instr(at_text, '.') - 1) || '000000000', 1, 9) AS INTEGER) / 1000000 END,
    at_ns = CASE WHEN instr(at_text, '.') = 0 THEN 0
                 ELSE CAST(substr(substr(at_text, instr(at_text, '.') + 1, instr(at_text, 'Z') - instr(at_text, '.') - 1) || '000000000', 1, 9) AS INTEGER) % 1000000 END;
ALTER TABLE audit_log DROP COLUMN at_text;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- schema_migrations itself
CREATE TABLE schema_migrations_ms (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
);
INSERT INTO schema_migrations_ms (version, name, applied_at)
    SELECT version, name, CASE typeof(applied_at) WHEN 'text' THEN CAST(ROUND(unixepoch(applied_at, 'subsec') * 1000) AS INTEGER) ELSE applied_at END
    FROM schema_migrations;
DROP TABLE schema_migrations;
ALTER TABLE schema_migrations_ms RENAME TO schema_migrations;

-- The conversation cache no longer keeps its own copy of the agent
-- directory (internal/directory is the only one).
DELETE FROM cache_entries WHERE endpoint = 'agents';
DELETE FROM cache_blobs WHERE sha256 NOT IN (SELECT sha256 FROM cache_entries)
    AND sha256 NOT IN (SELECT sha256 FROM cache_snapshots);
