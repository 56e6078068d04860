-- filters: a hidden field, or anything derived from one, in any filter
-- position is refused with 42501 before anything runs; read fields and
-- excluded fields filter normally; row-level security policies are trusted.
\set SHOW_CONTEXT never
-- (plans' shapes are part of what this suite shows subjects)
SET flp.subject_explain = 'plan';

CREATE TABLE public.accounts (id int PRIMARY KEY, name text, region text, ssn text, score int);
INSERT INTO public.accounts VALUES (1, 'Acme', 'emea', '111', 5), (2, 'Globex', 'na', '222', 7);
CREATE TABLE public.deals (id int, account_id int, ssn text, amount numeric);
INSERT INTO public.deals VALUES (10, 1, '111', 100), (11, 2, 'zzz', 200);
CREATE ROLE regress_sub LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.accounts, public.deals TO regress_sub;
SELECT count(*) FROM (
	SELECT flp.protect('accounts') UNION ALL SELECT flp.protect('deals')
	UNION ALL SELECT flp.exclude_field('accounts', 'id')
	UNION ALL SELECT flp.create_bundle('Sub')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', 'ssn', 'hide')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', 'score', 'hide')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', 'region', 'read')
	UNION ALL SELECT flp.set_permission('Sub', 'deals', NULL, 'edit')
	UNION ALL SELECT flp.assign('Sub', 'regress_sub')) s;
CREATE VIEW public.v_acc AS SELECT id, name, ssn AS tax, score * 2 AS double_score FROM accounts;
CREATE VIEW public.v_filtered AS SELECT id, name FROM accounts WHERE ssn IS NOT NULL;
CREATE VIEW public.v_grouped AS SELECT region, count(*) AS n FROM accounts GROUP BY region;
GRANT SELECT ON public.v_acc, public.v_filtered, public.v_grouped TO regress_sub;

SET ROLE regress_sub;

-- the full message: field, table, role, clause, and a hint
\set VERBOSITY default
SELECT id FROM accounts WHERE ssn = '111';
\set VERBOSITY terse

-- every filter position
SELECT regress.why($$SELECT id FROM accounts WHERE ssn LIKE '1%'$$);
SELECT regress.why($$SELECT a.id FROM accounts a JOIN deals d ON d.ssn = a.ssn$$);
SELECT regress.why($$SELECT name FROM accounts JOIN deals USING (ssn)$$);
SELECT regress.why($$SELECT aid FROM (SELECT id AS aid, ssn FROM accounts) a NATURAL JOIN (SELECT ssn FROM deals) d$$);
SELECT regress.why($$SELECT ssn, count(*) FROM accounts GROUP BY ssn$$);
SELECT regress.why($$SELECT count(*) FROM accounts GROUP BY ROLLUP (ssn)$$);
SELECT regress.why($$SELECT region FROM accounts GROUP BY region HAVING max(ssn) > '1'$$);
SELECT regress.why($$SELECT id FROM accounts ORDER BY ssn$$);
SELECT regress.why($$SELECT id FROM accounts ORDER BY score DESC$$);
SELECT regress.why($$SELECT DISTINCT ON (ssn) id FROM accounts$$);
SELECT regress.why($$SELECT rank() OVER (PARTITION BY ssn) FROM accounts$$);
SELECT regress.why($$SELECT rank() OVER (ORDER BY score) FROM accounts$$);
SELECT regress.why($$SELECT count(*) FILTER (WHERE ssn = '111') FROM accounts$$);
SELECT regress.why($$SELECT sum(id) FILTER (WHERE ssn = '111') OVER () FROM accounts$$);
SELECT regress.why($$SELECT id FROM accounts a WHERE EXISTS (SELECT 1 FROM deals d WHERE d.ssn = a.ssn)$$);
SELECT regress.why($$SELECT id FROM accounts WHERE id IN (SELECT id FROM accounts WHERE score > 5)$$);
SELECT regress.why($$SELECT id FROM deals WHERE ssn IN (SELECT ssn FROM accounts)$$);
SELECT regress.why($$SELECT id FROM accounts TABLESAMPLE bernoulli (100) WHERE score > 0$$);
SELECT regress.why($$SELECT id FROM deals TABLESAMPLE bernoulli ((SELECT score FROM accounts LIMIT 1))$$);
SELECT regress.why($$UPDATE accounts SET name = name WHERE ssn = '111'$$);
SELECT regress.why($$DELETE FROM accounts WHERE score > 100$$);
SELECT regress.why($$MERGE INTO deals d USING accounts a ON a.ssn = d.ssn
	WHEN MATCHED THEN UPDATE SET amount = 0$$);
