-- Reassignment requests and their outcomes. The callback token itself is
-- never stored, only its SHA-256, so a copy of the database cannot be used
-- to forge an outcome.
CREATE TABLE transfers (
    id               INTEGER PRIMARY KEY,
    form_token       TEXT NOT NULL UNIQUE,      -- idempotency key from the form: a double submit is one transfer
    callback_hash    TEXT NOT NULL UNIQUE,      -- hex sha256 of the callback token
    callback_used    INTEGER NOT NULL DEFAULT 0,
    expires_at       TEXT NOT NULL,             -- callback accepted until then
    batch_id         TEXT NOT NULL DEFAULT '',  -- set for bulk moves
    actor            TEXT NOT NULL,
    client_addr      TEXT NOT NULL DEFAULT '',
    conversation_id  TEXT NOT NULL,
    session_id       TEXT NOT NULL,
    from_desc        TEXT NOT NULL DEFAULT '',  -- current agent or queue when requested
    target_kind      TEXT NOT NULL CHECK (target_kind IN ('agent', 'queue')),
    target_id        TEXT NOT NULL,
    target_name      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,             -- queued, requested, accepted, confirmed, failed, no_confirmation
    message          TEXT NOT NULL DEFAULT '',
    requested_at     TEXT NOT NULL,
    accepted_at      TEXT NOT NULL DEFAULT '',
    confirmed_at     TEXT NOT NULL DEFAULT '',
    callback_body    BLOB
);
CREATE INDEX transfers_conversation ON transfers (conversation_id, id);
CREATE INDEX transfers_session ON transfers (session_id, id);
CREATE INDEX transfers_batch ON transfers (batch_id, id) WHERE batch_id != '';
CREATE INDEX transfers_pending ON transfers (status, expires_at);
