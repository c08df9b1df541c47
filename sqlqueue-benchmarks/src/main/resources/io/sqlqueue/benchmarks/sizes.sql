-- Bloat indicators: the job table and its claim index in bytes, and the dead row versions vacuum has yet to remove.
SELECT pg_total_relation_size('sqlqueue_job') AS table_bytes, pg_relation_size('sqlqueue_job_claim_idx') AS claim_index_bytes, (SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'sqlqueue_job'::regclass) AS dead_rows;
