-- pg19: SQL new in PostgreSQL 19 (run on 19 and later).  INSERT ... ON
-- CONFLICT DO SELECT returns the conflicting row: masked like any read, its
-- WHERE checked like any filter; REPACK orders a table like CLUSTER.
\set SHOW_CONTEXT never

CREATE TABLE public.badges (id int PRIMARY KEY, holder text, code text);
INSERT INTO public.badges VALUES (1, 'ann', 'CODE-1'), (2, 'bob', 'CODE-2');
CREATE INDEX badges_code ON public.badges (code);
CREATE ROLE regress_v19 LOGIN;
CREATE ROLE regress_v19_team NOLOGIN;
GRANT regress_v19_team TO regress_v19;
GRANT SELECT, INSERT, UPDATE ON public.badges TO regress_v19;
SELECT count(*) FROM (
	SELECT flp.protect('badges')
	UNION ALL SELECT flp.create_bundle('V19')
	UNION ALL SELECT flp.set_permission('V19', 'badges', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('V19', 'badges', 'code', 'hide')
	UNION ALL SELECT flp.assign('V19', 'regress_v19_team')) s;

SET ROLE regress_v19;
BEGIN;
INSERT INTO public.badges (id, holder) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
	RETURNING *, to_jsonb(badges) ->> 'code' AS code_in_json;
INSERT INTO public.badges (id, holder) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
	RETURNING old.code, new.code, old, new;
ROLLBACK;
INSERT INTO public.badges AS b (id, holder) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
	WHERE b.code = 'CODE-1' RETURNING b.id;
INSERT INTO public.badges AS b (id, holder) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
	WHERE row_to_json(b)::text LIKE '%CODE%' RETURNING b.id;
RESET ROLE;

-- REPACK on an index of a hidden field (MAINTAIN, 17)
GRANT MAINTAIN ON public.badges TO regress_v19;
SET ROLE regress_v19;
REPACK public.badges USING INDEX badges_code;
REPACK public.badges USING INDEX badges_pkey;
CLUSTER public.badges USING badges_code;
RESET ROLE;
REVOKE MAINTAIN ON public.badges FROM regress_v19;
