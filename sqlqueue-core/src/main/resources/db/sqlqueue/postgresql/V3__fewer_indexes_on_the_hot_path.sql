-- Every index whose predicate a row matches takes an entry at each insert and at each non-HOT
-- update (and a job's claim and completion are never HOT: state is in the claim index's
-- predicate). These two were on the path of every job of every queue:
--   job_state_idx (state, queue, id) on every row: an entry at enqueue, claim and completion,
--     for listings and counts that the partial indexes serve (READY through the claim index,
--     RUNNING through the lease index, finished states through the finished index) or that
--     read the whole table anyway (the per-queue, per-state counts of the metrics);
--   job_fifo_idx (queue, ordering_key, id) on every READY and RUNNING row, although only FIFO
--     queues read it: their claim now finds each key's head in the claim and lease indexes.
-- Without them, inserting 10,000 jobs in one statement took 41 ms of the server's time instead of
-- 66 ms on the benchmark machine.
DROP INDEX IF EXISTS ${prefix}job_state_idx;
DROP INDEX IF EXISTS ${prefix}job_fifo_idx;
