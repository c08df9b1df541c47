-- After a bulk prefill, as the ceiling does after its own.
VACUUM ANALYZE sqlqueue_job;
