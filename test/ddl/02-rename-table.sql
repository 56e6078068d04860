-- 02 rename a governed table (and its index): catalog rows hold the OID and
-- follow; the guard stays; masks and refusals apply under the new name.
--@ as admin
ALTER TABLE ddl.accounts RENAME TO clients;
ALTER INDEX ddl.accounts_name_idx RENAME TO clients_name_idx;
SELECT ddl_check.eq('governed under the new name',
	$$SELECT tbl::text, default_permission FROM flp.governed_table WHERE tbl = 'ddl.clients'::regclass$$,
	'(ddl.clients,hide)');
SELECT ddl_check.eq('field permissions follow the table',
	$$SELECT field, permission FROM flp.field_permission WHERE tbl = 'ddl.clients'::regclass ORDER BY field$$,
	'(doomed,hide) | (note,read) | (pin,hide) | (score,hide) | (secret,hide)');
SELECT ddl_check.eq('the guard policy stays',
	$$SELECT polname FROM pg_policy WHERE polrelid = 'ddl.clients'::regclass ORDER BY 1$$,
	'(flp_guard) | (flp_open)');
--@ as ddl_subject
SELECT ddl_check.eq('masks under the new name',
	$$SELECT id, name, secret, pin, score FROM ddl.clients ORDER BY id$$,
	'(1,alpha,****,****,) | (2,beta,****,****,) | (3,gamma,****,****,)');
SELECT ddl_check.refused('filter on a hidden field, new name', $$SELECT id FROM ddl.clients WHERE pin = 'x'$$);
SELECT ddl_check.fails('the old name is gone', $$SELECT 1 FROM ddl.accounts$$, '42P01');
SELECT ddl_check.eq('the report view follows',
	$$SELECT name, secret FROM ddl.account_report ORDER BY id$$, '(alpha,****) | (beta,****) | (gamma,****)');
SELECT ddl_check.eq('effective permissions under the new name',
	$$SELECT field, permission FROM flp.effective_permissions() WHERE tbl = 'ddl.clients'::regclass ORDER BY field$$,
	'(doomed,hide) | (id,edit) | (name,edit) | (note,read) | (pin,hide) | (region,edit) | (score,hide) | (secret,hide)');
