-- Every failed attempt of a job (retried, dead-lettered, timed out, or failed while its cancellation was
-- requested): its number, the node that ran it, when it ended (database clock), the state it sent the job to,
-- the error and a bounded stack trace. Written with the outcome by the completer; successes write nothing
-- here. Deleted with their job (retention, purge, delete). Not unique on (job_id, attempt): a row that could
-- not be written must never hold back the outcome it belongs to.
CREATE TABLE ${prefix}job_attempt (
    job_id      BIGINT       NOT NULL,
    attempt     INTEGER      NOT NULL,
    state       SMALLINT     NOT NULL,
    node        VARCHAR(255),
    ended_at    DATETIME(6)  NOT NULL,
    error       TEXT,
    stack_trace TEXT,
    KEY ${prefix}job_attempt_job_idx (job_id, attempt),
    KEY ${prefix}job_attempt_ended_idx (ended_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
