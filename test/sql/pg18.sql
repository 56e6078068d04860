-- pg18: query-tree changes of PostgreSQL 18 (run on 18 and later).  GROUP BY
-- entries moved into a grouping step of the range table; generated columns
-- are virtual by default; RETURNING OLD and NEW; a masked tableoid of a table
-- partitioned by a hidden field no longer pulls up as a junk column.
\set SHOW_CONTEXT never

CREATE TABLE public.cards (
	id int PRIMARY KEY,
	holder text,
	pan text,
	shout text GENERATED ALWAYS AS (upper(pan)),
	tail text GENERATED ALWAYS AS (right(pan, 2)) STORED);
INSERT INTO public.cards (id, holder, pan) VALUES
	(1, 'ann', 'pan-1111'), (2, 'ann', 'pan-2222'), (3, 'bob', 'pan-3333');
CREATE ROLE regress_v18 LOGIN;
CREATE ROLE regress_v18_team NOLOGIN;
GRANT regress_v18_team TO regress_v18;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.cards TO regress_v18;
SELECT count(*) FROM (
	SELECT flp.protect('cards')
	UNION ALL SELECT flp.create_bundle('V18')
	UNION ALL SELECT flp.set_permission('V18', 'cards', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('V18', 'cards', 'pan', 'hide')
	UNION ALL SELECT flp.assign('V18', 'regress_v18_team')) s;
SELECT field, flp.effective('cards', field, 'regress_v18') FROM unnest(ARRAY['pan', 'shout', 'tail']) field;

SET ROLE regress_v18;
-- grouping on a hidden field: refused, also only in HAVING
SELECT pan, count(*) FROM public.cards GROUP BY pan;
SELECT holder, count(*) FROM public.cards GROUP BY holder, pan HAVING pan LIKE 'pan-1%';
SELECT holder, count(*) FROM public.cards GROUP BY GROUPING SETS ((holder), (pan));
-- grouping on visible fields: hidden fields in aggregates stay masked
SELECT holder, max(pan), string_agg(pan, ',') FROM public.cards GROUP BY holder ORDER BY holder;
-- generated columns over a hidden field, virtual and stored: hidden too
SELECT id, shout, tail FROM public.cards ORDER BY id;
SELECT id FROM public.cards WHERE shout LIKE 'PAN-1%';
SELECT id FROM public.cards WHERE tail = '11';
SELECT c FROM public.cards c ORDER BY id;
-- RETURNING OLD and NEW: masked
BEGIN;
UPDATE public.cards SET holder = holder WHERE id = 1
	RETURNING old.pan, new.pan, old.shout, new.tail, old, new;
DELETE FROM public.cards WHERE id = 2 RETURNING old.*;
INSERT INTO public.cards (id, holder) VALUES (4, 'cy') RETURNING old.pan, new.pan, new;
ROLLBACK;
RESET ROLE;

-- a table partitioned by a hidden field: tableoid shows the parent, and the
-- query runs
CREATE TABLE public.shards (id int, code text, note text) PARTITION BY LIST (code);
CREATE TABLE public.shards_a PARTITION OF public.shards FOR VALUES IN ('A');
CREATE TABLE public.shards_b PARTITION OF public.shards FOR VALUES IN ('B');
INSERT INTO public.shards VALUES (1, 'A', 'one'), (2, 'B', 'two');
GRANT SELECT, UPDATE ON public.shards TO regress_v18;
SELECT count(*) FROM (
	SELECT flp.protect('shards')
	UNION ALL SELECT flp.set_permission('V18', 'shards', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('V18', 'shards', 'code', 'hide')) s;
SET ROLE regress_v18;
SELECT tableoid::regclass, id, code, note FROM public.shards ORDER BY id;
SELECT s.tableoid = 'public.shards'::regclass AS shows_the_parent, s FROM public.shards s ORDER BY id;
SELECT id FROM (SELECT tableoid, id FROM public.shards) s WHERE s.tableoid IS NOT NULL ORDER BY id;
BEGIN;
UPDATE public.shards SET note = note RETURNING tableoid::regclass, old.code, new.note;
ROLLBACK;
RESET ROLE;
