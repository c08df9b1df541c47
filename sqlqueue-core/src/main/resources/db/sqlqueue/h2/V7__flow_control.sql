-- Flow control. One row per queue whose controls were set (see the PostgreSQL script for the columns).
CREATE TABLE ${prefix}queue (
    name               VARCHAR(128) PRIMARY KEY,
    paused             BOOLEAN      DEFAULT FALSE NOT NULL,
    global_concurrency INTEGER,
    key_concurrency    INTEGER,
    rate_limit         INTEGER,
    rate_period_ms     BIGINT,
    rate_per_key       BOOLEAN      DEFAULT FALSE NOT NULL,
    updated_at         TIMESTAMP(6) WITH TIME ZONE
);

CREATE TABLE ${prefix}rate_start (
    queue           VARCHAR(128)                NOT NULL,
    concurrency_key VARCHAR(255),
    started_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX ${prefix}rate_start_idx ON ${prefix}rate_start (queue, started_at);

CREATE TABLE ${prefix}unique_lock (
    unique_key VARCHAR(255) PRIMARY KEY,
    created_at TIMESTAMP(6) WITH TIME ZONE
);

ALTER TABLE ${prefix}job ADD COLUMN concurrency_key VARCHAR(255);
CREATE INDEX ${prefix}job_unique_any_idx ON ${prefix}job (unique_key);
