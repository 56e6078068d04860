-- 09 ATTACH PARTITION of a table that is governed on its own to a governed
-- partitioned table is refused (it would keep its own rules when read
-- directly); once unprotected, it attaches and follows the parent's rules,
-- also when read directly.
--@ as admin
CREATE TABLE ddl.events_own (id int, region text, title text, details text, amount bigint);
SELECT flp.protect('ddl.events_own', 'edit');
INSERT INTO ddl.events_own VALUES (6, 'own', 'own rules', 'CNRY_DDL_DETAIL_OWN', 987654321);
SELECT ddl_check.fails('protect refuses a partition of a governed table',
	$$SELECT flp.protect('ddl.events_apac')$$, '55000');
SELECT ddl_check.fails('attaching a table governed on its own is refused',
	$$ALTER TABLE ddl.events ATTACH PARTITION ddl.events_own FOR VALUES IN ('own')$$, '55000');
SELECT flp.unprotect('ddl.events_own');
ALTER TABLE ddl.events ATTACH PARTITION ddl.events_own FOR VALUES IN ('own');
GRANT SELECT ON ddl.events_own TO ddl_subject;
SELECT ddl_check.eq('attached: guarded, as a partition of a governed table',
	$$SELECT relrowsecurity, relforcerowsecurity,
	         EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = c.oid AND polname = 'flp_guard')
	    FROM pg_class c WHERE c.oid = 'ddl.events_own'::regclass$$, '(t,t,t)');
--@ as ddl_subject
SELECT ddl_check.eq('through the parent: the parent''s rules',
	$$SELECT id, details, amount FROM ddl.events WHERE region = 'own'$$, '(6,****,)');
SELECT ddl_check.eq('read directly: the parent''s rules',
	$$SELECT id, title, details, amount FROM ddl.events_own$$, '(6,"own rules",****,)');
