-- 01 baseline: before any DDL, the subject sees masks and is refused filters
-- on hidden fields; statistics exist (for super admins only).
--@ as admin
ANALYZE;
SELECT ddl_check.eq('admin sees statistics of governed tables',
	$$SELECT count(*) > 0 FROM pg_stats WHERE schemaname = 'ddl'$$, '(t)');
--@ as ddl_subject
SELECT ddl_check.eq('names visible, hidden fields masked',
	$$SELECT id, name, region, secret, pin, score, doomed, note FROM ddl.accounts ORDER BY id$$,
	'(1,alpha,emea,****,****,,****,"note 1") | (2,beta,na,****,****,,****,"note 2") | (3,gamma,emea,****,****,,****,"note 3")');
SELECT ddl_check.refused('filter on a hidden field', $$SELECT id FROM ddl.accounts WHERE secret = 'x'$$);
SELECT ddl_check.eq('the report view masks',
	$$SELECT name, region, secret FROM ddl.account_report ORDER BY id$$,
	'(alpha,emea,****) | (beta,na,****) | (gamma,emea,****)');
SELECT ddl_check.eq('no statistics for subjects',
	$$SELECT count(*) FROM pg_stats WHERE schemaname = 'ddl'$$, '(0)');
SELECT ddl_check.eq('partitions masked',
	$$SELECT id, title, detail, amount FROM ddl.events ORDER BY id$$,
	'(1,kickoff,****,) | (2,renewal,****,)');
--@ as ddl_partner
SELECT ddl_check.eq('the partner user sees its companies, tax_id masked',
	$$SELECT id, name, tax_id FROM ddl.company ORDER BY id$$, '(1,Acme,****) | (2,Globex,****)');
