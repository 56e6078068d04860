-- records: record-level data rules (most restrictive of record and field
-- permission wins), and partner-scoped queries that use indexes.
\set SHOW_CONTEXT never
-- (plans' shapes are part of what this suite shows subjects)
SET flp.subject_explain = 'plan';

CREATE TABLE public.deals (id int PRIMARY KEY, region text, owner text, amount numeric,
						   stage text DEFAULT 'open');
INSERT INTO public.deals VALUES
	(1, 'emea', 'ann', 100, 'open'), (2, 'emea', 'bob', 200, 'won'),
	(3, 'na', 'ann', 300, 'open'), (4, 'na', 'cy', 400, 'lost');
CREATE ROLE regress_emea LOGIN;
CREATE ROLE regress_na LOGIN;
CREATE ROLE regress_manager LOGIN;
CREATE ROLE regress_nobody LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.deals
	TO regress_emea, regress_na, regress_manager, regress_nobody;
SELECT count(*) FROM (
	SELECT flp.protect('deals', 'edit')
	UNION ALL SELECT flp.register_user('regress_emea', 'full', '{"region": "emea"}')
	UNION ALL SELECT flp.register_user('regress_na', 'full', '{"region": "na"}')
	UNION ALL SELECT flp.register_user('regress_manager', 'full', '{"region": "na"}')
	UNION ALL SELECT flp.create_bundle('Managers')
	UNION ALL SELECT flp.set_permission('Managers', 'deals', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('Managers', 'deals', 'stage', 'read')
	UNION ALL SELECT flp.assign('Managers', 'regress_manager')) s;

-- no data rules: every row
SET ROLE regress_emea;
SELECT count(*) FROM deals;
RESET ROLE;

-- errors change nothing
SELECT regress.try($$SELECT flp.add_data_rule('deals', 'region = ')$$);
SELECT regress.try($$SELECT flp.add_data_rule('deals', 'amount + 1')$$);
SELECT regress.try($$SELECT flp.add_data_rule('deals', 'no_such_column = 1')$$);
SELECT regress.try($$SELECT flp.add_data_rule('deals', 'true', 'hide')$$);
SELECT regress.try($$SELECT flp.add_data_rule('deals', 'true', 'read', 'nope')$$);
SELECT regress.try($$SELECT flp.add_data_rule('pg_class', 'true')$$);
SELECT regress.try($$SELECT flp.drop_data_rule(-1)$$);
SELECT count(*) AS rules, (SELECT count(*) FROM pg_policy WHERE polrelid = 'deals'::regclass) AS policies
  FROM flp.data_rule;

-- every subject reads the deals of its own region; the managers edit open ones
SELECT flp.add_data_rule('deals', $$region = flp.attribute('region')$$) AS r1 \gset
SELECT flp.add_data_rule('deals', $$stage = 'open'$$, 'edit', 'Managers') AS r2 \gset
SELECT id, tbl, predicate, access, bundle FROM flp.data_rule ORDER BY id;
SELECT polname, polcmd, pg_get_expr(polqual, polrelid) AS using,
	   pg_get_expr(polwithcheck, polrelid) AS with_check
  FROM pg_policy WHERE polrelid = 'deals'::regclass AND polname LIKE 'flp_data%' ORDER BY polname;

SET ROLE regress_emea;
SELECT id, region FROM deals ORDER BY id;
-- read rows cannot be changed: UPDATE and DELETE do not reach them
UPDATE deals SET amount = 0 RETURNING id;
DELETE FROM deals RETURNING id;
SELECT regress.why($$INSERT INTO deals VALUES (5, 'emea', 'ann', 1, 'open')$$);
SET ROLE regress_na;
SELECT id, region FROM deals ORDER BY id;
-- a subject no rule lets in sees nothing
SET ROLE regress_nobody;
SELECT count(*) FROM deals;
SET ROLE regress_manager;
SELECT id, region, stage FROM deals ORDER BY id;
-- edit rows can be changed, read rows cannot
UPDATE deals SET amount = amount + 1 RETURNING id, amount;
-- the most restrictive of record and field permission wins: stage is read
SELECT regress.why($$UPDATE deals SET stage = 'won' WHERE id = 3$$);
SELECT regress.why($$INSERT INTO deals VALUES (6, 'na', 'dee', 600, 'open')$$);
INSERT INTO deals (id, region, owner, amount) VALUES (6, 'na', 'dee', 600) RETURNING id, stage;
UPDATE deals SET region = 'emea' WHERE id = 6 RETURNING id, region;
DELETE FROM deals WHERE id = 6 RETURNING id;
RESET ROLE;
-- also through a view owned by a superuser
CREATE VIEW public.deals_view AS SELECT id, region FROM public.deals;
GRANT SELECT ON public.deals_view TO regress_emea;
SET ROLE regress_emea;
SELECT * FROM deals_view ORDER BY id;
RESET ROLE;
DROP VIEW public.deals_view;
-- super admins see every row
SELECT count(*) FROM deals;

-- why (not)?
SELECT * FROM flp.explain_record('deals', '1', 'regress_na');
SELECT * FROM flp.explain_record('deals', '3', 'regress_manager');
SELECT * FROM flp.explain_record('deals', '4', 'regress_manager');

-- dropping the rules gives every row back
SELECT flp.drop_data_rule(:r2);
SELECT flp.drop_data_rule(:r1);
SELECT count(*) AS policies FROM pg_policy WHERE polrelid = 'deals'::regclass AND polname LIKE 'flp_data%';
SET ROLE regress_nobody;
SELECT count(*) FROM deals;
RESET ROLE;

-- a partner-scoped point query on a 1M-row table with 10,000 assignments
-- uses the table's index and never scans the assignment list per row
CREATE TABLE public.big (id int PRIMARY KEY, name text);
INSERT INTO public.big SELECT i, 'n' || i FROM generate_series(1, 1000000) i;
ANALYZE public.big;
CREATE ROLE regress_partner LOGIN;
GRANT SELECT ON public.big TO regress_partner;
SELECT count(*) FROM (
	SELECT flp.protect('big', 'edit')
	UNION ALL SELECT flp.add_partner('Bigco')
	UNION ALL SELECT flp.register_user('regress_partner', 'full', '{}', 'Bigco')
	UNION ALL SELECT flp.partner_scope('big', 'id')) s;
INSERT INTO flp.record_assignment
SELECT 'big'::regclass, (i * 37)::text, 'Bigco', NULL FROM generate_series(1, 10000) i;
SET ROLE regress_partner;
EXPLAIN (COSTS OFF) SELECT * FROM big WHERE id = 370;
SELECT * FROM big WHERE id = 370;
SELECT * FROM big WHERE id = 371;
EXPLAIN (COSTS OFF) SELECT count(*) FROM big WHERE id BETWEEN 1 AND 1000;
SELECT count(*) FROM big WHERE id BETWEEN 1 AND 1000;
RESET ROLE;
-- an internal user's plan has no trace of the scope
GRANT SELECT ON public.big TO regress_emea;
SET ROLE regress_emea;
EXPLAIN (COSTS OFF) SELECT * FROM big WHERE id = 370;
RESET ROLE;

-- the scope policy turns keys into text with ::text; where that cast is an
-- I/O conversion (integers, uuid, a domain over an integer) the plan asks
-- flp_internal.record_visible_key, which converts the same way; other casts (char(n)
-- drops trailing blanks) and text keys keep flp.record_visible
CREATE DOMAIN public.account_no AS int CHECK (VALUE > 0);
CREATE TABLE public.k_int2 (id int2, v text);
CREATE TABLE public.k_int8 (id int8, v text);
CREATE TABLE public.k_uuid (id uuid, v text);
CREATE TABLE public.k_dom (id public.account_no, v text);
CREATE TABLE public.k_char (id char(4), v text);
CREATE TABLE public.k_text (id text, v text);
INSERT INTO public.k_int2 VALUES (1, 'one'), (-2, 'minus two'), (32767, 'max'), (NULL, 'null');
INSERT INTO public.k_int8 VALUES (1, 'one'), (-9223372036854775808, 'min'), (9223372036854775807, 'max'),
	(2, 'two'), (NULL, 'null');
INSERT INTO public.k_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'yes'),
	('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'no');
INSERT INTO public.k_dom VALUES (7, 'seven'), (8, 'eight');
INSERT INTO public.k_char VALUES ('ab', 'ab'), ('abcd', 'abcd');
INSERT INTO public.k_text VALUES ('x', 'x'), ('y', 'y');
GRANT SELECT ON public.k_int2, public.k_int8, public.k_uuid, public.k_dom, public.k_char,
	public.k_text TO regress_partner;
SELECT count(*) FROM (
	SELECT flp.protect(t, 'edit'), flp.partner_scope(t, 'id')
	  FROM unnest('{k_int2, k_int8, k_uuid, k_dom, k_char, k_text}'::regclass[]) t) s;
SELECT count(*) FROM (
	SELECT flp.assign_record('Bigco', t::regclass, k)
	  FROM (VALUES ('k_int2', '1'), ('k_int2', '-2'), ('k_int2', '32767'),
				   ('k_int8', '-9223372036854775808'), ('k_int8', '9223372036854775807'),
				   ('k_uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('k_dom', '8'),
				   ('k_char', 'ab'), ('k_char', 'abcd'), ('k_text', 'y')) a(t, k)) s;
SET ROLE regress_partner;
SELECT 'int2' AS key, v FROM k_int2 UNION ALL SELECT 'int8', v FROM k_int8
 UNION ALL SELECT 'uuid', v FROM k_uuid UNION ALL SELECT 'domain', v FROM k_dom
 UNION ALL SELECT 'char', v FROM k_char UNION ALL SELECT 'text', v FROM k_text ORDER BY 1, 2;
EXPLAIN (COSTS OFF) SELECT * FROM k_int8 WHERE id > 0;
EXPLAIN (COSTS OFF) SELECT * FROM k_dom;
EXPLAIN (COSTS OFF) SELECT * FROM k_char;
EXPLAIN (COSTS OFF) SELECT * FROM k_text;
-- a prepared statement (a generic plan) answers the same, call after call
PREPARE k8(int8) AS SELECT v FROM k_int8 WHERE id = $1;
SET plan_cache_mode = force_generic_plan;
EXECUTE k8(9223372036854775807);
EXECUTE k8(2);
EXECUTE k8(9223372036854775807);
RESET plan_cache_mode;
DEALLOCATE k8;
-- the typed twin answers like flp.record_visible when called directly
SELECT flp_internal.record_visible_key('k_int8', 2::int8) AS two,
	   flp.record_visible('k_int8', '9223372036854775807') AS max,
	   flp_internal.record_visible_key('k_int8', 9223372036854775807::int8) AS max_typed,
	   flp_internal.record_visible_key('k_int8', NULL::int8) AS null_key;
RESET ROLE;
SELECT count(*) FROM (
	SELECT flp.unprotect(t)
	  FROM unnest('{k_int2, k_int8, k_uuid, k_dom, k_char, k_text}'::regclass[]) t) s;
DROP TABLE public.k_int2, public.k_int8, public.k_uuid, public.k_dom, public.k_char, public.k_text;
DROP DOMAIN public.account_no;

-- evaluating a data rule for another role is for super admins only, even
-- for a role that was granted EXECUTE on the internal function
GRANT EXECUTE ON FUNCTION flp_internal.eval_rule(regclass, name, text, text, regrole) TO regress_emea;
SET ROLE regress_emea;
SELECT regress.why($$SELECT flp_internal.eval_rule('deals', 'id', '1', 'true', 'regress_na')$$);
RESET ROLE;
REVOKE EXECUTE ON FUNCTION flp_internal.eval_rule(regclass, name, text, text, regrole) FROM regress_emea;

-- clean up
SELECT count(*) FROM (SELECT flp.unprotect('deals') UNION ALL SELECT flp.unprotect('big')
					  UNION ALL SELECT flp.drop_bundle('Managers')) s;
SELECT flp.unregister_user(role) FROM flp.registered_user ORDER BY role::text;
DELETE FROM flp.partner;
DROP TABLE public.deals, public.big;
DROP ROLE regress_emea, regress_na, regress_manager, regress_nobody, regress_partner;
