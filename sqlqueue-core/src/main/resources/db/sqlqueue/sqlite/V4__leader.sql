-- One row per leadership: the node that holds it until expires_at (epoch milliseconds). Maintenance
-- (lease rescue, retention) runs on the node holding 'maintenance'.
CREATE TABLE ${prefix}leader (
    name       TEXT    PRIMARY KEY,
    leader_id  TEXT,
    expires_at INTEGER NOT NULL
);
