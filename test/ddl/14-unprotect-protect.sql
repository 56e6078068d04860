-- 14 unprotect and protect again (a plain and a partitioned table, each in
-- one transaction, so no subject ever sees the ungoverned table): unprotect
-- takes the guards off and restores the row-level security settings; protect
-- puts them back; the settings are applied again.
--@ as admin
BEGIN;
SELECT flp.unprotect('ddl.clients');
SELECT ddl_check.eq('unprotected: row-level security as before, no flp policies',
	$$SELECT relrowsecurity, relforcerowsecurity,
	         (SELECT count(*) FROM pg_policy WHERE polrelid = 'ddl.clients'::regclass)
	    FROM pg_class WHERE oid = 'ddl.clients'::regclass$$, '(f,f,0)');
SELECT ddl_check.eq('unprotected: its settings are forgotten',
	$$SELECT count(*) FROM flp.field_permission WHERE tbl = 'ddl.clients'::regclass$$, '(0)');
SELECT flp.protect('ddl.clients');
SELECT flp.exclude_field('ddl.clients', 'id');
SELECT flp.set_permission('DdlSales', 'ddl.clients', NULL, 'edit');
SELECT flp.set_permission('DdlSales', 'ddl.clients', f, 'hide') FROM unnest('{tax_secret,pin,score}'::name[]) f;
COMMIT;
BEGIN;
SELECT flp.unprotect('ddl.events');
SELECT ddl_check.eq('unprotected partitioned table: every partition unguarded',
	$$SELECT count(*) FROM pg_policy WHERE polrelid IN (SELECT flp_internal.tree('ddl.events'))$$, '(0)');
SELECT flp.protect('ddl.events');
SELECT flp.exclude_field('ddl.events', 'id');
SELECT flp.set_permission('DdlSales', 'ddl.events', NULL, 'read');
SELECT flp.set_permission('DdlSales', 'ddl.events', 'details', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.events', 'amount', 'hide');
COMMIT;
SELECT ddl_check.eq('protected again: every partition guarded',
	$$SELECT count(*) FROM flp_internal.tree('ddl.events') t
	   WHERE EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t AND p.polname = 'flp_guard')$$, '(7)');
--@ as ddl_subject
SELECT ddl_check.eq('protected again: masks',
	$$SELECT id, name, tax_secret, pin, score FROM ddl.clients ORDER BY id$$,
	'(1,alpha,****,**,****) | (2,beta,****,**,****) | (3,gamma,****,**,****)');
SELECT ddl_check.refused('protected again: refusals', $$SELECT id FROM ddl.clients WHERE score = 'x'$$);
SELECT ddl_check.eq('protected again: partitions masked',
	$$SELECT id, details FROM ddl.events_latam$$, '(4,****)');
