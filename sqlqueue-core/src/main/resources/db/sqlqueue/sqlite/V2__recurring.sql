-- One row per recurring schedule: the tick that is due next. Enqueueing a tick moves it forward
-- with a compare-and-set, so each tick enqueues exactly one job. (FIFO claims need no lock table
-- here: SQLite runs one writing statement at a time.)
CREATE TABLE ${prefix}recurring (
    name        TEXT    PRIMARY KEY,
    cron        TEXT    NOT NULL,
    zone        TEXT    NOT NULL,
    next_run_at INTEGER NOT NULL,
    last_job_id INTEGER
);
