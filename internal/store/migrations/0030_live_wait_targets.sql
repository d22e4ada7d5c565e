-- Wait targets of the live floor's alerts (internal/live): a conversation
-- waiting in a queue longer than the queue's target raises an alert. The
-- row with queue_id '' is the default for queues without a row of their
-- own; target_ms 0 turns the wait alerts off for that queue.
CREATE TABLE live_wait_targets (
    queue_id   TEXT    PRIMARY KEY,
    target_ms  INTEGER NOT NULL CHECK (target_ms >= 0),
    updated_at INTEGER NOT NULL,            -- unix ms
    updated_by TEXT    NOT NULL DEFAULT ''
);
