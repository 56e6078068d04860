-- 15 ALTER TABLE ... OWNER TO a role that is not a super admin (warned),
-- and what that owner can do: its own queries are masked like any
-- subject's, it can rename columns (the catalog follows, though it may not
-- write it), but it cannot switch row-level security off nor drop or alter
-- flp's policies.
--@ as admin
ALTER TABLE ddl.clients OWNER TO ddl_owner;
ANALYZE ddl.clients;
--@ as ddl_subject
SELECT ddl_check.eq('another owner: masks for the subject',
	$$SELECT id, tax_secret FROM ddl.clients ORDER BY id$$, '(1,****) | (2,****) | (3,****)');
--@ as ddl_owner
SELECT ddl_check.eq('the owner, without a bundle: the table default',
	$$SELECT id, name, tax_secret FROM ddl.clients ORDER BY id$$, '(1,****,****) | (2,****,****) | (3,****,****)');
SELECT ddl_check.refused('the owner: refused like a subject', $$SELECT id FROM ddl.clients WHERE tax_secret = 'x'$$);
ALTER TABLE ddl.clients RENAME COLUMN pin TO pin_code;
SELECT ddl_check.fails('the owner cannot disable row-level security',
	$$ALTER TABLE ddl.clients DISABLE ROW LEVEL SECURITY$$, '55000');
SELECT ddl_check.fails('the owner cannot stop forcing row-level security',
	$$ALTER TABLE ddl.clients NO FORCE ROW LEVEL SECURITY$$, '55000');
SELECT ddl_check.fails('the owner cannot drop flp''s guard',
	$$DROP POLICY flp_guard ON ddl.clients$$, '55000');
SELECT ddl_check.fails('the owner cannot alter flp''s policies',
	$$ALTER POLICY flp_open ON ddl.clients USING (false)$$, '42501');
--@ as admin
SELECT ddl_check.eq('the owner''s rename is followed',
	$$SELECT count(*) FROM flp.field_permission WHERE tbl = 'ddl.clients'::regclass AND field = 'pin_code'$$, '(1)');
SELECT ddl_check.eq('row-level security and the guard are still on',
	$$SELECT relrowsecurity, relforcerowsecurity,
	         EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = c.oid AND polname = 'flp_guard')
	    FROM pg_class c WHERE c.oid = 'ddl.clients'::regclass$$, '(t,t,t)');
ALTER TABLE ddl.clients OWNER TO CURRENT_USER;
--@ as ddl_subject
SELECT ddl_check.eq('no statistics for subjects',
	$$SELECT count(*) FROM pg_stats WHERE schemaname = 'ddl'$$, '(0)');
COPY ddl.clients TO STDOUT;
