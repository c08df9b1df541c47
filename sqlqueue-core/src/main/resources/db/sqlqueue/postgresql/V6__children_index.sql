-- A job's children in any state, newest first, for the dashboard's job page: the parent index holds only
-- WAITING children (what the completer resolves). Only child jobs take an entry.
CREATE INDEX ${prefix}job_children_idx ON ${prefix}job (parent_id, id) WHERE parent_id IS NOT NULL;
