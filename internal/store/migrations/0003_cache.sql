-- The read-through cache of upstream responses, the snapshot history of each
-- conversation and the local conversation index (internal/cache).
--
-- Bodies are stored once per content hash (cache_blobs); cache entries and
-- snapshots point at them. The hash is "sha256:<hex>" without the prefix, the
-- same value the audit log records in audit_refs as "sha256:<hex>", which is
-- how eviction knows which bodies an audit entry still refers to.
CREATE TABLE cache_blobs (
    sha256     TEXT    NOT NULL UNIQUE,
    body       BLOB    NOT NULL,           -- the exact bytes upstream sent
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL            -- unix ms
);

-- One row per cached upstream answer, keyed "<endpoint>:<id>".
CREATE TABLE cache_entries (
    key             TEXT    PRIMARY KEY,
    endpoint        TEXT    NOT NULL,      -- conversation | session | agents
    conversation_id TEXT    NOT NULL DEFAULT '',
    session_id      TEXT    NOT NULL DEFAULT '',
    http_status     INTEGER NOT NULL,
    sha256          TEXT    NOT NULL,
    conv_status     TEXT    NOT NULL DEFAULT '',  -- decides freshness
    fetched_at      INTEGER NOT NULL,      -- unix ms: upstream last confirmed this body
    accessed_at     INTEGER NOT NULL,      -- unix ms: last served
    hits            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cache_entries_session  ON cache_entries (session_id) WHERE session_id <> '';
CREATE INDEX cache_entries_sha      ON cache_entries (sha256);
CREATE INDEX cache_entries_accessed ON cache_entries (accessed_at);

-- Every distinct version of a conversation, per endpoint shape, in the order
-- it was seen.
CREATE TABLE cache_snapshots (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT    NOT NULL,
    session_id      TEXT    NOT NULL DEFAULT '',
    endpoint        TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    conv_status     TEXT    NOT NULL DEFAULT '',
    first_seen_at   INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL
);
CREATE INDEX cache_snapshots_conv ON cache_snapshots (conversation_id, id);
CREATE INDEX cache_snapshots_sha  ON cache_snapshots (sha256);

-- The local index of conversations the list page, the overview and the CSV
-- export read. n is the keyset tie-breaker and the FTS rowid; it encodes the
-- start time (start_ms << 10 | k), so n order is start order.
CREATE TABLE conv_index (
    n              INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    session_id     TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT '',
    channel        TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    queues         TEXT    NOT NULL DEFAULT '',  -- names, for display
    agents         TEXT    NOT NULL DEFAULT '',  -- names, for display
    start_ms       INTEGER NOT NULL DEFAULT 0,
    end_ms         INTEGER NOT NULL DEFAULT 0,   -- 0 while live
    wait_ms        INTEGER NOT NULL DEFAULT 0,
    disposition    TEXT    NOT NULL DEFAULT '',
    customer_name  TEXT    NOT NULL DEFAULT '',
    customer_email TEXT    NOT NULL DEFAULT '',
    updated_ms     INTEGER NOT NULL DEFAULT 0,   -- upstream updatedAt
    sha256         TEXT    NOT NULL DEFAULT '',
    indexed_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conv_index_session     ON conv_index (session_id);
CREATE INDEX conv_index_start       ON conv_index (start_ms, n);
CREATE INDEX conv_index_end         ON conv_index (end_ms, n);
CREATE INDEX conv_index_wait        ON conv_index (wait_ms, n);
CREATE INDEX conv_index_status      ON conv_index (status, start_ms, n);
CREATE INDEX conv_index_status_end  ON conv_index (status, end_ms, n);
CREATE INDEX conv_index_status_wait ON conv_index (status, wait_ms, n);
CREATE INDEX conv_index_channel     ON conv_index (channel, start_ms, n);
CREATE INDEX conv_index_language    ON conv_index (language, start_ms, n);
CREATE INDEX conv_index_disposition ON conv_index (disposition, start_ms, n);

-- Queues and agents are many per conversation; start_ms is repeated here so a
-- queue or agent filter can walk its own index newest first.
CREATE TABLE conv_index_queues (
    conv     INTEGER NOT NULL REFERENCES conv_index (n) ON DELETE CASCADE,
    queue_id TEXT    NOT NULL,
    start_ms INTEGER NOT NULL,
    PRIMARY KEY (conv, queue_id)
) WITHOUT ROWID;
CREATE INDEX conv_index_queues_by_queue ON conv_index_queues (queue_id, start_ms, conv);

CREATE TABLE conv_index_agents (
    conv     INTEGER NOT NULL REFERENCES conv_index (n) ON DELETE CASCADE,
    agent_id TEXT    NOT NULL,   -- the agent's userId (u-…), as conversations carry it
    start_ms INTEGER NOT NULL,
    PRIMARY KEY (conv, agent_id)
) WITHOUT ROWID;
CREATE INDEX conv_index_agents_by_agent ON conv_index_agents (agent_id, start_ms, conv);

-- Distinct filter values (status, channel, language, queue, agent,
-- disposition) with a display label, so filter menus never scan the index.
CREATE TABLE conv_index_facets (
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

-- Free text over customer, summary and notes; rowid = conv_index.n.
CREATE VIRTUAL TABLE conv_index_fts USING fts5 (
    customer, summary, notes,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Progress of the background index sync, kept across restarts.
CREATE TABLE conv_sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    backfill_done  INTEGER NOT NULL DEFAULT 0,
    backfill_skip  INTEGER NOT NULL DEFAULT 0,
    last_start     INTEGER NOT NULL DEFAULT 0,
    last_end       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT    NOT NULL DEFAULT '',
    last_pages     INTEGER NOT NULL DEFAULT 0,
    last_rows      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO conv_sync_state (id) VALUES (1);
