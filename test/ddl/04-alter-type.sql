-- 04 ALTER COLUMN TYPE of hidden fields: they stay hidden and show the mask
-- of their new type (text -> varchar(2): '**'; int -> text: '****').
--@ as admin
ALTER TABLE ddl.clients ALTER COLUMN pin TYPE varchar(2);
ALTER TABLE ddl.clients ALTER COLUMN score TYPE text;
ALTER TABLE ddl.clients ALTER COLUMN note TYPE varchar(40);
ALTER TABLE ddl.events ALTER COLUMN amount TYPE bigint;
SELECT ddl_check.eq('settings kept',
	$$SELECT field, permission FROM flp.field_permission
	   WHERE tbl = 'ddl.clients'::regclass AND field IN ('pin', 'score') ORDER BY 1$$,
	'(pin,hide) | (score,hide)');
--@ as ddl_subject
SELECT ddl_check.eq('masks of the new types',
	$$SELECT id, pin, score, pg_typeof(pin)::text, pg_typeof(score)::text FROM ddl.clients ORDER BY id$$,
	'(1,**,****,"character varying",text) | (2,**,****,"character varying",text) | (3,**,****,"character varying",text)');
SELECT ddl_check.refused('filter on the retyped field', $$SELECT id FROM ddl.clients WHERE score = 'x'$$);
SELECT ddl_check.refused('filter on the other retyped field', $$SELECT id FROM ddl.clients WHERE pin LIKE 'x%'$$);
SELECT ddl_check.eq('a retyped read field',
	$$SELECT note FROM ddl.clients WHERE note = 'note 2'$$, '("note 2")');
SELECT ddl_check.eq('partitions: retyped hidden field',
	$$SELECT id, amount, pg_typeof(amount)::text FROM ddl.events ORDER BY id$$, '(1,,bigint) | (2,,bigint)');
