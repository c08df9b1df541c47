-- The lowest and highest job id among a group's members, kept by whoever adds members (the group's row is
-- locked meanwhile), so that "the members of group g" is also a range of the primary key. PostgreSQL's batch
-- index then holds only the members RUNNING or WAITING; here the index on batch_id keeps every member.
ALTER TABLE ${prefix}batch ADD COLUMN first_id BIGINT NULL, ADD COLUMN last_id BIGINT NULL;
UPDATE ${prefix}batch b JOIN (SELECT batch_id, MIN(id) AS first_id, MAX(id) AS last_id FROM ${prefix}job
        WHERE batch_id IS NOT NULL GROUP BY batch_id) m ON m.batch_id = b.id
    SET b.first_id = m.first_id, b.last_id = m.last_id;
