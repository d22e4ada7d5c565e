-- The append-only audit log. Each entry's hash covers its content and the
-- previous entry's hash, so an edited or removed row breaks the chain;
-- triggers refuse UPDATE and DELETE so no code path can rewrite history.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,               -- RFC 3339, UTC, nanoseconds
    actor       TEXT NOT NULL,               -- username, "token:<user>" or "system"
    client_addr TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,               -- e.g. session.lookup, agent.update
    target      TEXT NOT NULL DEFAULT '',    -- the main thing acted on
    details     TEXT NOT NULL DEFAULT '{}',  -- JSON object
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_actor  ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at     ON audit_log (at);

-- Every id an entry concerns (session id, conversation id, agent id,
-- "sha256:<snapshot hash>", username), so one search finds everything
-- done to a conversation, and cache eviction can spare referenced snapshots.
CREATE TABLE audit_refs (
    ref      TEXT    NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES audit_log (id),
    PRIMARY KEY (ref, entry_id)
) WITHOUT ROWID;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_refs_no_update BEFORE UPDATE ON audit_refs
BEGIN SELECT RAISE(ABORT, 'audit_refs is append-only'); END;
CREATE TRIGGER audit_refs_no_delete BEFORE DELETE ON audit_refs
BEGIN SELECT RAISE(ABORT, 'audit_refs is append-only'); END;
