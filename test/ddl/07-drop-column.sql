-- 07 drop a hidden and a visible field: their catalog rows disappear; a
-- field added later under an old name does not inherit old settings.
--@ as admin
ALTER TABLE ddl.clients DROP COLUMN doomed;
ALTER TABLE ddl.clients DROP COLUMN note;
SELECT ddl_check.eq('catalog rows of dropped fields are gone',
	$$SELECT field FROM flp.field_permission WHERE tbl = 'ddl.clients'::regclass ORDER BY 1$$,
	'(pin) | (score) | (tax_secret)');
ALTER TABLE ddl.clients ADD COLUMN doomed text DEFAULT 'fresh';
--@ as ddl_subject
SELECT ddl_check.eq('the remaining fields',
	$$SELECT string_agg(k, ',' ORDER BY k) FROM ddl.clients c, jsonb_object_keys(to_jsonb(c)) k WHERE c.id = 1$$,
	'("area,doomed,id,name,pin,score,tax_secret")');
SELECT ddl_check.eq('a new field under an old name gets the table level',
	$$SELECT flp.effective('ddl.clients', 'doomed')$$, '(edit)');
SELECT ddl_check.eq('masks after the drop',
	$$SELECT id, doomed, tax_secret, pin, score FROM ddl.clients ORDER BY id$$,
	'(1,fresh,****,**,****) | (2,fresh,****,**,****) | (3,fresh,****,**,****)');
SELECT ddl_check.fails('a dropped field is gone', $$SELECT note FROM ddl.clients$$, '42703');
