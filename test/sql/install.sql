-- install: CREATE EXTENSION, the catalog's shape, privileges and comments,
-- and the helpers the other tests use.

CREATE EXTENSION flp;

-- the library is preloaded (the server of this test run preloads it)
SELECT flp_internal.loaded();

-- the catalog tells the story
SELECT n.nspname AS "Schema", c.relname AS "Name", pg_get_userbyid(c.relowner) AS "Owner"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'flp' AND c.relkind = 'r'
 ORDER BY c.relname;

-- the fixed SQL API (README, Function reference) exists with its signatures
SELECT p.oid::regprocedure AS function, pg_get_function_result(p.oid) AS returns
  FROM pg_proc p
 WHERE p.pronamespace = 'flp'::regnamespace AND p.proname !~ '^_'
 ORDER BY p.oid::regprocedure::text;

SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
 WHERE t.typnamespace = 'flp'::regnamespace
 GROUP BY t.typname ORDER BY t.typname;

-- the role of super admins exists
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'flp_admin';

-- everything is commented: tables, columns, functions, types
SELECT c.relname AS uncommented_table
  FROM pg_class c
 WHERE c.relnamespace = 'flp'::regnamespace AND c.relkind = 'r'
   AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT c.relname, a.attname AS uncommented_column
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'flp'::regnamespace AND c.relkind = 'r'
   AND a.attnum > 0 AND NOT a.attisdropped
   AND col_description(c.oid, a.attnum) IS NULL;
SELECT p.oid::regprocedure AS uncommented_function
  FROM pg_proc p
 WHERE p.pronamespace IN ('flp'::regnamespace, 'flp_internal'::regnamespace)
   AND obj_description(p.oid, 'pg_proc') IS NULL;

-- internal helpers live in their own schema, out of the user-facing \df flp.*;
-- PUBLIC may execute only those flp's policies, plans, event triggers and
-- every management function's first check need
SELECT count(*) AS internal_functions_in_flp
  FROM pg_proc WHERE pronamespace = 'flp'::regnamespace AND proname ~ '^_';
SELECT count(*) > 30 AS internal_functions FROM pg_proc WHERE pronamespace = 'flp_internal'::regnamespace;
SELECT p.oid::regprocedure AS internal_function_public_may_execute
  FROM pg_proc p
 WHERE p.pronamespace = 'flp_internal'::regnamespace
   AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
									 WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
 ORDER BY 1::text;
SELECT t.typname AS uncommented_type
  FROM pg_type t
 WHERE t.typnamespace = 'flp'::regnamespace AND t.typtype = 'e'
   AND obj_description(t.oid, 'pg_type') IS NULL;

-- pg_dump keeps the rules: every catalog table is extension configuration
SELECT c.relname, e.filter
  FROM pg_extension x,
       unnest(x.extconfig, x.extcondition) AS e(relid, filter)
  JOIN pg_class c ON c.oid = e.relid
 WHERE x.extname = 'flp'
 ORDER BY c.relname;

-- the system bundle exists from install
SELECT name, kind, license, system FROM flp.bundle;

-- catalog privileges: readable and writable by flp_admin, nothing for PUBLIC
SELECT c.relname,
       has_table_privilege('flp_admin', c.oid, 'SELECT') AS admin_select,
       has_table_privilege('flp_admin', c.oid, 'INSERT') AS admin_insert,
       has_table_privilege('public', c.oid, 'SELECT') AS public_select,
       has_table_privilege('public', c.oid, 'INSERT') AS public_insert
  FROM pg_class c
 WHERE c.relnamespace = 'flp'::regnamespace AND c.relkind = 'r'
 ORDER BY c.relname;

-- Test helper used by every suite: run a statement, report its SQLSTATE and
-- message instead of failing (the statement's changes are rolled back).
CREATE SCHEMA regress;
GRANT USAGE ON SCHEMA regress TO PUBLIC;
CREATE FUNCTION regress.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT EXECUTE ON FUNCTION regress.try(text) TO PUBLIC;
-- The same, with the error's DETAIL (which names the role and the clause).
CREATE FUNCTION regress.why(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	detail text;
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(detail, ''), '');
END
$$;
GRANT EXECUTE ON FUNCTION regress.why(text) TO PUBLIC;

-- a role that does not preload... is tested by test/shell/10-no-preload.sh;
-- here: the extension cannot be installed twice, and can be dropped and
-- created again.
SELECT regress.try('CREATE EXTENSION flp');
DROP EXTENSION flp;
SELECT count(*) AS flp_tables_left FROM pg_class WHERE relnamespace = 'flp'::regnamespace;
CREATE EXTENSION flp;
SELECT count(*) AS bundles FROM flp.bundle;
