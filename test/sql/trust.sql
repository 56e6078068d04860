-- trust: a member of flp_admin who is not a superuser gains nothing through
-- flp (no administrator text spliced into SQL, nothing evaluated with more
-- privileges than the caller's); code that runs on hidden values in a
-- subject's session is trusted code (owned by a superuser, not volatile,
-- pinned against the reader's search_path).
\set SHOW_CONTEXT never

CREATE TABLE public.tvault (id int PRIMARY KEY, region text, secret text);
INSERT INTO public.tvault VALUES (1, 'emea', 'tv-secret-1'), (2, 'na', 'tv-secret-2');
CREATE ROLE regress_tadmin LOGIN IN ROLE flp_admin;     -- a super admin, not a superuser
CREATE ROLE regress_treader LOGIN;
GRANT SELECT, INSERT, UPDATE ON public.tvault TO regress_tadmin, regress_treader;
CREATE SCHEMA tmine;
GRANT USAGE, CREATE ON SCHEMA tmine TO regress_tadmin, regress_treader;
SELECT flp.protect('tvault');
SELECT flp.create_bundle('TReaders');
SELECT flp.set_permission('TReaders', 'tvault', NULL, 'edit');
SELECT flp.set_permission('TReaders', 'tvault', 'secret', 'hide');
SELECT flp.assign('TReaders', 'regress_treader');

----------------------------------------------- data-rule predicates (class 1)
SET ROLE regress_tadmin;
-- text that would close the expression and run a statement
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'true))); ALTER ROLE regress_tadmin SUPERUSER; SELECT (((true')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'true; ALTER ROLE regress_tadmin SUPERUSER')$$);
-- text that would widen another rule
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'false) OR (true', 'read', 'TReaders')$$);
-- a query, a list, a star, a FROM
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'true FROM pg_authid')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'true, false')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'tvault.*')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'true ORDER BY 1')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', '  ')$$);
-- reading other tables, files, aggregates, set-returning or volatile functions
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'EXISTS (SELECT 1 FROM pg_authid)')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', '(SELECT pg_read_file(''postgresql.conf''))::int > 0')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'pg_read_file(''postgresql.conf'') <> ''''')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'count(*) > 0')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'generate_series(1, 2) > 0')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'random() > 0.5')$$);
-- code of the administrator's own, which would run as every subject
CREATE FUNCTION tmine.spy(text) RETURNS boolean STABLE LANGUAGE sql RETURN true;
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'tmine.spy(secret)')$$);
CREATE FUNCTION tmine.spy_op(text, text) RETURNS boolean STABLE LANGUAGE sql RETURN true;
CREATE OPERATOR tmine.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = tmine.spy_op);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'secret OPERATOR(tmine.===) region')$$);
-- code that runs through types and the built-ins that run SQL (the
-- administrator's domain CHECK, a composite type of its own, table_to_xml
-- of its own view): refused, however the value is made
CREATE FUNCTION tmine.spy_check(text) RETURNS boolean VOLATILE LANGUAGE sql RETURN true;
CREATE DOMAIN tmine.d AS text CHECK (tmine.spy_check(VALUE));
CREATE TYPE tmine.c2 AS (f tmine.d);
CREATE VIEW tmine.v AS SELECT tmine.spy_check('x') AS x;
SELECT regress.try($$SELECT flp.add_data_rule('tvault', '(region::tmine.d) IS NOT NULL')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'CAST(region AS tmine.d) IS NOT NULL')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', '(ARRAY[region]::tmine.d[]) IS NOT NULL')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', 'ROW(region)::tmine.c2 IS NOT NULL')$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', $q$jsonb_populate_record(NULL::tmine.c2, jsonb_build_object('f', region)) IS NOT NULL$q$)$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', $q$table_to_xml('tmine.v'::regclass, true, true, '') IS NOT NULL$q$)$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', $q$query_to_xml('SELECT 1', true, true, '') IS NOT NULL$q$)$$);
SELECT regress.try($$SELECT flp.add_data_rule('tvault', $q$'tmine.spy_check(text)'::regprocedure IS NOT NULL$q$)$$);
-- direct DML on the catalog passes the same checks
SELECT regress.try($$INSERT INTO flp.data_rule (tbl, predicate) VALUES ('tvault', 'true))); ALTER ROLE regress_tadmin SUPERUSER; SELECT (((true')$$);
SELECT regress.try($$INSERT INTO flp.data_rule (tbl, predicate) VALUES ('tvault', 'tmine.spy(secret)')$$);
-- a good rule, then an update of it
SELECT flp.add_data_rule('tvault', $$region = flp.attribute('region')$$) AS rule \gset
SELECT regress.try($$UPDATE flp.data_rule SET predicate = 'false) OR (true'$$);
SELECT regress.try($$UPDATE flp.data_rule SET predicate = 'tmine.spy(secret)'$$);
SELECT id = :rule AS same, predicate FROM flp.data_rule;
SELECT polname, pg_get_expr(polqual, polrelid) AS using FROM pg_policy
 WHERE polrelid = 'tvault'::regclass AND polname = 'flp_data_select';
-- flp.explain_record evaluates with the caller's privileges, checked predicates only
SELECT regress.try($$SELECT flp_internal.eval_rule('tvault', 'id', '1', '(SELECT pg_read_file(''postgresql.conf''))::int > 0', 'regress_treader')$$);
SELECT regress.try($$SELECT flp_internal.eval_rule('tvault', 'id', '1', 'true) OR (true', 'regress_treader')$$);
SELECT flp_internal.eval_rule('tvault', 'id', '1', $$current_user = 'regress_tadmin'$$, 'regress_treader') AS as_caller;
SELECT flp_internal.eval_rule('tvault', 'id', '1', $$region = flp.attribute('region')$$, 'regress_treader') AS unregistered;
SELECT flp_internal.eval_rule('tvault', 'id', '9', 'true', 'regress_treader') AS no_row;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_tadmin';
SELECT flp.drop_data_rule(:rule);

-- a table governed by direct DML has no guard: subjects are refused until
-- flp.protect puts it on; system catalogs cannot be governed at all
CREATE TABLE public.tdirect (id int PRIMARY KEY, secret text NOT NULL);
INSERT INTO public.tdirect VALUES (1, 'tdirect-secret');
GRANT SELECT, UPDATE ON public.tdirect TO regress_treader;
SET ROLE regress_tadmin;
INSERT INTO flp.governed_table VALUES ('public.tdirect', 'hide');
SELECT regress.try($$INSERT INTO flp.governed_table VALUES ('pg_catalog.pg_class', 'hide')$$);
SELECT regress.try($$SELECT flp.protect('pg_catalog.pg_class')$$);
RESET ROLE;
SET ROLE regress_treader;
SELECT regress.why($$SELECT * FROM tdirect$$);
SELECT regress.why($$UPDATE tdirect SET id = NULL$$);
RESET ROLE;
SELECT flp.protect('tdirect');
SET ROLE regress_treader;
SELECT * FROM tdirect;
RESET ROLE;
SELECT flp.unprotect('tdirect');
DROP TABLE public.tdirect;

-- activity counters count rows before row rules filter them: refused to
-- subjects whom data rules scope
SELECT flp.add_data_rule('tvault', $$region = 'emea'$$) AS rule \gset
SET ROLE regress_treader;
SELECT regress.why($$SELECT pg_stat_get_xact_tuples_returned('tvault'::regclass)$$);
SELECT regress.why($$SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'tvault'$$);
SELECT regress.why($$SELECT tup_returned > 0 FROM pg_stat_database WHERE datname = current_database()$$);
SELECT regress.why($$EXPLAIN (ANALYZE, BUFFERS) SELECT 1$$);
-- the server's and the backend's I/O counters count the same blocks
SELECT regress.why($$SELECT pg_stat_get_buf_alloc()$$);
-- the lock table (a serializable scan's SIRead locks name the rows it
-- fetched) and the WAL position (full-page images of pages a read touched)
SELECT regress.why($$SELECT count(*) FROM pg_locks$$);
SELECT regress.why($$SELECT pg_current_wal_insert_lsn()$$);
-- every other function that gives a WAL position (red team of 0.2.0)
SELECT regress.why($$SELECT pg_logical_emit_message(false, 'p', 'x')$$);
SELECT regress.why($$SELECT count(*) FROM pg_replication_slots$$);
SELECT regress.why($$SELECT redo_lsn FROM pg_control_checkpoint()$$);
-- position arithmetic gives nothing new: allowed
SELECT pg_lsn '0/10' - pg_lsn '0/8' AS lsn_arithmetic, pg_lsn_in('0/10') IS NOT NULL AS lsn_input;
RESET ROLE;
-- a SERIALIZABLE read takes one predicate lock on a governed table with row
-- rules, and on its indexes, not one per row or page it fetched before the
-- rules filtered them (conflicts would tell which out-of-scope rows match)
BEGIN ISOLATION LEVEL SERIALIZABLE;
SET LOCAL enable_seqscan = off;
SET LOCAL ROLE regress_treader;
SELECT count(*) AS visible FROM tvault WHERE id = 2;
RESET ROLE;
SELECT locktype, relation::regclass FROM pg_locks
 WHERE pid = pg_backend_pid() AND mode = 'SIReadLock' ORDER BY relation::regclass::text;
COMMIT;
SET ROLE regress_treader;
SELECT regress.why($$SELECT wal_records FROM pg_stat_wal$$);
-- what describes sessions stays readable
SELECT count(*) >= 1 AS sessions_listed FROM pg_stat_activity WHERE pid = pg_backend_pid();
RESET ROLE;
SELECT pg_stat_get_xact_tuples_returned('tvault'::regclass) >= 0 AS super_admin_reads_counters;
-- pg_stat_statements counts each statement's blocks: refused as well (flp
-- refuses before the function runs, so the library need not be loaded)
CREATE EXTENSION pg_stat_statements;
SET ROLE regress_treader;
SELECT regress.why($$SELECT shared_blks_hit FROM pg_stat_statements$$);
RESET ROLE;
DROP EXTENSION pg_stat_statements;
-- pgrowlocks reads every row below row-level security (the ctid of each
-- locked row): refused as well
CREATE EXTENSION pgrowlocks;
SET ROLE regress_treader;
SELECT regress.why($$SELECT * FROM pgrowlocks('tvault')$$);
RESET ROLE;
DROP EXTENSION pgrowlocks;
-- nor through arguments of CALL and EXECUTE, evaluated without planning
CREATE PROCEDURE public.tshow(x bigint) LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE 'got %', x; END$$;
SET ROLE regress_treader;
SELECT regress.why($$CALL public.tshow(pg_stat_get_xact_tuples_fetched('tvault'::regclass))$$);
PREPARE tq(bigint) AS SELECT $1;
SELECT regress.why($$EXECUTE tq(pg_stat_get_xact_tuples_fetched('tvault'::regclass))$$);
SELECT regress.why($$CREATE TEMP TABLE tcounted (a int CHECK (a < pg_stat_get_xact_tuples_fetched('tvault'::regclass)))$$);
DEALLOCATE tq;
RESET ROLE;
DROP PROCEDURE public.tshow(bigint);
SELECT flp.drop_data_rule(:rule);
SET ROLE regress_treader;
SELECT regress.why($$SELECT pg_stat_get_xact_tuples_returned('tvault'::regclass)$$);
RESET ROLE;

-- a non-superuser owner gives a governed table no policy of untrusted code
-- (subjects would run it; partner users through a linked child too)
CREATE ROLE regress_powner LOGIN;
CREATE TABLE public.tpol (id int PRIMARY KEY, secret text);
ALTER TABLE public.tpol OWNER TO regress_powner;
SELECT flp.protect('tpol');
CREATE FUNCTION public.tpol_spy(int) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RETURN true; END$$;
ALTER FUNCTION public.tpol_spy(int) OWNER TO regress_powner;
SET ROLE regress_powner;
SELECT regress.why($$CREATE POLICY spy ON public.tpol AS RESTRICTIVE USING (public.tpol_spy(id))$$);
SELECT regress.why($$CREATE POLICY fine ON public.tpol AS RESTRICTIVE USING (id > 0)$$);
RESET ROLE;
-- a superuser's policy may still use the owner's operator or domain, whose code
-- runs in subjects' sessions: the check lists it, and protect by others refuses it
CREATE DOMAIN public.tpol_dom AS text CHECK (public.tpol_spy(length(VALUE)));
ALTER DOMAIN public.tpol_dom OWNER TO regress_powner;
CREATE POLICY by_domain ON public.tpol AS RESTRICTIVE USING ((secret::public.tpol_dom) IS NOT NULL);
SELECT kind, object FROM flp_internal.code_risks('tpol');
DROP POLICY by_domain ON public.tpol;
DROP DOMAIN public.tpol_dom;
SELECT flp.unprotect('tpol');
DROP TABLE public.tpol;
DROP FUNCTION public.tpol_spy(int);
DROP ROLE regress_powner;

------------------------------------------------------ masks (classes 7, 12)
-- the administrator's own mask would run as every subject who reads the field
SET ROLE regress_tadmin;
CREATE FUNCTION tmine.peek(text) RETURNS text STABLE LANGUAGE sql RETURN $1;
SELECT regress.try($$SELECT flp.set_mask('tvault', 'secret', 'tmine.peek(text)')$$);
SELECT regress.try($$INSERT INTO flp.field_mask VALUES ('tvault', 'secret', 'tmine.peek(text)')$$);
SELECT flp.set_mask('tvault', 'secret', 'flp.mask_last4(text)');
SELECT regress.try($$UPDATE flp.field_mask SET mask = 'tmine.peek(text)'::regprocedure$$);
SELECT flp.set_mask('tvault', 'secret', NULL);
RESET ROLE;
-- a superuser's mask that resolves names through the reader's search_path
CREATE FUNCTION public.first_letter(text) RETURNS text IMMUTABLE LANGUAGE sql
	AS $$ SELECT left($1, 1) || '***' $$;
SELECT regress.try($$SELECT flp.set_mask('tvault', 'secret', 'public.first_letter(text)')$$);
-- pinned, it is accepted
ALTER FUNCTION public.first_letter(text) SET search_path = pg_catalog;
SELECT flp.set_mask('tvault', 'secret', 'public.first_letter(text)');
SET ROLE regress_treader;
CREATE FUNCTION tmine.left(text, int) RETURNS text IMMUTABLE LANGUAGE sql RETURN 'stolen: ' || $1;
SET search_path = tmine, pg_catalog, public;
SELECT id, secret FROM public.tvault ORDER BY id;
RESET search_path;
RESET ROLE;
-- unpinned again, or given to another owner: the default mask, never the function
ALTER FUNCTION public.first_letter(text) RESET search_path;
SET ROLE regress_treader;
SET search_path = tmine, pg_catalog, public;
SELECT id, secret FROM public.tvault ORDER BY id;
RESET search_path;
RESET ROLE;
ALTER FUNCTION public.first_letter(text) SET search_path = pg_catalog;
ALTER FUNCTION public.first_letter(text) OWNER TO regress_tadmin;
SET ROLE regress_treader;
SELECT id, secret FROM public.tvault ORDER BY id;
RESET ROLE;
ALTER FUNCTION public.first_letter(text) OWNER TO CURRENT_USER;
SET ROLE regress_treader;
SELECT id, secret FROM public.tvault ORDER BY id;
RESET ROLE;

SELECT flp.unprotect('tvault');
DROP TABLE public.tvault;
DROP FUNCTION public.first_letter(text);
DROP SCHEMA tmine CASCADE;
DROP OWNED BY regress_tadmin, regress_treader;
DROP ROLE regress_tadmin, regress_treader;

------------------------------------------- flp's policies by name (class 15)
-- a table owner who is not a super admin cannot take flp's guard away
CREATE ROLE regress_towner LOGIN;
CREATE TABLE public.towned (id int PRIMARY KEY, secret text);
ALTER TABLE public.towned OWNER TO regress_towner;
SELECT flp.protect('towned');
SET ROLE regress_towner;
SELECT regress.try($$ALTER POLICY flp_guard ON public.towned RENAME TO g$$);
SELECT regress.try($$ALTER POLICY flp_open ON public.towned RENAME TO o$$);
SELECT regress.try($$DROP POLICY flp_guard ON public.towned$$);
SELECT regress.try($$ALTER POLICY flp_guard ON public.towned USING (true)$$);
SELECT regress.try($$CREATE POLICY flp_guard2 ON public.towned USING (true)$$);
SELECT regress.try($$CREATE POLICY mine ON public.towned USING (true)$$);
RESET ROLE;
CREATE POLICY mine ON public.towned USING (true);    -- a superuser's
SET ROLE regress_towner;
SELECT regress.try($$ALTER POLICY mine ON public.towned RENAME TO flp_guard_x$$);
ALTER POLICY mine ON public.towned RENAME TO mine2;
SELECT regress.try($$ALTER TABLE public.towned NO FORCE ROW LEVEL SECURITY$$);
RESET ROLE;
SELECT polname FROM pg_policy WHERE polrelid = 'towned'::regclass ORDER BY 1;
SELECT flp.unprotect('towned');
DROP TABLE public.towned;
DROP ROLE regress_towner;

------------------------------------ inherited fields at scale (class 16)
-- a chain of 400 fields of one table resolves in linear time and memory,
-- a cycle is refused whatever its length, and a cycle stored by direct DML
-- hides every field on it
CREATE ROLE regress_tchain LOGIN;
CREATE TABLE public.tchain AS SELECT 1 AS id;
DO $$ BEGIN
	EXECUTE (SELECT format('ALTER TABLE public.tchain %s', string_agg(format('ADD COLUMN f%s text', i), ', '))
			   FROM generate_series(1, 1100) i);
END $$;
SELECT flp.protect('tchain', 'edit');
SELECT flp.create_bundle('TChain');
SELECT flp.set_permission('TChain', 'tchain', NULL, 'edit');
SELECT flp.set_permission('TChain', 'tchain', 'f1100', 'read');
SELECT flp.assign('TChain', 'regress_tchain');
SELECT count(flp.inherit_field('tchain', format('f%s', i)::name, 'tchain', format('f%s', i + 1)::name))
  FROM generate_series(1, 1099) i;
SET work_mem = '1MB';
SELECT flp.effective('tchain', 'f1', 'regress_tchain') AS f1,
	   flp.effective('tchain', 'f1099', 'regress_tchain') AS f1099;
SELECT count(*), min(permission::text), max(permission::text)
  FROM flp.effective_permissions('regress_tchain') WHERE tbl = 'tchain'::regclass AND field <> 'id';
SELECT step, source, detail FROM flp.explain('tchain', 'f1', 'regress_tchain') WHERE source = 'inheritance';
-- closing the chain into a cycle of 1,100 fields is refused, with a short detail
SELECT regress.try($$SELECT flp.inherit_field('tchain', 'f1100', 'tchain', 'f1')$$);
-- stored anyway: every field on the cycle is hidden
INSERT INTO flp.inherited_field VALUES ('tchain', 'f1100', 'tchain', 'f1');
SELECT count(*), min(permission::text), max(permission::text)
  FROM flp.effective_permissions('regress_tchain') WHERE tbl = 'tchain'::regclass AND field <> 'id';
SELECT step, source, detail FROM flp.explain('tchain', 'f1100', 'regress_tchain') WHERE source = 'inheritance';
RESET work_mem;
SELECT flp.drop_bundle('TChain');
DELETE FROM flp.inherited_field WHERE tbl = 'tchain'::regclass;
SELECT flp.unprotect('tchain');
DROP TABLE public.tchain;
DROP ROLE regress_tchain;

----------------------------- roles that read around flp (classes 7, 13)
CREATE ROLE regress_creator LOGIN CREATEROLE;
CREATE ROLE regress_tadmin2 LOGIN IN ROLE flp_admin;
CREATE ROLE regress_repl LOGIN REPLICATION;
CREATE ROLE regress_trig LOGIN;
CREATE TABLE public.tcheck (id int PRIMARY KEY, secret text);
CREATE FUNCTION public.unpinned_check(text) RETURNS boolean IMMUTABLE LANGUAGE sql
	AS $$ SELECT length($1) < 100 $$;
ALTER TABLE public.tcheck ADD CONSTRAINT short CHECK (public.unpinned_check(secret));
CREATE FUNCTION public.unpinned_trigger() RETURNS trigger LANGUAGE plpgsql
	AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t BEFORE INSERT ON public.tcheck FOR EACH ROW EXECUTE FUNCTION public.unpinned_trigger();
GRANT SELECT, TRIGGER, REFERENCES ON public.tcheck TO regress_trig;
-- protect warns about the code that would run unpinned on its values
SELECT flp.protect('tcheck');
-- a subject with TRIGGER still cannot put a trigger on a governed table
CREATE FUNCTION public.spy_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
SET ROLE regress_trig;
SELECT regress.why($$CREATE TRIGGER spy AFTER INSERT ON public.tcheck FOR EACH ROW EXECUTE FUNCTION public.spy_trigger()$$);
SELECT regress.why($$CREATE TRIGGER spy AFTER INSERT ON public.tcheck REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION public.spy_trigger()$$);
RESET ROLE;
-- a CREATEROLE role cannot grant itself flp_admin, rename or drop it
SET ROLE regress_creator;
SELECT regress.why($$GRANT flp_admin TO regress_creator$$);
SELECT regress.why($$CREATE ROLE regress_sneaky IN ROLE flp_admin$$);
SELECT regress.why($$ALTER GROUP flp_admin ADD USER regress_creator$$);
SELECT regress.why($$ALTER ROLE flp_admin RENAME TO flp_admin_old$$);
SELECT regress.why($$DROP ROLE flp_admin$$);
-- nor a role that has flp_admin's privileges
SELECT regress.why($$GRANT regress_tadmin2 TO regress_creator$$);
RESET ROLE;
-- flp_admin is known by OID: after a rename, a new role of the old name is no super admin
ALTER ROLE flp_admin RENAME TO flp_admin_renamed;
CREATE ROLE flp_admin;
GRANT flp_admin TO regress_creator;
SELECT flp.is_super_admin('regress_creator') AS new_name_holder,
	   flp.is_super_admin('regress_tadmin2') AS renamed_member;
DROP ROLE flp_admin;
ALTER ROLE flp_admin_renamed RENAME TO flp_admin;
-- the check lists what can read around flp, with the fix for each
SELECT kind, object, fix FROM flp.security_check()
 WHERE object LIKE '%regress\_%' OR object LIKE '%tcheck%' ORDER BY 1, 2;
SET ROLE regress_trig;
SELECT regress.why($$SELECT * FROM flp.security_check()$$);
RESET ROLE;
SELECT flp.unprotect('tcheck');
DROP TABLE public.tcheck;
DROP FUNCTION public.unpinned_check(text), public.unpinned_trigger(), public.spy_trigger();
DROP ROLE regress_creator, regress_repl, regress_trig, regress_tadmin2;
