-- Per-user display preferences (theme, list columns and density), one row
-- per user and key. Owned by internal/prefs; deleted with the user.
CREATE TABLE user_prefs (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
