-- The table of /work/shared/bench/setup_jobs.sql, in its own schema of the benchmark database.
-- :rows is replaced by the number of ready rows to pre-fill. One statement per line group, split on ';'.
CREATE SCHEMA IF NOT EXISTS sqlqueue_ceiling;
DROP TABLE IF EXISTS sqlqueue_ceiling.jobs;
CREATE TABLE sqlqueue_ceiling.jobs(
  id bigserial primary key,
  queue text not null default 'default',
  state smallint not null default 0,
  priority smallint not null default 0,
  run_at timestamptz not null default now(),
  attempts int not null default 0,
  locked_until timestamptz,
  payload jsonb not null default '{}');
INSERT INTO sqlqueue_ceiling.jobs(payload) SELECT jsonb_build_object('task','noop','n',g) FROM generate_series(1, :rows) g;
CREATE INDEX jobs_claim_idx ON sqlqueue_ceiling.jobs(queue, priority DESC, run_at, id) WHERE state=0;
VACUUM ANALYZE sqlqueue_ceiling.jobs;
CHECKPOINT;
