-- Every failed attempt of a job (retried, dead-lettered, timed out, or failed while its cancellation was
-- requested): its number, the node that ran it, when it ended (database clock), the state it sent the job to,
-- the error and a bounded stack trace. Written with the outcome by the completer; successes write nothing
-- here. Deleted with their job (retention, purge, delete). Not unique on (job_id, attempt): a row that could
-- not be written must never hold back the outcome it belongs to.
CREATE TABLE ${prefix}job_attempt (
    job_id      INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    node        TEXT,
    ended_at    INTEGER NOT NULL,
    error       TEXT,
    stack_trace TEXT
);
CREATE INDEX ${prefix}job_attempt_job_idx ON ${prefix}job_attempt (job_id, attempt);
CREATE INDEX ${prefix}job_attempt_ended_idx ON ${prefix}job_attempt (ended_at);
