-- Flow control. One row per queue whose controls were set: paused, at most N RUNNING across the
-- cluster, at most N RUNNING per concurrency key, at most N starts per period. Queues without a row
-- have none.
CREATE TABLE ${prefix}queue (
    name               VARCHAR(128) PRIMARY KEY,
    paused             BOOLEAN      NOT NULL DEFAULT FALSE,
    global_concurrency INTEGER,
    key_concurrency    INTEGER,
    rate_limit         INTEGER,
    rate_period_ms     BIGINT,
    rate_per_key       BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at         TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- The starts of rate-limited queues within their period (database clock), pruned by the leader.
CREATE TABLE ${prefix}rate_start (
    queue           VARCHAR(128) NOT NULL,
    concurrency_key VARCHAR(255),
    started_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX ${prefix}rate_start_idx ON ${prefix}rate_start (queue, started_at);

-- A row per unique key enqueued with a period or chosen states: locked while its jobs are looked up, so
-- that two enqueues of one key take turns.
CREATE TABLE ${prefix}unique_lock (
    unique_key VARCHAR(255) PRIMARY KEY,
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

ALTER TABLE ${prefix}job ADD COLUMN concurrency_key VARCHAR(255);

-- The jobs of a unique key in any state, for uniqueness over a period or chosen states.
CREATE INDEX ${prefix}job_unique_any_idx ON ${prefix}job (unique_key) WHERE unique_key IS NOT NULL;

-- RUNNING jobs by queue: the count a global concurrency limit is held to, and the running jobs of a FIFO
-- queue, without reading every running job of every queue. It replaces the lease index, whose rescue reads
-- the RUNNING rows only.
DROP INDEX IF EXISTS ${prefix}job_lease_idx;
CREATE INDEX ${prefix}job_lease_idx ON ${prefix}job (queue, locked_until) WHERE state = 1;
