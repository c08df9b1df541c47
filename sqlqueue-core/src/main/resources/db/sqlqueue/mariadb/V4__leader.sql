-- One row per leadership: the node that holds it until expires_at (database clock, UTC). Maintenance
-- (lease rescue, retention) runs on the node holding 'maintenance'; it renews its term and another
-- node takes over once the term has passed.
CREATE TABLE ${prefix}leader (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    leader_id  VARCHAR(255),
    expires_at DATETIME(6)  NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
