-- sql/parts/20-helpers.sql: part of the install script (see the Makefile).
-- Helpers of the management functions (checks with clear errors), and the
-- row-level security guard put on governed tables and taken off them.
/* ------------------------------------------------------- basic helpers */

CREATE FUNCTION flp.is_super_admin(role regrole DEFAULT current_user::regrole)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_is_super_admin_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp.is_super_admin(regrole) IS
	'true when the role is a superuser or a member of flp_admin (nothing is restricted for it)';

/* Raise 42501 unless the caller may change the catalog. */
CREATE FUNCTION flp_internal.require_super_admin(action text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF NOT flp.is_super_admin(current_user::regrole) THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Role "%s" is not a super admin.', current_user),
				  HINT = 'Only superusers and members of role "flp_admin" may change flp''s catalog.';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_super_admin(text) IS
	'internal: raises 42501 unless the current user is a super admin';

/*
 * The checks below name the argument they check (argname), so that a bad
 * call says which argument was wrong: "from_tbl must not be null" (22004).
 * A value they quote is cut to 100 characters (flp_internal.shown).
 */

/* A value as an error message quotes it: cut to 100 characters. */
CREATE FUNCTION flp_internal.shown(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN length(value) > 100 THEN left(value, 100) || '...' ELSE value END;
COMMENT ON FUNCTION flp_internal.shown(text) IS
	'internal: a value as error messages quote it (at most 100 characters)';

/* How a management function's answer ends: what the setting was before. */
CREATE FUNCTION flp_internal.was(before anyelement, after anyelement) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN before IS NULL THEN '' WHEN before = after THEN ' (no change)'
				ELSE format(' (was %s)', before) END
$$;
COMMENT ON FUNCTION flp_internal.was(anyelement, anyelement) IS
	'internal: the end of a management function''s answer: " (was ...)", " (no change)" or nothing for a new setting';

/* The argument is not NULL, or 22004 naming it. */
CREATE FUNCTION flp_internal.require_not_null(value anyelement, argname text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_not_null(anyelement, text) IS
	'internal: raises 22004 "<argname> must not be null" when the argument is NULL';

/* An array argument: not NULL (22004), not empty (22023), no NULL element (22004). */
CREATE FUNCTION flp_internal.require_array(value anyarray, argname text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF cardinality(value) = 0 THEN
		RAISE EXCEPTION '% must not be empty', argname USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_position(value, NULL) IS NOT NULL THEN
		RAISE EXCEPTION '% must not contain nulls', argname USING ERRCODE = 'null_value_not_allowed',
			DETAIL = format('Element %s is NULL.', array_position(value, NULL));
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_array(anyarray, text) IS
	'internal: raises 22004 or 22023 unless the array argument is non-empty and has no NULL element';

/* The governed table, or a clear error. */
CREATE FUNCTION flp_internal.require_governed(tbl regclass, argname text DEFAULT 'tbl') RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF tbl IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = $1) THEN
		IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = tbl) THEN
			RAISE EXCEPTION 'relation with OID % does not exist', tbl::oid
				USING ERRCODE = 'undefined_table';
		END IF;
		RAISE EXCEPTION 'table "%" is not governed by flp', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Govern it first with flp.protect(%L).', tbl::text);
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_governed(regclass, text) IS
	'internal: raises 22004, 42P01 or 55000 unless the table is governed';

/* The field exists in the table, or a clear error (42703). */
CREATE FUNCTION flp_internal.require_field(tbl regclass, field name, argname text DEFAULT 'field')
	RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	/* COLLATE "C": a caller's collation on the argument must not reach the comparison */
	IF NOT EXISTS (SELECT 1 FROM pg_attribute a
				   WHERE a.attrelid = tbl AND a.attname = field COLLATE "C"
					 AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'field "%" of table "%" does not exist', field, tbl
			USING ERRCODE = 'undefined_column';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_field(regclass, name, text) IS
	'internal: raises 22004 or 42703 unless the table has the column';

/* The bundle, or a clear error; optionally refuse system bundles. */
CREATE FUNCTION flp_internal.require_bundle(bundle text, editable boolean DEFAULT true,
									argname text DEFAULT 'bundle')
	RETURNS flp.bundle
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	IF bundle IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO b FROM flp.bundle x WHERE x.name = $1 COLLATE "C";
	IF NOT FOUND THEN
		RAISE EXCEPTION 'bundle "%" does not exist', flp_internal.shown(bundle)
			USING ERRCODE = 'undefined_object',
				  HINT = 'See the bundles in table flp.bundle.';
	END IF;
	IF editable AND b.system THEN
		RAISE EXCEPTION 'bundle "%" is a system bundle and cannot be changed', bundle
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Its tables are the tables of the partner areas (flp.define_area); only its field-level permissions can be set.',
				  HINT = 'Open a field with flp.set_permission(bundle, table, field, permission), or create a partner bundle of your own and assign it with flp.assign_partner_bundle().';
	END IF;
	RETURN b;
END
$$;
COMMENT ON FUNCTION flp_internal.require_bundle(text, boolean, text) IS
	'internal: returns the bundle or raises 22004, 42704 (and 42501 for system bundles when editing)';

/* The partner exists, or a clear error. */
CREATE FUNCTION flp_internal.require_partner(partner text, argname text DEFAULT 'partner') RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF partner IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = $1 COLLATE "C") THEN
		RAISE EXCEPTION 'partner "%" does not exist', flp_internal.shown(partner)
			USING ERRCODE = 'undefined_object', HINT = 'Add it first with flp.add_partner().';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_partner(text, text) IS
	'internal: raises 22004 or 42704 unless the partner exists';

/* A name for a bundle or partner, or a clear error (22004, 42602, 42622). */
CREATE FUNCTION flp_internal.check_name(what text, name text, argname text DEFAULT 'name') RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF name !~ '[^[:space:]]' OR name ~ '^[[:space:]]' OR name ~ '[[:space:]]$' OR name ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'invalid % name %', what, left(to_json(name)::text, 100)
			USING ERRCODE = 'invalid_name',
				  DETAIL = format('A %s name is not empty, has no leading or trailing white space and no control characters.', what);
	END IF;
	IF length(name) > 200 THEN
		RAISE EXCEPTION '% name "%" is too long (% characters)', what, flp_internal.shown(name), length(name)
			USING ERRCODE = 'name_too_long', DETAIL = format('A %s name has at most 200 characters.', what);
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.check_name(text, text, text) IS
	'internal: raises 22004, 42602 or 42622 unless the text is a good bundle or partner name';
REVOKE ALL ON FUNCTION flp_internal.check_name(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.check_name(text, text, text) TO flp_admin;

CREATE FUNCTION flp_internal.require_role(role regrole, argname text DEFAULT 'role') RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF role::oid = 0 OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = role) THEN
		RAISE EXCEPTION 'role "%" does not exist', role USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_role(regrole, text) IS
	'internal: raises 22004 or 42704 unless the role exists';

/* ------------------------------------------------ guarding with RLS */

/* A table and all its partitions and inheritance children. */
CREATE FUNCTION flp_internal.tree(tbl regclass) RETURNS SETOF regclass
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH RECURSIVE tree(relid) AS (
		SELECT $1::oid
	  UNION
		SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid
	)
	SELECT relid::regclass FROM tree
$$;
COMMENT ON FUNCTION flp_internal.tree(regclass) IS
	'internal: a table and all its partitions and inheritance children';

/* The ancestors of a table (partition parents and inheritance parents). */
CREATE FUNCTION flp_internal.ancestors(tbl regclass) RETURNS SETOF regclass
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH RECURSIVE up(relid) AS (
		SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = $1
	  UNION
		SELECT i.inhparent FROM pg_inherits i JOIN up u ON i.inhrelid = u.relid
	)
	SELECT relid::regclass FROM up
$$;
COMMENT ON FUNCTION flp_internal.ancestors(regclass) IS
	'internal: the partition and inheritance ancestors of a table';

/*
 * Put flp's guard on a governed table and every partition/child of it that
 * does not have it yet: row-level security enabled and forced, a restrictive
 * policy flp_guard, and (when row-level security was off before) a
 * permissive policy flp_open that lets every row through, so that rows are
 * filtered only by the policies a DBA writes.  Runs as the extension's owner:
 * a super admin need not own the table.
 */
CREATE FUNCTION flp_internal.guard(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	rel regclass;
	rls boolean;
	force boolean;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM flp.governed_table g
				   WHERE g.tbl = tbl OR g.tbl IN (SELECT flp_internal.ancestors(tbl))) THEN
		RAISE EXCEPTION 'table "%" is not governed by flp', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	FOR rel IN SELECT flp_internal.tree(tbl) LOOP
		CONTINUE WHEN EXISTS (SELECT 1 FROM flp.guarded_relation r WHERE r.relid = rel);
		SELECT c.relrowsecurity, c.relforcerowsecurity INTO rls, force
		  FROM pg_class c WHERE c.oid = rel;
		INSERT INTO flp.guarded_relation VALUES (rel, rls, force);
		EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', rel);
		EXECUTE format('CREATE POLICY flp_guard ON %s AS RESTRICTIVE FOR ALL TO PUBLIC '
					   'USING (flp.guard()) WITH CHECK (flp.guard())', rel);
		IF NOT rls THEN
			EXECUTE format('CREATE POLICY flp_open ON %s AS PERMISSIVE FOR ALL TO PUBLIC '
						   'USING (true) WITH CHECK (true)', rel);
		END IF;
	END LOOP;
	IF to_regprocedure('flp_internal.compile_policies(regclass)') IS NOT NULL THEN
		PERFORM flp_internal.compile_policies(tbl);
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.guard(regclass) IS
	'internal: puts the fail-closed row-level security guard on a governed table and its children';

/* Take the guard off a table and its children that are no longer governed. */
CREATE FUNCTION flp_internal.unguard(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	r flp.guarded_relation;
	pol name;
BEGIN
	FOR r IN SELECT g.* FROM flp.guarded_relation g
			  WHERE g.relid IN (SELECT flp_internal.tree(tbl))
				AND NOT EXISTS (SELECT 1 FROM flp.governed_table t
								 WHERE t.tbl = g.relid
									OR t.tbl IN (SELECT flp_internal.ancestors(g.relid)))
	LOOP
		FOR pol IN SELECT p.polname FROM pg_policy p
					WHERE p.polrelid = r.relid
					  AND p.polname IN ('flp_guard', 'flp_open', 'flp_scope', 'flp_link',
										'flp_data_select', 'flp_data_insert', 'flp_data_update',
										'flp_data_delete')
		LOOP
			EXECUTE format('DROP POLICY %I ON %s', pol, r.relid);
		END LOOP;
		EXECUTE format('ALTER TABLE %s %s ROW LEVEL SECURITY, %s ROW LEVEL SECURITY', r.relid,
					   CASE WHEN r.rls_before THEN 'ENABLE' ELSE 'DISABLE' END,
					   CASE WHEN r.force_before THEN 'FORCE' ELSE 'NO FORCE' END);
		DELETE FROM flp.guarded_relation g WHERE g.relid = r.relid;
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp_internal.unguard(regclass) IS
	'internal: takes the guard off a table and its children that are no longer governed';

/* Take every guard off (DROP EXTENSION runs this first). */
CREATE FUNCTION flp_internal.unguard_all() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	g regclass;
BEGIN
	PERFORM flp_internal.set_preload(false);
	DELETE FROM flp.governed_table;
	FOR g IN SELECT r.relid FROM flp.guarded_relation r LOOP
		PERFORM flp_internal.unguard(g);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp_internal.unguard_all() IS
	'internal: takes every guard off and the database''s preload setting, before DROP EXTENSION';

REVOKE ALL ON FUNCTION flp_internal.guard(regclass), flp_internal.unguard(regclass), flp_internal.unguard_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.guard(regclass), flp_internal.unguard(regclass) TO flp_admin;

/*
 * A partition or child that left its governed parent: govern it on its own,
 * every field hidden but the parent's excluded ones (called by flp's
 * ProcessUtility hook after DETACH PARTITION / NO INHERIT).
 */
CREATE FUNCTION flp_internal.govern_detached(tbl regclass, parent regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	INSERT INTO flp.governed_table VALUES (tbl, 'hide') ON CONFLICT DO NOTHING;
	INSERT INTO flp.excluded_field
	SELECT tbl, e.field FROM flp.excluded_field e
	 WHERE e.tbl = parent
	   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = e.field
					 AND NOT a.attisdropped)
	ON CONFLICT DO NOTHING;
	/*
	 * Its rows were scoped by the parent's row rules (partner scope,
	 * inheritance rule, data rules), which do not follow it: until a super
	 * admin scopes it anew, a data rule that allows no row keeps them from
	 * every subject (fail closed).
	 */
	IF EXISTS (SELECT 1 FROM flp.partner_scope s WHERE s.tbl = parent)
	   OR EXISTS (SELECT 1 FROM flp.record_link l WHERE l.child = parent)
	   OR EXISTS (SELECT 1 FROM flp.data_rule d WHERE d.tbl = parent) THEN
		INSERT INTO flp.data_rule (tbl, predicate, access) VALUES (tbl, 'false', 'read');
		RAISE NOTICE 'rows of "%" are hidden from every subject until a super admin scopes them', tbl
			USING DETAIL = format('Its parent %s scoped its rows by row rules, which do not follow a detached table.', parent),
				  HINT = 'Give it a partner scope or data rules, then drop the data rule ''false'' with flp.drop_data_rule().';
	END IF;
	PERFORM flp_internal.guard(tbl);
END
$$;
COMMENT ON FUNCTION flp_internal.govern_detached(regclass, regclass) IS
	'internal: a partition or child detached from a governed table stays governed, all hidden, and its rows hidden too where row rules scoped them';
REVOKE ALL ON FUNCTION flp_internal.govern_detached(regclass, regclass) FROM PUBLIC;

