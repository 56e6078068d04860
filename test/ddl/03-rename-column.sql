-- 03 rename columns (hidden and visible; of a plain and of a partitioned
-- table): catalog rows follow; masks and refusals apply under the new names.
--@ as admin
ALTER TABLE ddl.clients RENAME COLUMN secret TO tax_secret;
ALTER TABLE ddl.clients RENAME COLUMN region TO area;
ALTER TABLE ddl.events RENAME COLUMN detail TO details;
SELECT ddl_check.eq('field permissions follow the columns',
	$$SELECT tbl::text, field, permission FROM flp.field_permission
	   WHERE tbl IN ('ddl.clients'::regclass, 'ddl.events'::regclass) ORDER BY 1, 2$$,
	'(ddl.clients,doomed,hide) | (ddl.clients,note,read) | (ddl.clients,pin,hide) | (ddl.clients,score,hide) | (ddl.clients,tax_secret,hide) | (ddl.events,amount,hide) | (ddl.events,details,hide)');
--@ as ddl_subject
SELECT ddl_check.eq('masks under the new column names',
	$$SELECT id, area, tax_secret FROM ddl.clients ORDER BY id$$,
	'(1,emea,****) | (2,na,****) | (3,emea,****)');
SELECT ddl_check.refused('filter on the renamed hidden field', $$SELECT id FROM ddl.clients WHERE tax_secret = 'x'$$);
SELECT ddl_check.eq('filter on the renamed visible field',
	$$SELECT id FROM ddl.clients WHERE area = 'emea' ORDER BY id$$, '(1) | (3)');
SELECT ddl_check.fails('the old column name is gone', $$SELECT secret FROM ddl.clients$$, '42703');
SELECT ddl_check.eq('the view keeps its column names and masks',
	$$SELECT secret FROM ddl.account_report ORDER BY id$$, '(****) | (****) | (****)');
SELECT ddl_check.eq('a partition read directly, renamed column masked',
	$$SELECT id, details, amount FROM ddl.events_emea$$, '(1,****,)');
SELECT ddl_check.refused('filter on the renamed field of a partition',
	$$SELECT id FROM ddl.events_na WHERE details = 'x'$$);
