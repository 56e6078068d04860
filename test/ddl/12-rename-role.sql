-- 12 rename the roles holding assignments (the subject and its group role):
-- assignments hold OIDs and follow; the renamed subject gets the same answers.
--@ as admin
ALTER ROLE ddl_subject RENAME TO ddl_subject_renamed;
ALTER ROLE ddl_sales RENAME TO ddl_sales_renamed;
SELECT ddl_check.eq('the assignment names the renamed group',
	$$SELECT bundle, role::text FROM flp.assignment WHERE bundle = 'DdlSales'$$, '(DdlSales,ddl_sales_renamed)');
--@ as ddl_subject_renamed
SELECT ddl_check.eq('the renamed subject: masks',
	$$SELECT id, name, tax_secret, pin FROM ddl.clients ORDER BY id$$,
	'(1,alpha,****,**) | (2,beta,****,**) | (3,gamma,****,**)');
SELECT ddl_check.refused('the renamed subject: refusals', $$SELECT id FROM ddl.clients WHERE tax_secret = 'x'$$);
SELECT ddl_check.eq('the renamed subject: explain names the renamed roles',
	$$SELECT detail FROM flp.explain('ddl.clients', 'tax_secret') WHERE source = 'bundle "DdlSales"'$$,
	'("assigned to role ""ddl_sales_renamed"", whose privileges ""ddl_subject_renamed"" has; grants the table at edit; field-level hide")');
SELECT * FROM ddl_check.sweep();
--@ as admin
ALTER ROLE ddl_subject_renamed RENAME TO ddl_subject;
ALTER ROLE ddl_sales_renamed RENAME TO ddl_sales;
