-- Server settings that change the figures: autovacuum keeps a busy queue's table small, synchronous_commit prices each commit.
SELECT current_setting('autovacuum') AS autovacuum, current_setting('synchronous_commit') AS synchronous_commit, current_setting('shared_buffers') AS shared_buffers, current_setting('max_connections') AS max_connections;
