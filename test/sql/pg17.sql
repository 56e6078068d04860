-- pg17: SQL and privileges new in PostgreSQL 16 and 17 (run on 17 and
-- later).  MERGE's join condition left the join tree (17) and is checked like
-- a filter; WHEN NOT MATCHED BY SOURCE, RETURNING and merge_action();
-- JSON_TABLE and the SQL/JSON query functions; MAINTAIN and pg_maintain let
-- a role that does not own a table CLUSTER it (see maintenance.sql).
-- (Per-grant INHERIT, new in 16: cache.sql.)
\set SHOW_CONTEXT never

CREATE TABLE public.people (id int PRIMARY KEY, name text, ssn text, profile jsonb);
INSERT INTO public.people VALUES
	(1, 'ann', 'SSN-1', '{"pin": 4711}'), (2, 'bob', 'SSN-2', '{"pin": 4712}'),
	(3, 'cy', 'SSN-3', '{"pin": 4713}');
CREATE INDEX people_ssn ON public.people (ssn);
CREATE ROLE regress_v17 LOGIN;
CREATE ROLE regress_v17_team NOLOGIN;
GRANT regress_v17_team TO regress_v17;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.people TO regress_v17;
SELECT count(*) FROM (
	SELECT flp.protect('people')
	UNION ALL SELECT flp.create_bundle('V17')
	UNION ALL SELECT flp.set_permission('V17', 'people', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('V17', 'people', 'ssn', 'hide')
	UNION ALL SELECT flp.set_permission('V17', 'people', 'profile', 'hide')
	UNION ALL SELECT flp.assign('V17', 'regress_v17_team')) s;

SET ROLE regress_v17;
-- the join condition of MERGE on a hidden field: refused, like a WHERE
MERGE INTO public.people p USING (VALUES ('SSN-1')) v(s) ON p.ssn = v.s
	WHEN MATCHED THEN DO NOTHING;
MERGE INTO public.people p USING (VALUES (1)) v(i) ON p.id = v.i AND p.ssn LIKE 'SSN%'
	WHEN MATCHED THEN UPDATE SET name = p.name;
-- WHEN NOT MATCHED BY SOURCE with a condition on a hidden field: refused
MERGE INTO public.people p USING (VALUES (1)) v(i) ON p.id = v.i
	WHEN NOT MATCHED BY SOURCE AND p.ssn = 'SSN-2' THEN UPDATE SET name = p.name;
-- and on visible fields: allowed
BEGIN;
MERGE INTO public.people p USING (VALUES (1)) v(i) ON p.id = v.i
	WHEN NOT MATCHED BY SOURCE AND p.name = 'bob' THEN UPDATE SET name = 'bobby';
SELECT id, name, ssn FROM public.people ORDER BY id;
ROLLBACK;
-- RETURNING and merge_action(): masked
BEGIN;
MERGE INTO public.people p USING (VALUES (1)) v(i) ON p.id = v.i
	WHEN MATCHED THEN UPDATE SET name = p.name
	RETURNING merge_action(), p.*, to_jsonb(p) ->> 'ssn' AS ssn_in_json;
ROLLBACK;
-- MERGE writing a hidden field: refused
MERGE INTO public.people p USING (VALUES (1)) v(i) ON p.id = v.i
	WHEN MATCHED THEN UPDATE SET ssn = 'x';
-- JSON_TABLE and the SQL/JSON query functions over a hidden jsonb: masked
SELECT p.id, jt.pin FROM public.people p
	LEFT JOIN LATERAL JSON_TABLE(p.profile, '$' COLUMNS (pin int PATH '$.pin')) jt ON true
	ORDER BY p.id;
SELECT id, JSON_VALUE(profile, '$.pin'), JSON_QUERY(profile, '$'), JSON_EXISTS(profile, '$.pin')
	FROM public.people ORDER BY id;
-- and refused in filters
SELECT p.id FROM public.people p, JSON_TABLE(p.profile, '$' COLUMNS (pin int PATH '$.pin')) jt
	WHERE jt.pin = 4711;
SELECT id FROM public.people WHERE JSON_EXISTS(profile, '$.pin ? (@ == 4711)');
RESET ROLE;

-- MAINTAIN on the table, and pg_maintain: no CLUSTER on an index of a hidden field
GRANT MAINTAIN ON public.people TO regress_v17;
SELECT kind, object, fix FROM flp.security_check() WHERE object LIKE '%regress_v17%';
SET ROLE regress_v17;
CLUSTER public.people USING people_ssn;
CLUSTER public.people USING people_pkey;
ANALYZE public.people;
RESET ROLE;
REVOKE MAINTAIN ON public.people FROM regress_v17;
GRANT pg_maintain TO regress_v17;
SELECT kind, object, fix FROM flp.security_check() WHERE object LIKE '%regress_v17%';
SET ROLE regress_v17;
CLUSTER public.people USING people_ssn;
RESET ROLE;
-- nor anything of it on a table with row rules
SELECT flp.add_data_rule('people', 'id <= 2') > 0 AS rule_added;
SET ROLE regress_v17;
SELECT count(*) AS in_scope FROM public.people;
ANALYZE public.people;
VACUUM (VERBOSE) public.people;
REINDEX TABLE public.people;
RESET ROLE;
REVOKE pg_maintain FROM regress_v17;
