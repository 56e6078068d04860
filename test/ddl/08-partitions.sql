-- 08 new partitions of a governed partitioned table: created (also a
-- sub-partitioned one) and attached (a table with its columns in another
-- order): guarded at once, and masked for subjects who read them directly.
--@ as admin
CREATE TABLE ddl.events_apac PARTITION OF ddl.events FOR VALUES IN ('apac');
INSERT INTO ddl.events VALUES (3, 'apac', 'launch', 'CNRY_DDL_DETAIL_APAC', 987654321);
CREATE TABLE ddl.events_eu PARTITION OF ddl.events FOR VALUES IN ('eu') PARTITION BY LIST (title);
CREATE TABLE ddl.events_eu_all PARTITION OF ddl.events_eu DEFAULT;
INSERT INTO ddl.events VALUES (5, 'eu', 'summit', 'CNRY_DDL_DETAIL_EU', 987654321);
CREATE TABLE ddl.events_latam (amount bigint, details text, title text, region text, id int);
INSERT INTO ddl.events_latam VALUES (987654321, 'CNRY_DDL_DETAIL_LATAM', 'expansion', 'latam', 4);
ALTER TABLE ddl.events ATTACH PARTITION ddl.events_latam FOR VALUES IN ('latam');
-- privileges on the partitions themselves, given after they are governed
GRANT SELECT ON ddl.events_apac, ddl.events_eu, ddl.events_eu_all, ddl.events_latam
	TO ddl_subject, ddl_owner;
SELECT ddl_check.eq('new partitions: row-level security enabled and forced, guard policies',
	$$SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
	         (SELECT string_agg(p.polname || CASE WHEN p.polpermissive THEN '' ELSE '(restrictive)' END, ',' ORDER BY p.polname)
	            FROM pg_policy p WHERE p.polrelid = c.oid)
	    FROM pg_class c WHERE c.oid IN ('ddl.events_apac'::regclass, 'ddl.events_eu'::regclass,
	                                    'ddl.events_eu_all'::regclass, 'ddl.events_latam'::regclass)
	   ORDER BY 1$$,
	'(events_apac,t,t,"flp_guard(restrictive),flp_open") | (events_eu,t,t,"flp_guard(restrictive),flp_open") | (events_eu_all,t,t,"flp_guard(restrictive),flp_open") | (events_latam,t,t,"flp_guard(restrictive),flp_open")');
--@ as ddl_subject
SELECT ddl_check.eq('the parent: every partition masked',
	$$SELECT id, region, title, details, amount FROM ddl.events ORDER BY id$$,
	'(1,emea,kickoff,****,) | (2,na,renewal,****,) | (3,apac,launch,****,) | (4,latam,expansion,****,) | (5,eu,summit,****,)');
SELECT ddl_check.eq('a created partition read directly',
	$$SELECT id, title, details, amount FROM ddl.events_apac$$, '(3,launch,****,)');
SELECT ddl_check.eq('an attached partition read directly (columns matched by name)',
	$$SELECT id, title, details, amount FROM ddl.events_latam$$, '(4,expansion,****,)');
SELECT ddl_check.eq('the attached partition, whole row',
	$$SELECT to_jsonb(l) FROM ddl.events_latam l$$,
	'("{""id"": 4, ""title"": ""expansion"", ""amount"": null, ""region"": ""latam"", ""details"": ""****""}")');
SELECT ddl_check.eq('a sub-partition read directly',
	$$SELECT id, details, amount FROM ddl.events_eu_all$$, '(5,****,)');
SELECT ddl_check.refused('filter on an attached partition', $$SELECT id FROM ddl.events_latam WHERE details = 'x'$$);
SELECT ddl_check.refused('filter on a sub-partition', $$SELECT id FROM ddl.events_eu_all WHERE amount > 0$$);
SELECT ddl_check.eq('effective permissions of the attached partition',
	$$SELECT flp.effective('ddl.events_latam', 'details'), flp.effective('ddl.events_latam', 'title')$$,
	'(hide,read)');
