-- The conversation index learns when a live conversation with no agent
-- entered the queue it waits in, so lists show and sort by the wait as it
-- runs (internal/cache). wait_key is what sort=wait orders by: a waiting
-- conversation's key is 2^50 - waiting_since_ms, above every finished
-- wait and larger the longer it has waited; any other conversation's key
-- is its wait_ms.
ALTER TABLE conv_index ADD COLUMN waiting_since_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conv_index ADD COLUMN wait_key INTEGER NOT NULL DEFAULT 0;
UPDATE conv_index SET wait_key = wait_ms;
-- Live rows are indexed again the next time the sync or the live floor
-- reads them, which fills in waiting_since_ms.
UPDATE conv_index SET sha256 = '' WHERE status NOT IN ('CLOSED', 'TERMINATED');
DROP INDEX conv_index_wait;
DROP INDEX conv_index_status_wait;
CREATE INDEX conv_index_wait        ON conv_index (wait_key, n);
CREATE INDEX conv_index_status_wait ON conv_index (status, wait_key, n);
