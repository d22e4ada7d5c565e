-- Server-side login sessions. The cookie carries a random id; only its
-- SHA-256 is stored here, so a copy of the database yields no usable
-- cookie. A session works while its row exists, is not revoked and has not
-- passed its idle or absolute timeout. Times are integer milliseconds UTC.
CREATE TABLE login_sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,            -- hex SHA-256 of the cookie's id
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method       TEXT    NOT NULL DEFAULT 'password', -- 'password' or 'oidc'
    client_addr  TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER NOT NULL DEFAULT 0           -- 0 while the session is valid
);
CREATE INDEX login_sessions_user ON login_sessions (user_id, revoked_at);

-- Failed sign-ins per (account, client address) pair: each failure past the
-- free ones doubles the wait before that pair may try again.
CREATE TABLE login_failures (
    account       TEXT    NOT NULL COLLATE NOCASE,
    client_addr   TEXT    NOT NULL,
    failures      INTEGER NOT NULL,
    last_failure  INTEGER NOT NULL,
    next_allowed  INTEGER NOT NULL,
    PRIMARY KEY (account, client_addr)
);
CREATE INDEX login_failures_last ON login_failures (last_failure);

-- Failed sign-ins per client address over all accounts, in fixed windows:
-- a loose cap on one address trying many accounts.
CREATE TABLE login_address_failures (
    client_addr   TEXT    PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    failures      INTEGER NOT NULL
);

-- Accounts signed in through an OpenID Connect provider: (issuer, subject)
-- names one person at the provider, linked to one dashboard user.
CREATE TABLE oidc_identities (
    issuer     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
