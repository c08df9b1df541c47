-- a1_insert.sql
INSERT INTO jobs(queue, payload) VALUES ('default', '{"task":"noop","n":1}');
