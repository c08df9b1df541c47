-- Workflows and batches (see the PostgreSQL script for what each column means).
CREATE TABLE ${prefix}batch (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    cancelled      INTEGER NOT NULL DEFAULT 0,
    succeeded      INTEGER,
    dead           INTEGER,
    cancelled_jobs INTEGER
);
CREATE INDEX ${prefix}batch_open_idx ON ${prefix}batch (id) WHERE finished_at IS NULL;

ALTER TABLE ${prefix}job ADD COLUMN batch_id INTEGER;
ALTER TABLE ${prefix}job ADD COLUMN step TEXT;
ALTER TABLE ${prefix}job ADD COLUMN callback_for INTEGER;
CREATE INDEX ${prefix}job_batch_idx ON ${prefix}job (batch_id, state) WHERE batch_id IS NOT NULL;
CREATE INDEX ${prefix}job_callback_idx ON ${prefix}job (callback_for) WHERE callback_for IS NOT NULL;

CREATE TABLE ${prefix}dependency (
    depends_on INTEGER NOT NULL,
    job_id     INTEGER NOT NULL,
    run_anyway INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (depends_on, job_id)
);
CREATE INDEX ${prefix}dependency_job_idx ON ${prefix}dependency (job_id);
