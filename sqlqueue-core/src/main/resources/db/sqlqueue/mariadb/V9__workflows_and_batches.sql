-- Workflows and batches (see the PostgreSQL script for what each column means).
CREATE TABLE ${prefix}batch (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind           SMALLINT     NOT NULL,
    name           VARCHAR(255) NOT NULL,
    version        INT          NOT NULL DEFAULT 0,
    created_at     DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at    DATETIME(6),
    cancelled      SMALLINT     NOT NULL DEFAULT 0,
    succeeded      INT,
    dead           INT,
    cancelled_jobs INT,
    KEY ${prefix}batch_open_idx (finished_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE ${prefix}job ADD COLUMN batch_id BIGINT NULL, ADD COLUMN step VARCHAR(255) NULL,
    ADD COLUMN callback_for BIGINT NULL;
-- No partial indexes here: a job outside any group takes an entry keyed NULL, which its state changes leave
-- alone (the key holds no state).
CREATE INDEX ${prefix}job_batch_idx ON ${prefix}job (batch_id);
CREATE INDEX ${prefix}job_callback_idx ON ${prefix}job (callback_for);

CREATE TABLE ${prefix}dependency (
    depends_on BIGINT   NOT NULL,
    job_id     BIGINT   NOT NULL,
    run_anyway SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (depends_on, job_id),
    KEY ${prefix}dependency_job_idx (job_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
