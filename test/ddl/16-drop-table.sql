-- 16 drop governed tables and partitions: their catalog rows disappear,
-- subjects get "does not exist" (never an internal error).
--@ as admin
DROP TABLE ddl.notes;
DROP TABLE ddl.events_emea;
SELECT ddl_check.eq('the dropped table left no catalog rows',
	$$SELECT count(*) FROM flp.governed_table WHERE tbl::text NOT LIKE 'ddl.%'$$, '(0)');
SELECT ddl_check.eq('the dropped partition left no guard row',
	$$SELECT count(*) FROM flp.guarded_relation WHERE relid::oid NOT IN (SELECT oid FROM pg_class)$$, '(0)');
--@ as ddl_subject
SELECT ddl_check.fails('a dropped table', $$SELECT * FROM ddl.notes$$, '42P01');
SELECT ddl_check.fails('a dropped partition', $$SELECT * FROM ddl.events_emea$$, '42P01');
SELECT ddl_check.eq('the dropped table is gone from the effective permissions',
	$$SELECT count(*) FROM flp.effective_permissions() WHERE tbl::text = 'ddl.notes'$$, '(0)');
SELECT ddl_check.eq('the parent without the dropped partition',
	$$SELECT id, details FROM ddl.events ORDER BY id$$, '(3,****) | (4,****) | (5,****) | (6,****)');
--@ as admin
DROP TABLE ddl.events;
DROP VIEW ddl.account_report;
DROP TABLE ddl.clients;
SELECT ddl_check.eq('the dropped tables left no catalog rows',
	$$SELECT (SELECT count(*) FROM flp.governed_table) + (SELECT count(*) FROM flp.field_permission
	          WHERE tbl::oid NOT IN (SELECT oid FROM pg_class))$$, '(2)');
--@ as ddl_subject
SELECT ddl_check.fails('a dropped partitioned table', $$SELECT * FROM ddl.events$$, '42P01');
SELECT ddl_check.fails('a partition dropped with its parent', $$SELECT * FROM ddl.events_latam$$, '42P01');
SELECT ddl_check.eq('effective permissions: only the remaining governed tables',
	$$SELECT DISTINCT tbl::text FROM flp.effective_permissions() ORDER BY 1$$, '(ddl.company) | (ddl.events_na)');
