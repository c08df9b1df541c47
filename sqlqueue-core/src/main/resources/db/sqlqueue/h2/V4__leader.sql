-- One row per leadership: the node that holds it until expires_at (database clock). Maintenance
-- (lease rescue, retention) runs on the node holding 'maintenance'.
CREATE TABLE ${prefix}leader (
    name       VARCHAR(64)                 PRIMARY KEY,
    leader_id  VARCHAR(255),
    expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
