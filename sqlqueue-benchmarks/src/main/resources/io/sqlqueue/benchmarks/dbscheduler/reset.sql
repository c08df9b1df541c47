-- Empties db-scheduler's table between its runs.
TRUNCATE scheduled_tasks;
VACUUM ANALYZE scheduled_tasks;
