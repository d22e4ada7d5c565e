-- The parts of a case file besides the conversation record (internal/cache,
-- parts.go): a session's transcript (every getMessagesV2 page), its
-- conversation details (the summary), its interactionDetails row(s), its
-- survey answers and, for calls, its recordings list. Bodies live in
-- cache_blobs like the conversations', by content hash, so eviction, purge
-- and the audit log's references treat them alike.

-- One row per part of a session, keyed "<part>:<sessionId>".
CREATE TABLE case_parts (
    key         TEXT    PRIMARY KEY,
    part        TEXT    NOT NULL,            -- transcript | details | interaction | survey | recordings
    session_id  TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,            -- cache_blobs.sha256
    final       INTEGER NOT NULL DEFAULT 0,  -- 1: can no longer change, served for ever
    fetched_at  INTEGER NOT NULL,            -- unix ms: upstream last confirmed this body
    accessed_at INTEGER NOT NULL             -- unix ms: last served
);
CREATE INDEX case_parts_session  ON case_parts (session_id);
CREATE INDEX case_parts_sha      ON case_parts (sha256);
CREATE INDEX case_parts_accessed ON case_parts (accessed_at);

-- Every distinct version of a part, in the order it was seen.
CREATE TABLE case_part_snapshots (
    id            INTEGER PRIMARY KEY,
    part          TEXT    NOT NULL,
    session_id    TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    first_seen_at INTEGER NOT NULL,  -- unix ms
    last_seen_at  INTEGER NOT NULL   -- unix ms
);
CREATE INDEX case_part_snapshots_session ON case_part_snapshots (session_id, part, id);
CREATE INDEX case_part_snapshots_sha     ON case_part_snapshots (sha256);

-- Transcript text of the sessions whose transcript is stored, for the
-- list's free-text search; the FTS rowid is transcript_docs.id. It keeps its
-- content (unlike conv_index_fts) so a result can show the matching snippet.
CREATE TABLE transcript_docs (
    id         INTEGER PRIMARY KEY,
    session_id TEXT    NOT NULL UNIQUE,
    sha256     TEXT    NOT NULL,         -- the transcript version indexed
    indexed_at INTEGER NOT NULL          -- unix ms
);
CREATE VIRTUAL TABLE transcript_fts USING fts5 (
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);
