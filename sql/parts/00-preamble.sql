-- sql/parts/00-preamble.sql: part of the install script (see the Makefile).
-- The script's opening: load the library (which refuses unless preloaded),
-- fail closed for the whole database (session_preload_libraries), the
-- flp_admin role, the schemas' USAGE.
/* install script of flp, field-level permissions (built from sql/parts/) */

\echo Use "CREATE EXTENSION flp" to load this file. \quit

/*
 * flp's internal functions live in a schema of their own, out of the
 * user-facing \df flp.*: PUBLIC may look them up (flp's policies and event
 * trigger call a few), and each function says who may execute it
 * (sql/parts/90-internal-grants.sql).
 */
CREATE SCHEMA flp_internal;
COMMENT ON SCHEMA flp_internal IS
	'flp''s internal functions: called by flp''s own functions, triggers, policies and plans, not by users';
GRANT USAGE ON SCHEMA flp_internal TO PUBLIC;

/*
 * Load the library first: its _PG_init refuses to run unless flp is in
 * shared_preload_libraries, so CREATE EXTENSION fails with a hint in a
 * server that does not preload it, even with check_function_bodies off.
 */
CREATE FUNCTION flp_internal.loaded() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_loaded' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.loaded() IS
	'internal: true; calling it loads the library, which refuses unless preloaded';
SELECT flp_internal.loaded();

/*
 * Fail closed for the whole database: every session of it loads flp at start
 * (session_preload_libraries).  Where flp is preloaded that costs nothing
 * (the library is already loaded); in a server that no longer preloads it,
 * _PG_init refuses and no session of this database can start, so no query can
 * read a governed table unmasked, whatever it goes through (views and
 * functions owned by superusers included).  A superuser can still connect to
 * repair, with PGOPTIONS='-c session_preload_libraries='.
 */
CREATE FUNCTION flp_internal.preload_setting() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT substr(cfg, length('session_preload_libraries=') + 1)
	  FROM pg_db_role_setting s, unnest(s.setconfig) cfg
	 WHERE s.setdatabase = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
	   AND s.setrole = 0 AND cfg LIKE 'session_preload_libraries=%'
$$;
COMMENT ON FUNCTION flp_internal.preload_setting() IS
	'internal: the database''s own session_preload_libraries setting';

CREATE FUNCTION flp_internal.set_preload(add boolean) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	libs text[];
BEGIN
	SELECT coalesce(array_agg(btrim(l, ' "')) FILTER (WHERE btrim(l, ' "') NOT IN ('', 'flp')), '{}')
	  INTO libs
	  FROM unnest(string_to_array(coalesce(flp_internal.preload_setting(), ''), ',')) l;
	IF add THEN
		libs := libs || 'flp'::text;
	END IF;
	IF cardinality(libs) = 0 THEN
		EXECUTE format('ALTER DATABASE %I RESET session_preload_libraries', current_database());
	ELSE
		EXECUTE format('ALTER DATABASE %I SET session_preload_libraries = %s', current_database(),
					   (SELECT string_agg(quote_literal(l), ', ') FROM unnest(libs) l));
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.set_preload(boolean) IS
	'internal: adds flp to (or removes it from) the database''s session_preload_libraries';
REVOKE ALL ON FUNCTION flp_internal.set_preload(boolean) FROM PUBLIC;
SELECT flp_internal.set_preload(true);

/*
 * The role whose members are super admins.  Roles are global objects, so it
 * may exist from an earlier install in another database; it is never dropped
 * by DROP EXTENSION.
 */
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'flp_admin') THEN
		CREATE ROLE flp_admin NOLOGIN;
		COMMENT ON ROLE flp_admin IS
			'flp super admins: members bypass every field restriction and may change the flp catalog';
	END IF;
END
$$;

GRANT USAGE ON SCHEMA flp TO PUBLIC;

