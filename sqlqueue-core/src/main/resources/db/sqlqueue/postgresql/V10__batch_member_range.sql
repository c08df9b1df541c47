-- The lowest and highest job id among a group's members, kept by whoever adds members (the group's row is
-- locked meanwhile), so that "the members of group g" is a range of the primary key filtered on batch_id.
-- The batch index then needs to hold only the members RUNNING or WAITING: a member takes no entry when it is
-- enqueued READY, nor when it ends, and a batch of 100,000 jobs is enqueued and drained nearly as fast as the
-- same number of plain jobs. Whether a group has a member READY is one walk of that range from its highest id down.
ALTER TABLE ${prefix}batch ADD COLUMN first_id BIGINT, ADD COLUMN last_id BIGINT;
UPDATE ${prefix}batch b SET first_id = m.first_id, last_id = m.last_id
    FROM (SELECT batch_id, MIN(id) AS first_id, MAX(id) AS last_id FROM ${prefix}job
          WHERE batch_id IS NOT NULL GROUP BY batch_id) m
    WHERE m.batch_id = b.id;
DROP INDEX ${prefix}job_batch_idx;
CREATE INDEX ${prefix}job_batch_idx ON ${prefix}job (batch_id, state, id) WHERE batch_id IS NOT NULL AND state IN (1, 5);