SELECT regress.why($$MERGE INTO deals d USING accounts a ON a.id = d.account_id
	WHEN MATCHED AND a.score > 1 THEN UPDATE SET amount = 0$$);
SELECT regress.why($$INSERT INTO accounts (id, name) VALUES (1, 'x')
	ON CONFLICT (id) DO UPDATE SET name = 'y' WHERE accounts.ssn = '111'$$);

-- derived values: expressions, views, subqueries, CTEs, whole rows, sublinks
SELECT regress.why($$SELECT id FROM accounts WHERE upper(ssn) = '111'$$);
SELECT regress.why($$SELECT id FROM accounts WHERE coalesce(ssn, name) = 'Acme'$$);
SELECT regress.why($$SELECT id FROM accounts a WHERE a::text LIKE '%111%'$$);
SELECT regress.why($$SELECT id FROM accounts a WHERE row_to_json(a)->>'ssn' = '111'$$);
SELECT regress.why($$SELECT id FROM v_acc WHERE tax = '111'$$);
SELECT regress.why($$SELECT id FROM v_acc ORDER BY double_score$$);
SELECT regress.why($$SELECT id FROM (SELECT id, ssn AS s FROM accounts) x WHERE s = '111'$$);
SELECT regress.why($$WITH c AS (SELECT id, ssn FROM accounts) SELECT id FROM c WHERE ssn = '111'$$);
SELECT regress.why($$WITH RECURSIVE r(n, s) AS (SELECT 1, ssn FROM accounts
						   UNION ALL SELECT n + 1, s FROM r WHERE n < 2)
SELECT n FROM r WHERE s = '111'$$);
SELECT regress.why($$SELECT id FROM accounts a WHERE (SELECT a.ssn) = '111'$$);
SELECT regress.why($$SELECT id FROM accounts a, LATERAL (SELECT a.ssn AS s) l WHERE l.s = '111'$$);
SELECT regress.why($$SELECT x FROM (SELECT ssn AS x FROM accounts UNION ALL SELECT name FROM accounts) u WHERE x = '111'$$);

-- filters inside views count, whoever owns the view
SELECT regress.why($$SELECT * FROM v_filtered$$);
SELECT * FROM v_grouped ORDER BY region;

-- SQL functions inlined into the query are held to the same rules
RESET ROLE;
CREATE FUNCTION public.is_111(text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = ''111''';
SET ROLE regress_sub;
SELECT regress.why($$SELECT id FROM accounts WHERE is_111(ssn)$$);
-- (in the select list it computes on the mask)
SELECT id, is_111(ssn) FROM accounts ORDER BY id;

-- what is allowed: read and excluded fields in filters, hidden fields in
-- the select list, plain DISTINCT and aggregates over masks
SELECT id, name, ssn FROM accounts WHERE region = 'emea' ORDER BY region, id;
SELECT id FROM accounts WHERE id = 2 ORDER BY id;
SELECT region, count(*) FROM accounts GROUP BY region ORDER BY region;
SELECT DISTINCT ssn FROM accounts;
SELECT count(DISTINCT ssn), max(score) FROM accounts;
SELECT d.id, a.name FROM deals d JOIN accounts a ON a.id = d.account_id ORDER BY d.id;
-- refusals happen before anything runs, EXPLAIN included
EXPLAIN (COSTS OFF) SELECT id FROM accounts WHERE ssn = '111';
RESET ROLE;

-- the audit trail: flp.log_denials writes every refusal to the log
SET flp.log_denials = on;
SET client_min_messages = log;
SET ROLE regress_sub;
SELECT id FROM accounts WHERE ssn = '111';
UPDATE accounts SET region = 'x';
RESET ROLE;
RESET client_min_messages;
RESET flp.log_denials;
-- only a superuser may turn it off for a session
SET ROLE regress_sub;
SET flp.log_denials = off;
RESET ROLE;

-- row-level security policies are trusted: they may use hidden fields
CREATE POLICY only_111 ON public.accounts AS RESTRICTIVE USING (ssn = '111');
SET ROLE regress_sub;
SELECT id, name, ssn FROM accounts ORDER BY id;
RESET ROLE;
DROP POLICY only_111 ON public.accounts;

-- super admins may filter on anything
SELECT id FROM accounts WHERE ssn = '111' ORDER BY score;

-- clean up
DROP VIEW public.v_acc, public.v_filtered, public.v_grouped;
DROP FUNCTION public.is_111(text);
SELECT count(*) FROM (SELECT flp.unprotect('accounts') UNION ALL SELECT flp.unprotect('deals')
					  UNION ALL SELECT flp.drop_bundle('Sub')) s;
DROP TABLE public.accounts, public.deals;
DROP ROLE regress_sub;
