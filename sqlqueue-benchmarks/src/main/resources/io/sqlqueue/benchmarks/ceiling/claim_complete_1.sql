-- a2_claim1_complete.sql: the claim returns one id, bound to the completion's ?
WITH c AS (SELECT id FROM jobs WHERE queue='default' AND state=0 AND run_at<=now() ORDER BY priority DESC, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) UPDATE jobs j SET state=1, attempts=attempts+1, locked_until=now()+interval '5 minutes' FROM c WHERE j.id=c.id RETURNING j.id;
UPDATE jobs SET state=2, locked_until=NULL WHERE id=?;
