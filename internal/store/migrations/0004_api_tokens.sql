-- Personal API tokens for audit scripts. The token itself is never
-- stored: it is a JWT signed with <data>/api-token.key whose jti is the id
-- here. A token works only while its row exists, is not revoked and has not
-- expired, so this table doubles as the revocation list.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,            -- the JWT's jti
    owner       TEXT NOT NULL,               -- username the token acts for
    label       TEXT NOT NULL DEFAULT '',    -- what it is for, e.g. "ticketing"
    created_by  TEXT NOT NULL,               -- admin who issued it
    created_at  TEXT NOT NULL,               -- RFC 3339, UTC
    expires_at  TEXT NOT NULL,               -- RFC 3339, UTC
    revoked_at  TEXT NOT NULL DEFAULT '',    -- '' while the token is valid
    revoked_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_owner ON api_tokens (owner);
