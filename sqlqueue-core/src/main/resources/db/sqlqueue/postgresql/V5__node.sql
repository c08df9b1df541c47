-- One row per running worker node: it records that it is alive every node heartbeat (database clock),
-- with what it runs (JSON: queues, handler slots, job types, version). A node silent until expires_at
-- is dead: the maintenance leader gives its RUNNING jobs back without waiting out their leases. A node
-- that stops gracefully deletes its row.
CREATE TABLE ${prefix}node (
    id           VARCHAR(255) NOT NULL PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    info         TEXT
);
