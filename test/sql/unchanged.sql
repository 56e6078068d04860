-- unchanged: what flp does not govern, PostgreSQL does as without flp.
-- Set-returning SQL functions that read no governed table are inlined (an
-- index scan through the function); those that read one, directly, through a
-- view or a row-level security policy, or call a refused function, stay
-- calls whose bodies flp plans and masks.  Reading flp's catalog takes no
-- predicate lock in a SERIALIZABLE transaction.
\set SHOW_CONTEXT never
SET flp.subject_explain = 'plan';

CREATE TABLE public.big (id int PRIMARY KEY, v text);
INSERT INTO public.big SELECT g, 'v' || g FROM generate_series(1, 5000) g;
ANALYZE public.big;
CREATE TABLE public.staff (id int PRIMARY KEY, name text, ssn text);
INSERT INTO public.staff SELECT g, 'n' || g, 'SSN-' || (1000 - g) FROM generate_series(1, 50) g;
ANALYZE public.staff;
CREATE ROLE regress_plain LOGIN;
CREATE ROLE regress_plain_team NOLOGIN;
GRANT regress_plain_team TO regress_plain;
GRANT SELECT ON public.big, public.staff TO regress_plain;
SELECT count(*) FROM (
	SELECT flp.protect('staff')
	UNION ALL SELECT flp.create_bundle('Plain')
	UNION ALL SELECT flp.set_permission('Plain', 'staff', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('Plain', 'staff', 'ssn', 'hide')
	UNION ALL SELECT flp.assign('Plain', 'regress_plain_team')) s;

CREATE FUNCTION public.rows_of_big() RETURNS SETOF public.big
	LANGUAGE sql STABLE AS 'SELECT * FROM public.big';
CREATE FUNCTION public.atomic_big() RETURNS SETOF public.big
	LANGUAGE sql STABLE BEGIN ATOMIC SELECT * FROM public.big; END;
CREATE FUNCTION public.rows_of_staff() RETURNS SETOF public.staff
	LANGUAGE sql STABLE AS 'SELECT * FROM public.staff';
CREATE FUNCTION public.atomic_staff() RETURNS SETOF public.staff
	LANGUAGE sql STABLE BEGIN ATOMIC SELECT * FROM public.staff; END;
CREATE VIEW public.staff_view AS SELECT * FROM public.staff;
GRANT SELECT ON public.staff_view TO regress_plain;
CREATE FUNCTION public.rows_of_staff_view() RETURNS SETOF public.staff
	LANGUAGE sql STABLE AS 'SELECT * FROM public.staff_view';
-- reads a function that reads the governed table: free itself, the inner
-- one stays a call
CREATE FUNCTION public.outer_staff() RETURNS SETOF public.staff
	LANGUAGE sql STABLE AS 'SELECT * FROM public.rows_of_staff()';
-- an ungoverned table whose row-level security policy reads a governed one
CREATE TABLE public.notes (id int PRIMARY KEY, note text);
INSERT INTO public.notes SELECT g, 'note ' || g FROM generate_series(1, 50) g;
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_by_staff ON public.notes
	USING (EXISTS (SELECT 1 FROM public.staff s WHERE s.id = notes.id AND s.ssn LIKE 'SSN-9%'));
GRANT SELECT ON public.notes TO regress_plain;
CREATE FUNCTION public.rows_of_notes() RETURNS SETOF public.notes
	LANGUAGE sql STABLE AS 'SELECT * FROM public.notes';
-- a body that calls a function flp refuses to some roles (an activity counter)
CREATE FUNCTION public.big_counted() RETURNS TABLE (id int, scans bigint)
	LANGUAGE sql STABLE
	AS 'SELECT id, pg_stat_get_numscans(''public.staff''::regclass) FROM public.big';

-- a superuser, and a subject: the same plan through an ungoverned table
EXPLAIN (COSTS OFF) SELECT * FROM public.rows_of_big() WHERE id = 42;
SET ROLE regress_plain;
EXPLAIN (COSTS OFF) SELECT * FROM public.rows_of_big() WHERE id = 42;
EXPLAIN (COSTS OFF) SELECT * FROM public.atomic_big() WHERE id = 42;
SELECT * FROM public.rows_of_big() WHERE id = 42;
-- in a subquery and a CTE too
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT * FROM public.rows_of_big()) b WHERE id = 42;
EXPLAIN (COSTS OFF) WITH b AS (SELECT * FROM public.rows_of_big()) SELECT * FROM b WHERE id = 42;

-- through a governed table: a call, planned and masked on its own
EXPLAIN (COSTS OFF) SELECT * FROM public.rows_of_staff() WHERE id = 7;
SELECT * FROM public.rows_of_staff() WHERE id = 7;
SELECT * FROM public.atomic_staff() WHERE id = 7;
SELECT * FROM public.rows_of_staff_view() WHERE id = 7;
EXPLAIN (COSTS OFF) SELECT * FROM public.outer_staff() WHERE id = 7;
SELECT * FROM public.outer_staff() WHERE id = 7;
-- the hidden value is not there to filter on
SELECT count(*) AS found_by_ssn FROM public.rows_of_staff() WHERE ssn = 'SSN-993';
SELECT count(*) AS found_by_ssn FROM public.outer_staff() WHERE ssn = 'SSN-993';
SELECT count(*) AS found_by_ssn FROM public.atomic_staff() WHERE ssn = 'SSN-993';
-- through a policy that reads a governed table: a call (flp checks the policy)
EXPLAIN (COSTS OFF) SELECT * FROM public.rows_of_notes() WHERE id = 7;
-- a call, whose body flp checks when it plans it (this role may count)
EXPLAIN (COSTS OFF) SELECT * FROM public.big_counted() WHERE id = 7;
SELECT regress.try($$SELECT * FROM public.big_counted() WHERE id = 7$$);
RESET ROLE;

-- replacing a free function's body with a read of the governed table: the
-- next planning sees it
CREATE OR REPLACE FUNCTION public.rows_of_big() RETURNS SETOF public.big
	LANGUAGE sql STABLE AS 'SELECT id, ssn FROM public.staff';
SET ROLE regress_plain;
EXPLAIN (COSTS OFF) SELECT * FROM public.rows_of_big() WHERE id = 7;
SELECT * FROM public.rows_of_big() WHERE id = 7;
RESET ROLE;

-- flp's catalog is read without predicate locks: after a change, the first
-- query of a SERIALIZABLE transaction reads it again, and locks only what
-- the query itself reads
SELECT flp.set_permission('Plain', 'staff', 'name', 'read');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SET LOCAL ROLE regress_plain;
SELECT id, name, ssn FROM public.staff WHERE id = 1;
RESET ROLE;
SELECT count(*) FILTER (WHERE c.relnamespace = 'flp'::regnamespace) AS flp_predicate_locks,
	bool_or(c.relname = 'staff') AS staff_locked
	FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.mode = 'SIReadLock';
COMMIT;
-- also flp's answers to the introspection functions
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT flp.effective('staff', 'ssn', 'regress_plain');
SELECT count(*) AS flp_predicate_locks FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	WHERE l.mode = 'SIReadLock' AND c.relnamespace = 'flp'::regnamespace;
COMMIT;

DROP FUNCTION public.rows_of_big(), public.atomic_big(), public.rows_of_staff(),
	public.atomic_staff(), public.rows_of_staff_view(), public.outer_staff(),
	public.rows_of_notes(), public.big_counted();
DROP VIEW public.staff_view;
DROP TABLE public.big, public.notes;
