-- 10 DETACH PARTITION: the detached table leaves its governed parent but
-- stays governed, on its own: every field hidden but the parent's excluded
-- ones, until a super admin grants it (fail closed); its guard is kept.
--@ as admin
ALTER TABLE ddl.events DETACH PARTITION ddl.events_na;
SELECT ddl_check.eq('the detached table: governed on its own, all hidden',
	$$SELECT tbl::text, default_permission FROM flp.governed_table WHERE tbl = 'ddl.events_na'::regclass$$,
	'(ddl.events_na,hide)');
SELECT ddl_check.eq('the detached table keeps the parent''s excluded fields',
	$$SELECT string_agg(field, ',' ORDER BY field) FROM flp.excluded_field WHERE tbl = 'ddl.events_na'::regclass$$,
	'(id)');
SELECT ddl_check.eq('the detached table keeps one guard',
	$$SELECT string_agg(polname, ',' ORDER BY polname) FROM pg_policy WHERE polrelid = 'ddl.events_na'::regclass$$,
	'("flp_guard,flp_open")');
--@ as ddl_subject
SELECT ddl_check.eq('the detached table read directly: hidden',
	$$SELECT id, region, title, details, amount FROM ddl.events_na$$, '(2,****,****,****,)');
SELECT ddl_check.eq('the parent has no na rows any more',
	$$SELECT id FROM ddl.events ORDER BY id$$, '(1) | (3) | (4) | (5) | (6)');
