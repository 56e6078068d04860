-- 11 drop a bundle that is assigned (to the subject's group role): its
-- effects disappear at once (table defaults apply); recreated and assigned
-- again, they come back.
--@ as admin
SELECT flp.drop_bundle('DdlSales');
SELECT ddl_check.eq('the assignment went with the bundle',
	$$SELECT count(*) FROM flp.assignment WHERE bundle = 'DdlSales'$$, '(0)');
--@ as ddl_subject
SELECT ddl_check.eq('no bundle: the table default (hide) for every field',
	$$SELECT id, name, area, tax_secret FROM ddl.clients ORDER BY id$$,
	'(1,****,****,****) | (2,****,****,****) | (3,****,****,****)');
SELECT ddl_check.refused('no bundle: a filter on a formerly visible field', $$SELECT id FROM ddl.clients WHERE name = 'alpha'$$);
SELECT ddl_check.eq('no bundles apply', $$SELECT count(*) FROM flp.bundles()$$, '(0)');
--@ as admin
SELECT flp.create_bundle('DdlSales');
SELECT flp.set_permission('DdlSales', 'ddl.clients', NULL, 'edit');
SELECT flp.set_permission('DdlSales', 'ddl.clients', f, 'hide') FROM unnest('{tax_secret,pin,score}'::name[]) f;
SELECT flp.set_permission('DdlSales', 'ddl.notes', NULL, 'edit');
SELECT flp.set_permission('DdlSales', 'ddl.notes', 'private', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.events', NULL, 'read');
SELECT flp.set_permission('DdlSales', 'ddl.events', 'details', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.events', 'amount', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.company', NULL, 'read');
SELECT flp.set_permission('DdlSales', 'ddl.company', 'tax_id', 'hide');
SELECT flp.assign('DdlSales', 'ddl_sales');
--@ as ddl_subject
SELECT ddl_check.eq('recreated: visible fields back, hidden ones masked',
	$$SELECT id, name, area, tax_secret FROM ddl.clients ORDER BY id$$,
	'(1,alpha,emea,****) | (2,beta,na,****) | (3,gamma,emea,****)');
SELECT ddl_check.refused('recreated: hidden field refused', $$SELECT id FROM ddl.clients WHERE tax_secret = 'x'$$);
SELECT ddl_check.eq('recreated: the bundle applies through the group role',
	$$SELECT bundle, source FROM flp.bundles()$$,
	'(DdlSales,"assigned to role ""ddl_sales"", whose privileges ""ddl_subject"" has")');
