-- After the prefill of a drain, as sqlqueue's drain does after its own.
VACUUM ANALYZE scheduled_tasks;
