-- 06 CLUSTER on an index of a visible field, VACUUM FULL, TRUNCATE (and new
-- rows): new relfilenodes, same governance.
--@ as admin
CLUSTER ddl.clients USING clients_name_idx;
VACUUM FULL ddl.clients;
VACUUM FULL ddl.events;
VACUUM FULL ANALYZE ddl.company;
TRUNCATE ddl.notes;
INSERT INTO ddl.notes VALUES (3, 1, 'again', 'CNRY_DDL_PRIVATE_3');
TRUNCATE ddl.events_na;
INSERT INTO ddl.events VALUES (2, 'na', 'renewal', 'CNRY_DDL_DETAIL_NA2', 987654321);
SELECT ddl_check.eq('still governed',
	$$SELECT count(*) FROM flp.governed_table WHERE tbl IN ('ddl.clients'::regclass, 'ddl.notes'::regclass)$$, '(2)');
--@ as ddl_subject
SELECT ddl_check.eq('clustered: masks',
	$$SELECT id, name, tax_secret, pin FROM ddl.clients ORDER BY name$$,
	'(1,alpha,****,**) | (2,beta,****,**) | (3,gamma,****,**)');
SELECT ddl_check.eq('truncated and refilled: masks',
	$$SELECT id, body, private FROM ddl.notes$$, '(3,again,****)');
SELECT ddl_check.refused('truncated: filter refused', $$SELECT id FROM ddl.notes WHERE private = 'x'$$);
SELECT ddl_check.eq('truncated partition refilled: masks',
	$$SELECT id, details FROM ddl.events_na$$, '(2,****)');
--@ as ddl_partner
SELECT ddl_check.eq('vacuumed scoped table: the partner user''s rows',
	$$SELECT id, tax_id FROM ddl.company ORDER BY id$$, '(1,****) | (2,****)');
