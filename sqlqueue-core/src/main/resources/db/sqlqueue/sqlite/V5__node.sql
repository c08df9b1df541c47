-- One row per running worker node: it records that it is alive every node heartbeat (database clock),
-- with what it runs (JSON: queues, handler slots, job types, version). A node silent until expires_at
-- is dead: the maintenance leader gives its RUNNING jobs back without waiting out their leases. A node
-- that stops gracefully deletes its row.
CREATE TABLE ${prefix}node (
    id           TEXT NOT NULL PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    info         TEXT
);
