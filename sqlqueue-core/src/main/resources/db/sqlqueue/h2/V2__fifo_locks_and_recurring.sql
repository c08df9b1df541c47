-- One row per FIFO queue: claims of a FIFO queue lock it, so that only one node at a time picks
-- the heads of its ordering keys.
CREATE TABLE ${prefix}queue_lock (
    queue VARCHAR(128) PRIMARY KEY
);

-- One row per recurring schedule: the tick that is due next. Enqueueing a tick moves it forward
-- with a compare-and-set, so each tick enqueues exactly one job however many nodes run.
CREATE TABLE ${prefix}recurring (
    name        VARCHAR(255) PRIMARY KEY,
    cron        VARCHAR(255)                NOT NULL,
    zone        VARCHAR(64)                 NOT NULL,
    next_run_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    last_job_id BIGINT
);
