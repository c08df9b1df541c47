-- Bloat indicators: the job table and its claim index, in bytes.
SELECT pg_total_relation_size('sqlqueue_job') AS table_bytes, pg_relation_size('sqlqueue_job_claim_idx') AS claim_index_bytes;
