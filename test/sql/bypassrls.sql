-- bypassrls: field rules hold for every subject, whatever its row-level
-- attributes.  A subject with BYPASSRLS reads masked values (also by COPY),
-- sees no statistics of governed tables, and is refused where only
-- row-level security would protect: writes that could show hidden values in
-- constraint errors, and tables whose rows flp's row rules scope.  TRUNCATE,
-- which skips row-level security, is refused on scoped tables.
\set SHOW_CONTEXT never

CREATE TABLE public.bp (id int PRIMARY KEY, name text, secret text);
INSERT INTO public.bp SELECT i, 'n' || i, 'bp-secret-' || (i % 3) FROM generate_series(1, 60) i;
CREATE TABLE public.bp_scoped (id int PRIMARY KEY, name text);
INSERT INTO public.bp_scoped VALUES (1, 'one'), (2, 'two');
ANALYZE public.bp;
CREATE ROLE regress_etl LOGIN BYPASSRLS;
CREATE ROLE regress_plain LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.bp, public.bp_scoped TO regress_etl, regress_plain;
SELECT flp.protect('bp');
SELECT flp.protect('bp_scoped', 'edit');
SELECT flp.create_bundle('BP');
SELECT flp.set_permission('BP', 'bp', NULL, 'edit');
SELECT flp.set_permission('BP', 'bp', 'secret', 'hide');
SELECT flp.assign('BP', 'regress_etl');
SELECT flp.assign('BP', 'regress_plain');
SELECT flp.add_data_rule('bp_scoped', 'id = 1') AS rule \gset
CREATE TABLE public.bp_few (id int PRIMARY KEY, name text, secret text);
INSERT INTO public.bp_few VALUES (1, 'n1', 'bp-secret-1'), (2, 'n2', 'bp-secret-2');
GRANT SELECT ON public.bp_few TO regress_etl, regress_plain;
SELECT flp.protect('bp_few');
SELECT flp.set_permission('BP', 'bp_few', NULL, 'edit');
SELECT flp.set_permission('BP', 'bp_few', 'secret', 'hide');

SET ROLE regress_etl;
-- reads are masked, COPY too
SELECT id, name, secret FROM bp WHERE id <= 2 ORDER BY id;
COPY bp_few TO STDOUT;
COPY bp_few (id, secret) TO STDOUT;
COPY (SELECT secret FROM bp WHERE id = 1) TO STDOUT;
-- no statistics of governed tables
SELECT count(*) FROM pg_stats WHERE tablename = 'bp';
SELECT count(*) FROM pg_stats WHERE tablename = 'bp' AND attname = 'secret';
-- writes: constraint errors would name hidden values
SELECT regress.why($$INSERT INTO bp (id, name) VALUES (100, 'x')$$);
SELECT regress.why($$UPDATE bp SET name = 'x' WHERE id = 1$$);
SELECT regress.why($$DELETE FROM bp WHERE id = 1$$);
\copy bp (id, name) from '/dev/null'
-- rows scoped by row rules
SELECT regress.why($$SELECT count(*) FROM bp_scoped$$);
SELECT regress.why($$TRUNCATE bp_scoped$$);
RESET ROLE;

-- the same subject without BYPASSRLS
RESET ROLE;
CREATE TABLE public.bp_parent (id int PRIMARY KEY);
ALTER TABLE public.bp_scoped ADD COLUMN parent_id int REFERENCES public.bp_parent;
GRANT TRUNCATE ON public.bp_parent TO regress_plain;
SET ROLE regress_plain;
SELECT regress.why($$TRUNCATE bp_parent CASCADE$$);
SELECT regress.why($$TRUNCATE bp_parent$$);
SELECT count(*) FROM pg_stats WHERE tablename = 'bp';
SELECT count(*) FROM bp_scoped;
SELECT regress.why($$TRUNCATE bp_scoped$$);
INSERT INTO bp (id, name) VALUES (100, 'x');
SELECT regress.why($$INSERT INTO bp (id, name, secret) VALUES (101, 'x', 'bp-secret-1')$$);
DELETE FROM bp WHERE id = 100;
RESET ROLE;

-- super admins: statistics, COPY and TRUNCATE as usual
SELECT count(*) > 0 AS has_stats FROM pg_stats WHERE tablename = 'bp' AND attname = 'secret';
COPY bp_few TO STDOUT;
BEGIN;
TRUNCATE bp_scoped;
ROLLBACK;

SELECT flp.drop_data_rule(:rule);
SELECT flp.unprotect('bp');
SELECT flp.unprotect('bp_scoped');
SELECT flp.unprotect('bp_few');
SELECT flp.drop_bundle('BP');
DROP TABLE public.bp, public.bp_scoped, public.bp_few, public.bp_parent;
DROP ROLE regress_etl, regress_plain;
