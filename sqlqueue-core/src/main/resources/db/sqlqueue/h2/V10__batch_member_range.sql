-- The lowest and highest job id among a group's members, kept by whoever adds members (the group's row is
-- locked meanwhile), so that "the members of group g" is also a range of the primary key. PostgreSQL's batch
-- index then holds only the members RUNNING or WAITING; here the index on batch_id keeps every member.
ALTER TABLE ${prefix}batch ADD COLUMN first_id BIGINT;
ALTER TABLE ${prefix}batch ADD COLUMN last_id BIGINT;
UPDATE ${prefix}batch b SET first_id = (SELECT MIN(j.id) FROM ${prefix}job j WHERE j.batch_id = b.id),
    last_id = (SELECT MAX(j.id) FROM ${prefix}job j WHERE j.batch_id = b.id);
