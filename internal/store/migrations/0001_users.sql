-- Dashboard accounts. Usernames compare case-insensitively so "Alice" and
-- "alice" cannot both exist; session_epoch is bumped to revoke every session
-- issued before the change (password/role change, disable, "log out everywhere").
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'lead', 'admin')),
    disabled      INTEGER NOT NULL DEFAULT 0,
    session_epoch INTEGER NOT NULL DEFAULT 1,
    time_zone     TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
