-- Empties sqlqueue's tables between scenarios so each starts from the same state.
TRUNCATE sqlqueue_job RESTART IDENTITY;
VACUUM ANALYZE sqlqueue_job;
