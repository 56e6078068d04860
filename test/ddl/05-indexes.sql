-- 05 CREATE INDEX on hidden fields, ANALYZE: the indexes change nothing for
-- subjects (no filter, order or statistics on hidden fields).
--@ as admin
CREATE INDEX clients_tax_secret_idx ON ddl.clients (tax_secret);
CREATE INDEX clients_score_idx ON ddl.clients (score);
CREATE INDEX clients_name_secret_idx ON ddl.clients (name, tax_secret);
CREATE INDEX events_details_idx ON ddl.events (details);
CREATE STATISTICS ddl.clients_stats ON name, tax_secret FROM ddl.clients;
ANALYZE ddl.clients, ddl.events;
--@ as ddl_subject
SET enable_seqscan = off;
SELECT ddl_check.refused('index on a hidden field: WHERE', $$SELECT id FROM ddl.clients WHERE tax_secret = 'x'$$);
SELECT ddl_check.refused('index on a hidden field: range', $$SELECT id FROM ddl.clients WHERE tax_secret > ''$$);
SELECT ddl_check.refused('index on a hidden field: ORDER BY', $$SELECT id FROM ddl.clients ORDER BY tax_secret$$);
SELECT ddl_check.refused('index on a hidden field: GROUP BY', $$SELECT count(*) FROM ddl.clients GROUP BY score$$);
SELECT ddl_check.eq('index-only candidates are masked',
	$$SELECT tax_secret FROM ddl.clients$$, '(****) | (****) | (****)');
SELECT ddl_check.eq('the composite index: visible prefix filter, masked rest',
	$$SELECT name, tax_secret FROM ddl.clients WHERE name = 'alpha'$$, '(alpha,****)');
SELECT ddl_check.eq('min/max of a hidden field are masks',
	$$SELECT min(tax_secret), max(score) FROM ddl.clients$$, '(****,****)');
SELECT ddl_check.eq('no statistics of governed tables',
	$$SELECT (SELECT count(*) FROM pg_stats WHERE schemaname = 'ddl')
	       + (SELECT count(*) FROM pg_stats_ext WHERE schemaname = 'ddl')$$, '(0)');
SELECT ddl_check.eq('partitioned index: masks',
	$$SELECT details FROM ddl.events ORDER BY id$$, '(****) | (****)');
