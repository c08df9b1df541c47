-- One row per leadership: the node that holds it until expires_at (database clock). Maintenance
-- (lease rescue, retention, vacuum) runs on the node holding 'maintenance'; it renews its term
-- and another node takes over once the term has passed.
CREATE TABLE ${prefix}leader (
    name       VARCHAR(64)  PRIMARY KEY,
    leader_id  VARCHAR(255),
    expires_at TIMESTAMPTZ  NOT NULL
);
