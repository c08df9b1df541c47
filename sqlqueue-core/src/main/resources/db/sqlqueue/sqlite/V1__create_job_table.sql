-- sqlqueue job table for SQLite (3.42+). Single node only. Times are epoch milliseconds.
-- state: 0 READY, 1 RUNNING, 2 SUCCEEDED, 3 DEAD, 4 CANCELLED, 5 WAITING (for its parent)
CREATE TABLE ${prefix}job (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    queue            TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    metadata         TEXT,
    state            INTEGER NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    run_at           INTEGER NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    locked_until     INTEGER,
    locked_by        TEXT,
    unique_key       TEXT,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    parent_id        INTEGER,
    ordering_key     TEXT,
    result           TEXT,
    logs             TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    retention_ms     INTEGER
);

CREATE INDEX ${prefix}job_claim_idx ON ${prefix}job (queue, priority DESC, run_at, id) WHERE state = 0;
CREATE INDEX ${prefix}job_lease_idx ON ${prefix}job (locked_until) WHERE state = 1;
CREATE UNIQUE INDEX ${prefix}job_unique_idx ON ${prefix}job (unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1, 5);
CREATE INDEX ${prefix}job_parent_idx ON ${prefix}job (parent_id) WHERE parent_id IS NOT NULL AND state = 5;
CREATE INDEX ${prefix}job_fifo_idx ON ${prefix}job (queue, ordering_key, id) WHERE state IN (0, 1);
CREATE INDEX ${prefix}job_finished_idx ON ${prefix}job (state, finished_at) WHERE state IN (2, 3, 4);
CREATE INDEX ${prefix}job_state_idx ON ${prefix}job (state, queue, id);
