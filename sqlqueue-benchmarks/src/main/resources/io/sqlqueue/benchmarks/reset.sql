-- Empties sqlqueue's tables between scenarios so each starts from the same state: no jobs, and no queue
-- paused or limited by a scenario before (a limit left behind would hold back every later drain).
TRUNCATE sqlqueue_job RESTART IDENTITY;
TRUNCATE sqlqueue_job_attempt;
DELETE FROM sqlqueue_queue;
DELETE FROM sqlqueue_rate_start;
VACUUM ANALYZE sqlqueue_job;
TRUNCATE sqlqueue_batch RESTART IDENTITY;
TRUNCATE sqlqueue_dependency;
