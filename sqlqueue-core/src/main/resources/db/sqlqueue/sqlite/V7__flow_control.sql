-- Flow control. One row per queue whose controls were set (see the PostgreSQL script for the columns).
CREATE TABLE ${prefix}queue (
    name               TEXT    PRIMARY KEY,
    paused             INTEGER NOT NULL DEFAULT 0,
    global_concurrency INTEGER,
    key_concurrency    INTEGER,
    rate_limit         INTEGER,
    rate_period_ms     INTEGER,
    rate_per_key       INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER
);

CREATE TABLE ${prefix}rate_start (
    queue           TEXT    NOT NULL,
    concurrency_key TEXT,
    started_at      INTEGER NOT NULL
);
CREATE INDEX ${prefix}rate_start_idx ON ${prefix}rate_start (queue, started_at);

CREATE TABLE ${prefix}unique_lock (
    unique_key TEXT PRIMARY KEY,
    created_at INTEGER
);

ALTER TABLE ${prefix}job ADD COLUMN concurrency_key TEXT;

CREATE INDEX ${prefix}job_unique_any_idx ON ${prefix}job (unique_key) WHERE unique_key IS NOT NULL;

DROP INDEX IF EXISTS ${prefix}job_lease_idx;
CREATE INDEX ${prefix}job_lease_idx ON ${prefix}job (queue, locked_until) WHERE state = 1;
