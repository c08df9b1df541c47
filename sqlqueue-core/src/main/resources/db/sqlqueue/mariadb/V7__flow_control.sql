-- Flow control. One row per queue whose controls were set (see the PostgreSQL script for the columns).
CREATE TABLE ${prefix}queue (
    name               VARCHAR(128) NOT NULL PRIMARY KEY,
    paused             BOOLEAN      NOT NULL DEFAULT FALSE,
    global_concurrency INT,
    key_concurrency    INT,
    rate_limit         INT,
    rate_period_ms     BIGINT,
    rate_per_key       BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at         DATETIME(6)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ${prefix}rate_start (
    queue           VARCHAR(128) NOT NULL,
    concurrency_key VARCHAR(255),
    started_at      DATETIME(6)  NOT NULL,
    KEY ${prefix}rate_start_idx (queue, started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ${prefix}unique_lock (
    unique_key VARCHAR(255) NOT NULL PRIMARY KEY,
    created_at DATETIME(6)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE ${prefix}job ADD COLUMN concurrency_key VARCHAR(255) NULL;
CREATE INDEX ${prefix}job_unique_any_idx ON ${prefix}job (unique_key);
