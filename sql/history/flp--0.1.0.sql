/* sql/flp--0.1.0.sql: install script of flp, field-level permissions */

\echo Use "CREATE EXTENSION flp" to load this file. \quit

/*
 * Load the library first: its _PG_init refuses to run unless flp is in
 * shared_preload_libraries, so CREATE EXTENSION fails with a hint in a
 * server that does not preload it, even with check_function_bodies off.
 */
CREATE FUNCTION flp._loaded() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_loaded' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp._loaded() IS
	'internal: true; calling it loads the library, which refuses unless preloaded';
SELECT flp._loaded();

/*
 * Fail closed for the whole database: every session of it loads flp at start
 * (session_preload_libraries).  Where flp is preloaded that costs nothing
 * (the library is already loaded); in a server that no longer preloads it,
 * _PG_init refuses and no session of this database can start, so no query can
 * read a governed table unmasked, whatever it goes through (views and
 * functions owned by superusers included).  A superuser can still connect to
 * repair, with PGOPTIONS='-c session_preload_libraries='.
 */
CREATE FUNCTION flp._preload_setting() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT substr(cfg, length('session_preload_libraries=') + 1)
	  FROM pg_db_role_setting s, unnest(s.setconfig) cfg
	 WHERE s.setdatabase = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
	   AND s.setrole = 0 AND cfg LIKE 'session_preload_libraries=%'
$$;
COMMENT ON FUNCTION flp._preload_setting() IS
	'internal: the database''s own session_preload_libraries setting';

CREATE FUNCTION flp._set_preload(add boolean) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	libs text[];
BEGIN
	SELECT coalesce(array_agg(btrim(l, ' "')) FILTER (WHERE btrim(l, ' "') NOT IN ('', 'flp')), '{}')
	  INTO libs
	  FROM unnest(string_to_array(coalesce(flp._preload_setting(), ''), ',')) l;
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
COMMENT ON FUNCTION flp._set_preload(boolean) IS
	'internal: adds flp to (or removes it from) the database''s session_preload_libraries';
REVOKE ALL ON FUNCTION flp._set_preload(boolean) FROM PUBLIC;
SELECT flp._set_preload(true);

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

/* ---------------------------------------------------------------- types */

CREATE TYPE flp.permission AS ENUM ('hide', 'read', 'edit');
COMMENT ON TYPE flp.permission IS
	'permission of a field for a role, ordered: hide < read < edit';

CREATE TYPE flp.license AS ENUM ('viewer', 'viewer_analytics', 'full');
COMMENT ON TYPE flp.license IS
	'license type of a registered user; viewer licenses cap every field at read';

CREATE TYPE flp.bundle_kind AS ENUM ('internal', 'partner');
COMMENT ON TYPE flp.bundle_kind IS
	'internal bundles apply to internal users, partner bundles to partner users';

/* ------------------------------------------------------------ fail closed */

/*
 * The guard of every governed table: a restrictive row-level security policy
 * USING (flp.guard()).  flp's planner hook removes it from every query, so it
 * costs nothing; in a backend where flp's hooks are not active (the library
 * was removed from shared_preload_libraries), calling it loads the library,
 * whose _PG_init refuses: the query fails instead of answering unmasked.
 */
CREATE FUNCTION flp.guard() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_guard' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.guard() IS
	'fail-closed guard of governed tables: true where flp is active, an error where it is not';

/* -------------------------------------------------------------- catalog */

/*
 * Text keys use the "C" collation so that the C evaluator's index scans (which
 * compare with the C collation) agree with the indexes.
 */

CREATE TABLE flp.governed_table (
	tbl regclass PRIMARY KEY,
	default_permission flp.permission NOT NULL DEFAULT 'hide'
);
COMMENT ON TABLE flp.governed_table IS
	'tables whose fields flp governs (flp.protect); every other table is untouched';
COMMENT ON COLUMN flp.governed_table.tbl IS 'the governed table';
COMMENT ON COLUMN flp.governed_table.default_permission IS
	'permission of every non-excluded field for a role that no applicable bundle grants the table';

CREATE TABLE flp.guarded_relation (
	relid regclass PRIMARY KEY,
	rls_before boolean NOT NULL,
	force_before boolean NOT NULL
);
COMMENT ON TABLE flp.guarded_relation IS
	'governed tables and their partitions/children carrying flp''s row-level security guard';
COMMENT ON COLUMN flp.guarded_relation.relid IS 'the table';
COMMENT ON COLUMN flp.guarded_relation.rls_before IS
	'whether row-level security was enabled before flp guarded it (restored by flp.unprotect)';
COMMENT ON COLUMN flp.guarded_relation.force_before IS
	'whether row-level security was forced before flp guarded it (restored by flp.unprotect)';

CREATE TABLE flp.excluded_field (
	tbl regclass NOT NULL,
	field name NOT NULL,
	PRIMARY KEY (tbl, field)
);
COMMENT ON TABLE flp.excluded_field IS
	'fields never restricted (keys, audit columns): edit for everyone (flp.exclude_field)';
COMMENT ON COLUMN flp.excluded_field.tbl IS 'the governed table';
COMMENT ON COLUMN flp.excluded_field.field IS 'the excluded column';

CREATE TABLE flp.field_mask (
	tbl regclass NOT NULL,
	field name NOT NULL,
	mask regprocedure NOT NULL,
	PRIMARY KEY (tbl, field)
);
COMMENT ON TABLE flp.field_mask IS
	'mask functions that replace the default mask of hidden fields (flp.set_mask)';
COMMENT ON COLUMN flp.field_mask.tbl IS 'the governed table';
COMMENT ON COLUMN flp.field_mask.field IS 'the masked column';
COMMENT ON COLUMN flp.field_mask.mask IS
	'function f(value) returning the same type, shown instead of a hidden value';

CREATE TABLE flp.inherited_field (
	tbl regclass NOT NULL,
	field name NOT NULL,
	from_tbl regclass NOT NULL,
	from_field name NOT NULL,
	PRIMARY KEY (tbl, field),
	CHECK ((tbl, field) IS DISTINCT FROM (from_tbl, from_field))
);
CREATE INDEX ON flp.inherited_field (from_tbl, from_field);
COMMENT ON TABLE flp.inherited_field IS
	'fields that mirror another field and never get more than it (flp.inherit_field)';
COMMENT ON COLUMN flp.inherited_field.tbl IS 'table of the inheriting field';
COMMENT ON COLUMN flp.inherited_field.field IS 'the inheriting column';
COMMENT ON COLUMN flp.inherited_field.from_tbl IS 'table of the source field';
COMMENT ON COLUMN flp.inherited_field.from_field IS 'the source column';

CREATE TABLE flp.partner (
	name text COLLATE "C" PRIMARY KEY CHECK (name <> ''),
	company_key text
);
COMMENT ON TABLE flp.partner IS
	'partner companies whose users work inside this database (flp.add_partner)';
COMMENT ON COLUMN flp.partner.name IS 'name of the partner';
COMMENT ON COLUMN flp.partner.company_key IS
	'key of the company record that represents the partner, if any';

CREATE TABLE flp.bundle (
	name text COLLATE "C" PRIMARY KEY CHECK (name <> '' AND name = btrim(name)),
	kind flp.bundle_kind NOT NULL DEFAULT 'internal',
	license flp.license NOT NULL DEFAULT 'full',
	description text,
	system boolean NOT NULL DEFAULT false,
	CHECK (kind = 'internal' OR license = 'full')
);
COMMENT ON TABLE flp.bundle IS
	'permission bundles: sets of table- and field-level permissions given to roles';
COMMENT ON COLUMN flp.bundle.name IS 'unique name of the bundle';
COMMENT ON COLUMN flp.bundle.kind IS
	'internal bundles apply to internal users of the same license, partner bundles to partner users';
COMMENT ON COLUMN flp.bundle.license IS
	'license type of the users the bundle applies to (partner bundles: full)';
COMMENT ON COLUMN flp.bundle.description IS 'free text for administrators';
COMMENT ON COLUMN flp.bundle.system IS
	'created by flp itself (Default_Partner_Bundle); cannot be dropped, its tables follow the partner areas, only its field-level settings can be set';

CREATE TABLE flp.table_permission (
	bundle text COLLATE "C" NOT NULL,
	tbl regclass NOT NULL,
	permission flp.permission NOT NULL,
	PRIMARY KEY (bundle, tbl)
);
CREATE INDEX table_permission_tbl_idx ON flp.table_permission (tbl);
COMMENT ON TABLE flp.table_permission IS
	'table-level permissions: a bundle grants a table, and caps each of its fields at this level';
COMMENT ON COLUMN flp.table_permission.bundle IS 'the bundle';
COMMENT ON COLUMN flp.table_permission.tbl IS 'the governed table granted';
COMMENT ON COLUMN flp.table_permission.permission IS
	'permission of fields without a field-level setting, and the cap of those with one';

CREATE TABLE flp.field_permission (
	bundle text COLLATE "C" NOT NULL,
	tbl regclass NOT NULL,
	field name NOT NULL,
	permission flp.permission NOT NULL,
	PRIMARY KEY (bundle, tbl, field)
);
CREATE INDEX ON flp.field_permission (tbl, field);
COMMENT ON TABLE flp.field_permission IS
	'field-level permissions of a bundle on a table it grants (never above the table level)';
COMMENT ON COLUMN flp.field_permission.bundle IS 'the bundle';
COMMENT ON COLUMN flp.field_permission.tbl IS 'the governed table';
COMMENT ON COLUMN flp.field_permission.field IS 'the column';
COMMENT ON COLUMN flp.field_permission.permission IS 'permission of the field in this bundle';

CREATE TABLE flp.assignment (
	bundle text COLLATE "C" NOT NULL,
	role regrole NOT NULL,
	PRIMARY KEY (bundle, role)
);
CREATE INDEX ON flp.assignment (role);
COMMENT ON TABLE flp.assignment IS
	'manual assignments of bundles to roles (flp.assign); a group role counts for all its members';
COMMENT ON COLUMN flp.assignment.bundle IS 'the bundle';
COMMENT ON COLUMN flp.assignment.role IS 'the role (or group role) it is assigned to';

CREATE TABLE flp.rule (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	bundle text COLLATE "C" NOT NULL,
	criteria jsonb NOT NULL CHECK (jsonb_typeof(criteria) = 'object')
);
CREATE INDEX ON flp.rule (bundle);
COMMENT ON TABLE flp.rule IS
	'criteria rules: a bundle applies to every registered user whose attributes contain the criteria';
COMMENT ON COLUMN flp.rule.id IS 'rule number, returned by flp.add_rule';
COMMENT ON COLUMN flp.rule.bundle IS 'the bundle';
COMMENT ON COLUMN flp.rule.criteria IS
	'a JSON object; the rule matches when attributes @> criteria';

CREATE TABLE flp.registered_user (
	role regrole PRIMARY KEY,
	license flp.license NOT NULL DEFAULT 'full',
	attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
	partner text COLLATE "C",
	CHECK (partner IS NULL OR license = 'full')
);
CREATE INDEX ON flp.registered_user (license);
CREATE INDEX ON flp.registered_user (partner);
COMMENT ON TABLE flp.registered_user IS
	'users registered with a license, attributes and optionally a partner; unregistered roles are internal full users without attributes';
COMMENT ON COLUMN flp.registered_user.role IS 'the role';
COMMENT ON COLUMN flp.registered_user.license IS 'its license type (consumes a seat)';
COMMENT ON COLUMN flp.registered_user.attributes IS
	'a JSON object matched by criteria rules and read by flp.attribute()';
COMMENT ON COLUMN flp.registered_user.partner IS
	'the partner the user works for; NULL for internal users';

CREATE TABLE flp.license_seats (
	license flp.license PRIMARY KEY,
	seats integer NOT NULL CHECK (seats >= 0)
);
COMMENT ON TABLE flp.license_seats IS
	'purchased seats per license type; a license without a row here is unlimited (flp.set_seats)';
COMMENT ON COLUMN flp.license_seats.license IS 'the license type';
COMMENT ON COLUMN flp.license_seats.seats IS 'how many users may hold it';

CREATE TABLE flp.partner_bundle (
	partner text COLLATE "C" PRIMARY KEY,
	bundle text COLLATE "C" NOT NULL
);
CREATE INDEX ON flp.partner_bundle (bundle);
COMMENT ON TABLE flp.partner_bundle IS
	'the partner bundle that replaces Default_Partner_Bundle for one partner''s users';
COMMENT ON COLUMN flp.partner_bundle.partner IS 'the partner';
COMMENT ON COLUMN flp.partner_bundle.bundle IS 'its partner bundle';

INSERT INTO flp.bundle (name, kind, license, description, system)
VALUES ('Default_Partner_Bundle', 'partner', 'full',
		'Edit on every table of the partner areas; used by partners without a bundle of their own',
		true);

SELECT pg_catalog.pg_extension_config_dump('flp.governed_table', '');
SELECT pg_catalog.pg_extension_config_dump('flp.guarded_relation', '');
SELECT pg_catalog.pg_extension_config_dump('flp.excluded_field', '');
SELECT pg_catalog.pg_extension_config_dump('flp.field_mask', '');
SELECT pg_catalog.pg_extension_config_dump('flp.inherited_field', '');
SELECT pg_catalog.pg_extension_config_dump('flp.partner', '');
SELECT pg_catalog.pg_extension_config_dump('flp.bundle', 'WHERE NOT system');
SELECT pg_catalog.pg_extension_config_dump('flp.table_permission', '');
SELECT pg_catalog.pg_extension_config_dump('flp.field_permission', '');
SELECT pg_catalog.pg_extension_config_dump('flp.assignment', '');
SELECT pg_catalog.pg_extension_config_dump('flp.rule', '');
SELECT pg_catalog.pg_extension_config_dump('flp.rule_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('flp.registered_user', '');
SELECT pg_catalog.pg_extension_config_dump('flp.license_seats', '');
SELECT pg_catalog.pg_extension_config_dump('flp.partner_bundle', '');

/*
 * The role whose members are super admins, by OID: the role called flp_admin
 * when the extension was created.  Renaming it, or creating another role of
 * that name, changes nothing.  Written at install only (not dumped: a restore
 * creates the extension in a cluster whose flp_admin pg_dumpall restored).
 */
CREATE TABLE flp.admin_role (
	onerow boolean PRIMARY KEY DEFAULT true CHECK (onerow),
	role regrole NOT NULL
);
COMMENT ON TABLE flp.admin_role IS
	'the role whose members are super admins (flp_admin at install), kept by OID';
COMMENT ON COLUMN flp.admin_role.onerow IS 'there is one row';
COMMENT ON COLUMN flp.admin_role.role IS 'the role';
INSERT INTO flp.admin_role (role) VALUES ('flp_admin');

/*
 * Readable by DBAs (super admins), writable only by super admins.  The
 * management functions below are the supported way to write; direct DML by a
 * super admin is allowed, is checked by the constraints, and is seen by every
 * session like a function call (the invalidation triggers below).
 */
REVOKE ALL ON ALL TABLES IN SCHEMA flp FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA flp TO flp_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA flp TO flp_admin;
/* bookkeeping of the guard, and who administers: written by flp itself only */
REVOKE INSERT, UPDATE, DELETE ON flp.guarded_relation, flp.admin_role FROM flp_admin;

/* ------------------------------------------------ invalidation triggers */

CREATE FUNCTION flp._catalog_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_catalog_changed' LANGUAGE C;
COMMENT ON FUNCTION flp._catalog_changed() IS
	'trigger: at commit, tells every session (and hot standbys) that the flp catalog changed';
REVOKE ALL ON FUNCTION flp._catalog_changed() FROM PUBLIC;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['governed_table', 'excluded_field', 'field_mask',
							 'inherited_field', 'partner', 'bundle',
							 'table_permission', 'field_permission', 'assignment',
							 'rule', 'registered_user', 'license_seats',
							 'partner_bundle']
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER flp_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
			'ON flp.%I FOR EACH STATEMENT EXECUTE FUNCTION flp._catalog_changed()', t);
	END LOOP;
END
$$;

/* Row trigger on governed tables: plans of a table that becomes (or stops
 * being) governed must be replanned too. */
CREATE FUNCTION flp._governed_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_governed_changed' LANGUAGE C;
COMMENT ON FUNCTION flp._governed_changed() IS
	'trigger: invalidates the plans of a table that starts or stops being governed';
REVOKE ALL ON FUNCTION flp._governed_changed() FROM PUBLIC;
CREATE TRIGGER flp_governed_changed AFTER INSERT OR UPDATE OR DELETE
	ON flp.governed_table FOR EACH ROW EXECUTE FUNCTION flp._governed_changed();

/* ------------------------------------------------------- basic helpers */

CREATE FUNCTION flp.is_super_admin(role regrole DEFAULT current_user::regrole)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_is_super_admin_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp.is_super_admin(regrole) IS
	'true when the role is a superuser or a member of flp_admin (nothing is restricted for it)';

/* Raise 42501 unless the caller may change the catalog. */
CREATE FUNCTION flp._require_super_admin(action text) RETURNS void
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
COMMENT ON FUNCTION flp._require_super_admin(text) IS
	'internal: raises 42501 unless the current user is a super admin';

/* The governed table, or a clear error. */
CREATE FUNCTION flp._require_governed(tbl regclass) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF tbl IS NULL THEN
		RAISE EXCEPTION 'table must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = $1) THEN
		RAISE EXCEPTION 'table "%" is not governed by flp', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Govern it first with flp.protect(%L).', tbl::text);
	END IF;
END
$$;
COMMENT ON FUNCTION flp._require_governed(regclass) IS
	'internal: raises an error unless the table is governed';

/* The field exists in the table, or a clear error (42703). */
CREATE FUNCTION flp._require_field(tbl regclass, field name) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION 'field must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_attribute a
				   WHERE a.attrelid = tbl AND a.attname = field
					 AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'field "%" of table "%" does not exist', field, tbl
			USING ERRCODE = 'undefined_column';
	END IF;
END
$$;
COMMENT ON FUNCTION flp._require_field(regclass, name) IS
	'internal: raises 42703 unless the table has the column';

/* The bundle, or a clear error; optionally refuse system bundles. */
CREATE FUNCTION flp._require_bundle(bundle text, editable boolean DEFAULT true)
	RETURNS flp.bundle
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	IF bundle IS NULL THEN
		RAISE EXCEPTION 'bundle must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO b FROM flp.bundle x WHERE x.name = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'bundle "%" does not exist', bundle
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
COMMENT ON FUNCTION flp._require_bundle(text, boolean) IS
	'internal: returns the bundle or raises 42704 (and 42501 for system bundles when editing)';

CREATE FUNCTION flp._require_role(role regrole) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION 'role must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF role::oid = 0 OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = role) THEN
		RAISE EXCEPTION 'role "%" does not exist', role USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION flp._require_role(regrole) IS
	'internal: raises 42704 unless the role exists';

/* ------------------------------------------------ guarding with RLS */

/* A table and all its partitions and inheritance children. */
CREATE FUNCTION flp._tree(tbl regclass) RETURNS SETOF regclass
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH RECURSIVE tree(relid) AS (
		SELECT $1::oid
	  UNION
		SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid
	)
	SELECT relid::regclass FROM tree
$$;
COMMENT ON FUNCTION flp._tree(regclass) IS
	'internal: a table and all its partitions and inheritance children';

/* The ancestors of a table (partition parents and inheritance parents). */
CREATE FUNCTION flp._ancestors(tbl regclass) RETURNS SETOF regclass
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH RECURSIVE up(relid) AS (
		SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = $1
	  UNION
		SELECT i.inhparent FROM pg_inherits i JOIN up u ON i.inhrelid = u.relid
	)
	SELECT relid::regclass FROM up
$$;
COMMENT ON FUNCTION flp._ancestors(regclass) IS
	'internal: the partition and inheritance ancestors of a table';

/*
 * Put flp's guard on a governed table and every partition/child of it that
 * does not have it yet: row-level security enabled and forced, a restrictive
 * policy flp_guard, and (when row-level security was off before) a
 * permissive policy flp_open that lets every row through, so that rows are
 * filtered only by the policies a DBA writes.  Runs as the extension's owner:
 * a super admin need not own the table.
 */
CREATE FUNCTION flp._guard(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	rel regclass;
	rls boolean;
	force boolean;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM flp.governed_table g
				   WHERE g.tbl = tbl OR g.tbl IN (SELECT flp._ancestors(tbl))) THEN
		RAISE EXCEPTION 'table "%" is not governed by flp', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	FOR rel IN SELECT flp._tree(tbl) LOOP
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
	IF to_regprocedure('flp._compile_policies(regclass)') IS NOT NULL THEN
		PERFORM flp._compile_policies(tbl);
	END IF;
END
$$;
COMMENT ON FUNCTION flp._guard(regclass) IS
	'internal: puts the fail-closed row-level security guard on a governed table and its children';

/* Take the guard off a table and its children that are no longer governed. */
CREATE FUNCTION flp._unguard(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	r flp.guarded_relation;
	pol name;
BEGIN
	FOR r IN SELECT g.* FROM flp.guarded_relation g
			  WHERE g.relid IN (SELECT flp._tree(tbl))
				AND NOT EXISTS (SELECT 1 FROM flp.governed_table t
								 WHERE t.tbl = g.relid
									OR t.tbl IN (SELECT flp._ancestors(g.relid)))
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
COMMENT ON FUNCTION flp._unguard(regclass) IS
	'internal: takes the guard off a table and its children that are no longer governed';

/* Take every guard off (DROP EXTENSION runs this first). */
CREATE FUNCTION flp._unguard_all() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	g regclass;
BEGIN
	PERFORM flp._set_preload(false);
	DELETE FROM flp.governed_table;
	FOR g IN SELECT r.relid FROM flp.guarded_relation r LOOP
		PERFORM flp._unguard(g);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp._unguard_all() IS
	'internal: takes every guard off and the database''s preload setting, before DROP EXTENSION';

REVOKE ALL ON FUNCTION flp._guard(regclass), flp._unguard(regclass), flp._unguard_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._guard(regclass), flp._unguard(regclass) TO flp_admin;

/*
 * A partition or child that left its governed parent: govern it on its own,
 * every field hidden but the parent's excluded ones (called by flp's
 * ProcessUtility hook after DETACH PARTITION / NO INHERIT).
 */
CREATE FUNCTION flp._govern_detached(tbl regclass, parent regclass) RETURNS void
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
	PERFORM flp._guard(tbl);
END
$$;
COMMENT ON FUNCTION flp._govern_detached(regclass, regclass) IS
	'internal: a partition or child detached from a governed table stays governed, all hidden, and its rows hidden too where row rules scoped them';
REVOKE ALL ON FUNCTION flp._govern_detached(regclass, regclass) FROM PUBLIC;

/* ------------------------------------------------------ governed tables */

/*
 * Only ordinary and partitioned tables outside flp's schema can be governed,
 * whether by flp.protect() or by direct DML on flp.governed_table: flp's
 * policies read governed tables in subjects' sessions (flp_link), where a
 * view would run its owner's functions.
 */
CREATE FUNCTION flp._require_governable(tbl regclass) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	kind "char";
BEGIN
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = tbl;
	IF kind IS NULL OR kind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '"%" is not a table', tbl
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'Only ordinary and partitioned tables can be governed.',
				  HINT = 'Govern the tables a view reads from: the view is then masked for whoever reads it.';
	END IF;
	IF tbl::oid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'flp'::regnamespace) THEN
		RAISE EXCEPTION 'flp''s own catalog tables cannot be governed'
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF tbl::oid < 16384 OR tbl::oid IN (SELECT c.oid FROM pg_class c
										 WHERE c.relnamespace IN ('pg_catalog'::regnamespace,
																  'information_schema'::regnamespace,
																  'pg_toast'::regnamespace)) THEN
		RAISE EXCEPTION 'system catalog "%" cannot be governed', tbl
			USING ERRCODE = 'wrong_object_type';
	END IF;
END
$$;
COMMENT ON FUNCTION flp._require_governable(regclass) IS
	'internal: raises 42809 unless the relation is an ordinary or partitioned table outside schema flp';

CREATE FUNCTION flp._check_governed_table() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'INSERT' OR NEW.tbl IS DISTINCT FROM OLD.tbl THEN
		PERFORM flp._require_governable(NEW.tbl);
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp._check_governed_table() IS
	'internal trigger: a governed table stored by direct DML passes flp.protect()''s checks';
CREATE TRIGGER flp_check_governed_table BEFORE INSERT OR UPDATE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._check_governed_table();

CREATE FUNCTION flp.protect(tbl regclass, default_permission flp.permission DEFAULT 'hide')
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	parent regclass;
	risk record;
BEGIN
	PERFORM flp._require_super_admin('govern a table');
	IF tbl IS NULL OR default_permission IS NULL THEN
		RAISE EXCEPTION 'table and default permission must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM flp._require_governable(tbl);
	SELECT g.tbl INTO parent
	  FROM flp.governed_table g WHERE g.tbl IN (SELECT flp._ancestors(tbl)) LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table "%" is a partition or child of governed table "%"', tbl, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Partitions and inheritance children are governed by the rules of their governed parent.';
	END IF;
	SELECT a INTO parent FROM flp._ancestors(tbl) a LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table "%" is a partition or child of table "%", which is not governed', tbl, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Its rows would be read unmasked through the parent.',
				  HINT = 'Govern the parent (its partitions and children follow its rules).';
	END IF;
	SELECT g.tbl INTO parent
	  FROM flp.governed_table g
	 WHERE g.tbl IN (SELECT flp._tree(tbl)) AND g.tbl <> tbl LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table "%" has a governed partition or child "%"', tbl, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Unprotect the partition or child first: its parent''s rules will apply to it.';
	END IF;
	INSERT INTO flp.governed_table AS g (tbl, default_permission)
	VALUES (tbl, default_permission)
	ON CONFLICT ON CONSTRAINT governed_table_pkey
	DO UPDATE SET default_permission = EXCLUDED.default_permission;
	PERFORM flp._guard(tbl);
	IF EXISTS (SELECT 1 FROM pg_class c
				WHERE c.oid = tbl AND c.relowner IN
					  (SELECT r.oid FROM pg_roles r WHERE NOT flp.is_super_admin(r.oid::regrole))) THEN
		RAISE WARNING 'table "%" is owned by role "%", which is not a super admin', tbl,
			(SELECT c.relowner::regrole FROM pg_class c WHERE c.oid = tbl)
			USING DETAIL = 'A table''s owner can change or drop it, its policies and its triggers.',
				  HINT = 'Give governed tables to an administrator role with ALTER TABLE ... OWNER TO.';
	END IF;
	/* a role that is not a superuser governs no table whose policies run untrusted code */
	IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) THEN
		PERFORM flp._refuse_untrusted_policies(tbl);
	END IF;
	/* code that runs on the real values in subjects' sessions, resolving names there */
	IF to_regprocedure('flp._code_risks(regclass)') IS NOT NULL THEN
		FOR risk IN SELECT * FROM flp._code_risks(tbl) LOOP
			RAISE WARNING '%: %', risk.object, risk.risk USING HINT = risk.fix;
		END LOOP;
	END IF;
END
$$;
COMMENT ON FUNCTION flp.protect(regclass, flp.permission) IS
	'governs a table: its fields follow the bundles; fields no applicable bundle grants get the default permission (again: changes the default)';

CREATE FUNCTION flp.unprotect(tbl regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	linked regclass[];
BEGIN
	PERFORM flp._require_super_admin('stop governing a table');
	PERFORM flp._require_governed(tbl);
	IF EXISTS (SELECT 1 FROM flp.inherited_field i WHERE i.from_tbl = $1 AND i.tbl <> $1) THEN
		RAISE EXCEPTION 'fields of other tables inherit from fields of table "%"', tbl
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = (SELECT format('Inherited: %s.',
										  string_agg(format('%s.%I', i.tbl, i.field), ', '
													 ORDER BY i.tbl::text, i.field))
							  FROM flp.inherited_field i WHERE i.from_tbl = $1 AND i.tbl <> $1),
				  HINT = 'Remove the inheritance first with flp.inherit_field(tbl, field, NULL, NULL).';
	END IF;
	/* children linked to it lose the link (its rows are no longer governed) */
	SELECT array_agg(l.child) INTO linked FROM flp.record_link l WHERE l.parent = $1;
	DELETE FROM flp.governed_table g WHERE g.tbl = $1;
	PERFORM flp._unguard(tbl);
	PERFORM flp._compile_policies(c) FROM unnest(linked) c;
END
$$;
COMMENT ON FUNCTION flp.unprotect(regclass) IS
	'stops governing a table and forgets every setting of it (excluded fields, masks, permissions)';

CREATE FUNCTION flp.exclude_field(tbl regclass, field name) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	n bigint;
BEGIN
	PERFORM flp._require_super_admin('exclude a field');
	PERFORM flp._require_governed(tbl);
	PERFORM flp._require_field(tbl, field);
	IF EXISTS (SELECT 1 FROM flp.inherited_field i WHERE i.tbl = $1 AND i.field = $2) THEN
		RAISE EXCEPTION 'field "%" of table "%" inherits its permission and cannot be excluded', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Remove the inheritance first with flp.inherit_field(tbl, field, NULL, NULL).';
	END IF;
	INSERT INTO flp.excluded_field AS e VALUES (tbl, field) ON CONFLICT DO NOTHING;
	DELETE FROM flp.field_permission p WHERE p.tbl = $1 AND p.field = $2;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		RAISE NOTICE 'removed % field-level permission(s) of excluded field "%"', n, field;
	END IF;
END
$$;
COMMENT ON FUNCTION flp.exclude_field(regclass, name) IS
	'excludes a field: it is never restricted (edit for everyone); its field-level permissions are removed';

CREATE FUNCTION flp.include_field(tbl regclass, field name) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('include a field');
	PERFORM flp._require_governed(tbl);
	PERFORM flp._require_field(tbl, field);
	DELETE FROM flp.excluded_field e WHERE e.tbl = $1 AND e.field = $2;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'field "%" of table "%" is not excluded', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
END
$$;
COMMENT ON FUNCTION flp.include_field(regclass, name) IS
	'undoes flp.exclude_field: the field follows the bundles again';

/* Are two types the same, or both string types (domains over them too)? */
CREATE FUNCTION flp._same_kind(a oid, b oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT a = b OR (
		(SELECT t.typcategory FROM pg_type t
		  WHERE t.oid = CASE WHEN (SELECT typtype FROM pg_type WHERE oid = a) = 'd'
							 THEN (SELECT typbasetype FROM pg_type WHERE oid = a) ELSE a END) = 'S'
		AND
		(SELECT t.typcategory FROM pg_type t
		  WHERE t.oid = CASE WHEN (SELECT typtype FROM pg_type WHERE oid = b) = 'd'
							 THEN (SELECT typbasetype FROM pg_type WHERE oid = b) ELSE b END) = 'S')
$$;
COMMENT ON FUNCTION flp._same_kind(oid, oid) IS
	'internal: whether a mask function''s type fits a field''s type';

/* ---------------------------------------------------------- built-in masks */

CREATE FUNCTION flp.mask_email(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN strpos(value, '@') > 1
			THEN left(value, 1) || '***' || substr(value, strpos(value, '@'))
			ELSE '****' END;
COMMENT ON FUNCTION flp.mask_email(text) IS
	'mask: keeps the first letter and the domain of an e-mail address (j***@example.com)';

CREATE FUNCTION flp.mask_last4(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN length(value) > 4 THEN '****' || right(value, 4) ELSE '****' END;
COMMENT ON FUNCTION flp.mask_last4(text) IS
	'mask: keeps the last four characters (****6789)';

CREATE TABLE flp.mask_secret (
	onerow boolean PRIMARY KEY DEFAULT true CHECK (onerow),
	secret text NOT NULL
);
COMMENT ON TABLE flp.mask_secret IS
	'the key of flp.mask_hash, made at install; readable by superusers only';
COMMENT ON COLUMN flp.mask_secret.onerow IS 'there is one row';
COMMENT ON COLUMN flp.mask_secret.secret IS 'the key';
INSERT INTO flp.mask_secret (secret)
SELECT string_agg(gen_random_uuid()::text, '') FROM generate_series(1, 4);
REVOKE ALL ON flp.mask_secret FROM PUBLIC;
/* pg_dump keeps the key, so hashes stay stable across dump and restore: the
 * restored row replaces the one made by CREATE EXTENSION. */
SELECT pg_catalog.pg_extension_config_dump('flp.mask_secret', '');
CREATE FUNCTION flp._replace_secret() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM flp.mask_secret;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp._replace_secret() IS
	'internal trigger: a new key replaces the old one (pg_restore loads the dumped key)';
CREATE TRIGGER flp_replace_secret BEFORE INSERT ON flp.mask_secret
	FOR EACH ROW EXECUTE FUNCTION flp._replace_secret();

CREATE FUNCTION flp.mask_hash(value text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN (SELECT encode(sha256(convert_to(s.secret || value, 'UTF8')), 'hex')
		  FROM flp.mask_secret s);
COMMENT ON FUNCTION flp.mask_hash(text) IS
	'mask: a stable keyed hash (the same value gives the same hash), for joining pseudonymised data';

CREATE FUNCTION flp._require_trusted_function(fn regprocedure, what text) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_require_trusted_function_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp._require_trusted_function(regprocedure, text) IS
	'internal: refuses a function that may not run on hidden values in subjects'' sessions (owned by a superuser, not volatile, no name resolution through search_path)';
REVOKE ALL ON FUNCTION flp._require_trusted_function(regprocedure, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._require_trusted_function(regprocedure, text) TO flp_admin;

/*
 * A mask, whether stored by flp.set_mask() or by direct DML on
 * flp.field_mask, must fit the field and be code flp lets run in subjects'
 * sessions: it runs there on the hidden value.
 */
CREATE FUNCTION flp._check_field_mask() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	coltype oid;
	p pg_proc;
BEGIN
	PERFORM flp._require_field(NEW.tbl, NEW.field);
	SELECT a.atttypid INTO coltype FROM pg_attribute a
	 WHERE a.attrelid = NEW.tbl AND a.attname = NEW.field;
	SELECT * INTO p FROM pg_proc x WHERE x.oid = NEW.mask;
	/* the same type, or two string types (text masks serve varchar columns) */
	IF p.prokind <> 'f' OR p.proretset OR p.pronargs <> 1
	   OR NOT (flp._same_kind(p.prorettype, coltype) AND flp._same_kind(p.proargtypes[0], coltype)) THEN
		RAISE EXCEPTION 'function % cannot mask field "%" of table "%"', NEW.mask, NEW.field, NEW.tbl
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('A mask function takes one argument of the field''s type %s and returns that type.',
								  format_type(coltype, NULL));
	END IF;
	IF p.provolatile = 'v' THEN
		RAISE EXCEPTION 'mask function % must not be volatile', NEW.mask
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Declare it IMMUTABLE or STABLE.';
	END IF;
	IF TG_OP = 'INSERT' OR NEW.mask IS DISTINCT FROM OLD.mask THEN
		PERFORM flp._require_trusted_function(NEW.mask, 'mask function');
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp._check_field_mask() IS
	'internal trigger: a mask must fit its field and be trusted code (see flp._require_trusted_function)';
REVOKE ALL ON FUNCTION flp._check_field_mask() FROM PUBLIC;
CREATE TRIGGER flp_check_field_mask BEFORE INSERT OR UPDATE ON flp.field_mask
	FOR EACH ROW EXECUTE FUNCTION flp._check_field_mask();

CREATE FUNCTION flp.set_mask(tbl regclass, field name, mask regprocedure) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('set a mask');
	PERFORM flp._require_governed(tbl);
	PERFORM flp._require_field(tbl, field);
	IF mask IS NULL THEN
		DELETE FROM flp.field_mask m WHERE m.tbl = $1 AND m.field = $2;
		RETURN;
	END IF;
	/* flp_check_field_mask checks that it fits and may run on hidden values */
	INSERT INTO flp.field_mask AS m VALUES (tbl, field, mask)
	ON CONFLICT ON CONSTRAINT field_mask_pkey DO UPDATE SET mask = EXCLUDED.mask;
END
$$;
COMMENT ON FUNCTION flp.set_mask(regclass, name, regprocedure) IS
	'sets the function whose result replaces a hidden value of the field (NULL: back to the default mask)';

CREATE FUNCTION flp.inherit_field(tbl regclass, field name, from_tbl regclass, from_field name)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	chain text[];
	up_tbl regclass;
	up_field name;
	next_tbl regclass;
	next_field name;
	left_steps bigint;
BEGIN
	PERFORM flp._require_super_admin('inherit a field');
	PERFORM flp._require_governed(tbl);
	PERFORM flp._require_field(tbl, field);
	IF from_tbl IS NULL AND from_field IS NULL THEN
		DELETE FROM flp.inherited_field i WHERE i.tbl = $1 AND i.field = $2;
		RETURN;
	END IF;
	PERFORM flp._require_governed(from_tbl);
	PERFORM flp._require_field(from_tbl, from_field);
	IF (tbl, field) = (from_tbl, from_field) THEN
		RAISE EXCEPTION 'field "%" of table "%" cannot inherit from itself', field, tbl
			USING ERRCODE = 'invalid_recursion';
	END IF;
	IF EXISTS (SELECT 1 FROM flp.excluded_field e WHERE e.tbl = $1 AND e.field = $2) THEN
		RAISE EXCEPTION 'field "%" of table "%" is excluded and cannot inherit a permission', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	/*
	 * Walk up from the source, one inherited field at a time: reaching (tbl,
	 * field) again would be a cycle.  Each field inherits from one field at
	 * most, so the walk ends, or meets a cycle already stored (by direct DML)
	 * after at most as many steps as there are inherited fields.
	 */
	up_tbl := from_tbl;
	up_field := from_field;
	chain := ARRAY[format('%s.%I', tbl, field)];
	SELECT count(*) INTO left_steps FROM flp.inherited_field;
	LOOP
		IF cardinality(chain) < 20 THEN
			chain := chain || format('%s.%I', up_tbl, up_field);
		ELSIF cardinality(chain) = 20 THEN
			chain := chain || '...'::text;
		END IF;
		IF up_tbl = tbl AND up_field = field THEN
			IF cardinality(chain) > 20 THEN
				chain := chain || format('%s.%I', tbl, field);
			END IF;
			RAISE EXCEPTION 'inheriting field "%" of table "%" from "%"."%" would make a cycle',
				field, tbl, from_tbl, from_field
				USING ERRCODE = 'invalid_recursion',
					  DETAIL = format('The chain would be %s.', array_to_string(chain, ' -> '));
		END IF;
		SELECT i.from_tbl, i.from_field INTO next_tbl, next_field
		  FROM flp.inherited_field i WHERE i.tbl = up_tbl AND i.field = up_field;
		EXIT WHEN NOT FOUND OR left_steps <= 0;
		up_tbl := next_tbl;
		up_field := next_field;
		left_steps := left_steps - 1;
	END LOOP;
	INSERT INTO flp.inherited_field AS i VALUES (tbl, field, from_tbl, from_field)
	ON CONFLICT ON CONSTRAINT inherited_field_pkey
	DO UPDATE SET from_tbl = EXCLUDED.from_tbl, from_field = EXCLUDED.from_field;
END
$$;
COMMENT ON FUNCTION flp.inherit_field(regclass, name, regclass, name) IS
	'makes a field never more visible than the field it mirrors (both NULL: removes the inheritance)';

/* ---------------------------------------------------------------- users */

CREATE FUNCTION flp.register_user(role regrole, license flp.license DEFAULT 'full',
								  attributes jsonb DEFAULT '{}', partner text DEFAULT NULL)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	cap integer;
	used bigint;
BEGIN
	PERFORM flp._require_super_admin('register a user');
	PERFORM flp._require_role(role);
	IF license IS NULL THEN
		RAISE EXCEPTION 'license must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF attributes IS NULL OR jsonb_typeof(attributes) <> 'object' THEN
		RAISE EXCEPTION 'attributes must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example: ''{"region": "emea"}''.';
	END IF;
	IF flp.is_super_admin(role) THEN
		RAISE NOTICE 'role "%" is a super admin: its registration has no effect while it is one', role;
	END IF;
	IF partner IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = $4) THEN
			RAISE EXCEPTION 'partner "%" does not exist', partner
				USING ERRCODE = 'undefined_object', HINT = 'Add it first with flp.add_partner().';
		END IF;
		IF license <> 'full' THEN
			RAISE EXCEPTION 'partner user "%" needs a full license', role
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('License "%s" was given.', license);
		END IF;
	END IF;
	/* Serialise registrations so that two sessions cannot both take the last seat. */
	LOCK TABLE flp.registered_user IN SHARE ROW EXCLUSIVE MODE;
	SELECT s.seats INTO cap FROM flp.license_seats s WHERE s.license = $2;
	IF cap IS NOT NULL THEN
		SELECT count(*) INTO used FROM flp.registered_user u
		 WHERE u.license = $2 AND u.role <> $1;
		IF used >= cap THEN
			RAISE EXCEPTION 'no free seat for license "%"', license
				USING ERRCODE = 'program_limit_exceeded',
					  DETAIL = format('All seats of the license are taken (%s).', cap),
					  HINT = 'Free a seat with flp.unregister_user() or buy more with flp.set_seats().';
		END IF;
	END IF;
	INSERT INTO flp.registered_user AS u (role, license, attributes, partner)
	VALUES (role, license, attributes, partner)
	ON CONFLICT ON CONSTRAINT registered_user_pkey
	DO UPDATE SET license = EXCLUDED.license, attributes = EXCLUDED.attributes,
				  partner = EXCLUDED.partner;
END
$$;
COMMENT ON FUNCTION flp.register_user(regrole, flp.license, jsonb, text) IS
	'registers a user with a license, attributes and optionally a partner (again: replaces them)';

CREATE FUNCTION flp.unregister_user(role regrole) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('unregister a user');
	DELETE FROM flp.registered_user u WHERE u.role = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%" is not a registered user', role
			USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION flp.unregister_user(regrole) IS
	'forgets a registered user: it becomes an internal full user without attributes and frees its seat';

CREATE FUNCTION flp.set_seats(license flp.license, seats integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	used bigint;
BEGIN
	PERFORM flp._require_super_admin('set license seats');
	IF license IS NULL THEN
		RAISE EXCEPTION 'license must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF seats IS NULL THEN
		DELETE FROM flp.license_seats s WHERE s.license = $1;
		RETURN;
	END IF;
	IF seats < 0 THEN
		RAISE EXCEPTION 'seats must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	LOCK TABLE flp.registered_user IN SHARE ROW EXCLUSIVE MODE;
	SELECT count(*) INTO used FROM flp.registered_user u WHERE u.license = $1;
	IF used > seats THEN
		RAISE EXCEPTION 'cannot set % seats for license "%"', seats, license
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('%s registered users hold the license.', used),
				  HINT = 'Unregister users first with flp.unregister_user().';
	END IF;
	INSERT INTO flp.license_seats AS s VALUES (license, seats)
	ON CONFLICT ON CONSTRAINT license_seats_pkey DO UPDATE SET seats = EXCLUDED.seats;
END
$$;
COMMENT ON FUNCTION flp.set_seats(flp.license, integer) IS
	'sets how many users may hold a license (NULL: unlimited)';

CREATE FUNCTION flp.add_partner(name text, company_key text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('add a partner');
	IF name IS NULL OR btrim(name) = '' THEN
		RAISE EXCEPTION 'partner name must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO flp.partner AS p VALUES (name, company_key)
	ON CONFLICT ON CONSTRAINT partner_pkey DO UPDATE SET company_key = EXCLUDED.company_key;
END
$$;
COMMENT ON FUNCTION flp.add_partner(text, text) IS
	'adds a partner company (again: changes its company key)';

CREATE FUNCTION flp.drop_partner(name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	users text;
BEGIN
	PERFORM flp._require_super_admin('drop a partner');
	IF NOT EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = $1) THEN
		RAISE EXCEPTION 'partner "%" does not exist', name USING ERRCODE = 'undefined_object';
	END IF;
	SELECT string_agg(format('"%s"', u.role), ', ' ORDER BY u.role::text) INTO users
	  FROM flp.registered_user u WHERE u.partner = $1;
	IF users IS NOT NULL THEN
		RAISE EXCEPTION 'partner "%" still has users', name
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = format('Registered users of the partner: %s.', users),
				  HINT = 'Unregister them first with flp.unregister_user().';
	END IF;
	DELETE FROM flp.partner p WHERE p.name = $1;   -- its bundle and record assignments go with it
END
$$;
COMMENT ON FUNCTION flp.drop_partner(text) IS
	'drops a partner without users, with its partner bundle assignment and record assignments';

/* -------------------------------------------------------------- bundles */

CREATE FUNCTION flp.create_bundle(name text, kind flp.bundle_kind DEFAULT 'internal',
								  license flp.license DEFAULT 'full', description text DEFAULT NULL)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('create a bundle');
	IF name IS NULL OR name = '' OR name <> btrim(name) THEN
		RAISE EXCEPTION 'invalid bundle name "%"', name
			USING ERRCODE = 'invalid_name',
				  DETAIL = 'A bundle name is not empty and has no leading or trailing spaces.';
	END IF;
	IF kind IS NULL OR license IS NULL THEN
		RAISE EXCEPTION 'kind and license must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF kind = 'partner' AND license <> 'full' THEN
		RAISE EXCEPTION 'a partner bundle must have license "full"'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Partner users always hold a full license.';
	END IF;
	IF EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = $1) THEN
		RAISE EXCEPTION 'bundle "%" already exists', name USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO flp.bundle (name, kind, license, description) VALUES (name, kind, license, description);
END
$$;
COMMENT ON FUNCTION flp.create_bundle(text, flp.bundle_kind, flp.license, text) IS
	'creates an empty permission bundle for users of one kind and license';

CREATE FUNCTION flp.drop_bundle(name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('drop a bundle');
	PERFORM flp._require_bundle(name);
	DELETE FROM flp.bundle b WHERE b.name = $1;
END
$$;
COMMENT ON FUNCTION flp.drop_bundle(text) IS
	'drops a bundle with its permissions, assignments and rules';

CREATE FUNCTION flp.set_permission(bundle text, tbl regclass, field name, permission flp.permission)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp._require_super_admin('set a permission');
	/* Default_Partner_Bundle: its tables follow the areas, its fields are opened one by one */
	b := flp._require_bundle(bundle, field IS NULL);
	PERFORM flp._require_governed(tbl);
	IF permission IS NULL THEN
		RAISE EXCEPTION 'permission must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Use flp.clear_permission() to remove a permission.';
	END IF;
	IF b.kind = 'partner' AND NOT EXISTS (SELECT 1 FROM flp.area_table a WHERE a.tbl = $2) THEN
		RAISE EXCEPTION 'table "%" is not in a partner area', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Partner bundle "%s" may grant only tables of the partner areas.', bundle),
				  HINT = 'Add the table to an area first with flp.define_area().';
	END IF;
	IF field IS NULL THEN
		INSERT INTO flp.table_permission AS p VALUES (bundle, tbl, permission)
		ON CONFLICT ON CONSTRAINT table_permission_pkey DO UPDATE SET permission = EXCLUDED.permission;
		RETURN;
	END IF;
	PERFORM flp._require_field(tbl, field);
	IF EXISTS (SELECT 1 FROM flp.excluded_field e WHERE e.tbl = $2 AND e.field = $3) THEN
		RAISE EXCEPTION 'field "%" of table "%" is excluded from field-level permissions', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Excluded fields are never restricted.',
				  HINT = 'Use flp.include_field() first if the field must be restricted.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM flp.table_permission p WHERE p.bundle = $1 AND p.tbl = $2) THEN
		RAISE EXCEPTION 'bundle "%" does not grant table "%"', bundle, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A field-level permission needs a table-level permission of the same bundle, which caps it.',
				  HINT = format('Grant the table first, e.g. flp.set_permission(%L, %L, NULL, %L).',
								bundle, tbl::text, permission);
	END IF;
	INSERT INTO flp.field_permission AS p VALUES (bundle, tbl, field, permission)
	ON CONFLICT ON CONSTRAINT field_permission_pkey DO UPDATE SET permission = EXCLUDED.permission;
	IF permission > (SELECT p.permission FROM flp.table_permission p WHERE p.bundle = $1 AND p.tbl = $2) THEN
		RAISE NOTICE 'field "%" stays at the table-level permission of bundle "%"', field, bundle
			USING DETAIL = 'A field-level permission is never above the table-level one.';
	END IF;
END
$$;
COMMENT ON FUNCTION flp.set_permission(text, regclass, name, flp.permission) IS
	'sets a bundle''s permission on a table (field NULL) or on one field of it';

CREATE FUNCTION flp.clear_permission(bundle text, tbl regclass, field name DEFAULT NULL)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('clear a permission');
	PERFORM flp._require_bundle(bundle, field IS NULL);
	PERFORM flp._require_governed(tbl);
	IF field IS NULL THEN
		DELETE FROM flp.table_permission p WHERE p.bundle = $1 AND p.tbl = $2;
	ELSE
		PERFORM flp._require_field(tbl, field);
		DELETE FROM flp.field_permission p WHERE p.bundle = $1 AND p.tbl = $2 AND p.field = $3;
	END IF;
	IF NOT FOUND THEN
		RAISE NOTICE 'bundle "%" had no such permission', bundle;
	END IF;
END
$$;
COMMENT ON FUNCTION flp.clear_permission(text, regclass, name) IS
	'removes a bundle''s permission on a table (with all its field settings) or on one field';

CREATE FUNCTION flp.assign(bundle text, role regrole) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp._require_super_admin('assign a bundle');
	b := flp._require_bundle(bundle);
	PERFORM flp._require_role(role);
	IF b.kind = 'partner' THEN
		RAISE EXCEPTION 'partner bundle "%" cannot be assigned to a role', bundle
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Assign partner bundles to partners with flp.assign_partner_bundle().';
	END IF;
	INSERT INTO flp.assignment AS a VALUES (bundle, role) ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION flp.assign(text, regrole) IS
	'assigns a bundle to a role; a group role counts for all its members';

CREATE FUNCTION flp.unassign(bundle text, role regrole) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('unassign a bundle');
	PERFORM flp._require_bundle(bundle);
	PERFORM flp._require_role(role);
	DELETE FROM flp.assignment a WHERE a.bundle = $1 AND a.role = $2;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'bundle "%" is not assigned to role "%"', bundle, role
			USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION flp.unassign(text, regrole) IS 'removes a manual assignment';

CREATE FUNCTION flp.add_rule(bundle text, criteria jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
	id bigint;
BEGIN
	PERFORM flp._require_super_admin('add a rule');
	b := flp._require_bundle(bundle);
	IF b.kind = 'partner' THEN
		RAISE EXCEPTION 'partner bundle "%" cannot be given by a criteria rule', bundle
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Assign partner bundles to partners with flp.assign_partner_bundle().';
	END IF;
	IF criteria IS NULL OR jsonb_typeof(criteria) <> 'object' THEN
		RAISE EXCEPTION 'criteria must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example: ''{"region": "emea"}'' matches users whose attributes contain it.';
	END IF;
	INSERT INTO flp.rule AS r (bundle, criteria) VALUES (bundle, criteria) RETURNING r.id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION flp.add_rule(text, jsonb) IS
	'gives a bundle to every registered user whose attributes contain the criteria; returns the rule id';

CREATE FUNCTION flp.drop_rule(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('drop a rule');
	DELETE FROM flp.rule r WHERE r.id = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'rule % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION flp.drop_rule(bigint) IS 'drops a criteria rule';

/* -------------------------------------------------------- introspection */

CREATE FUNCTION flp.effective(tbl regclass, field name, role regrole DEFAULT current_user::regrole)
	RETURNS flp.permission
	AS 'MODULE_PATHNAME', 'flp_effective' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp.effective(regclass, name, regrole) IS
	'the effective permission of a field for a role (default: the current user)';

CREATE FUNCTION flp.explain(tbl regclass, field name, role regrole DEFAULT current_user::regrole)
	RETURNS TABLE (step int, source text, detail text, permission flp.permission)
	AS 'MODULE_PATHNAME', 'flp_explain' LANGUAGE C STABLE STRICT ROWS 10;
COMMENT ON FUNCTION flp.explain(regclass, name, regrole) IS
	'how the effective permission of a field for a role is reached, one row per step';

CREATE FUNCTION flp.effective_permissions(role regrole DEFAULT current_user::regrole)
	RETURNS TABLE (tbl regclass, field name, permission flp.permission)
	AS 'MODULE_PATHNAME', 'flp_effective_permissions' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp.effective_permissions(regrole) IS
	'the effective permission of every field of every governed table for a role';

CREATE FUNCTION flp.bundles(role regrole DEFAULT current_user::regrole)
	RETURNS TABLE (bundle text, source text)
	AS 'MODULE_PATHNAME', 'flp_bundles' LANGUAGE C STABLE STRICT ROWS 5;
COMMENT ON FUNCTION flp.bundles(regrole) IS
	'the bundles that apply to a role now, and why each applies';

CREATE FUNCTION flp.preview(bundle text) RETURNS SETOF regrole
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('preview a bundle');
	PERFORM flp._require_bundle(bundle, false);
	RETURN QUERY
		SELECT r.oid::regrole
		  FROM pg_roles r
		 WHERE r.rolname !~ '^pg_'
		   AND NOT flp.is_super_admin(r.oid::regrole)
		   AND EXISTS (SELECT 1 FROM flp.bundles(r.oid::regrole) b WHERE b.bundle = $1)
		 ORDER BY r.rolname;
END
$$;
COMMENT ON FUNCTION flp.preview(text) IS
	'the roles (super admins and predefined pg_ roles aside) a bundle applies to now';

CREATE FUNCTION flp.attribute(key text) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_attribute' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp.attribute(text) IS
	'the current user''s registered attribute (NULL when absent), for use in data-rule predicates';


/* ================================================== partners and records */

/*
 * Partner areas (DESIGN 2.4): Default_Partner_Bundle grants every table of
 * these areas (flp.define_area keeps its table list), with only the fields a
 * super admin opened to partner users; partner bundles may grant only them.
 */
CREATE TABLE flp.area_table (
	area text COLLATE "C" NOT NULL
		CHECK (area IN ('dashboard', 'timeline', 'cockpit', 'success_plan',
						'company_relationship', 'home', 'report', 'scorecard')),
	tbl regclass NOT NULL,
	PRIMARY KEY (area, tbl)
);
CREATE INDEX area_table_tbl_idx ON flp.area_table (tbl);
COMMENT ON TABLE flp.area_table IS
	'the tables of the partner areas (flp.define_area): what partner bundles may grant';
COMMENT ON COLUMN flp.area_table.area IS 'a partner area';
COMMENT ON COLUMN flp.area_table.tbl IS 'a governed table of that area';

CREATE TABLE flp.partner_scope (
	tbl regclass PRIMARY KEY,
	key_field name NOT NULL
);
COMMENT ON TABLE flp.partner_scope IS
	'tables whose rows partner users see only when assigned to them (flp.partner_scope)';
COMMENT ON COLUMN flp.partner_scope.tbl IS 'the scoped table';
COMMENT ON COLUMN flp.partner_scope.key_field IS 'the field holding the record key';

CREATE TABLE flp.record_assignment (
	tbl regclass NOT NULL,
	record_key text COLLATE "C" NOT NULL,
	partner text COLLATE "C" NOT NULL,
	partner_user regrole,
	UNIQUE NULLS NOT DISTINCT (tbl, record_key, partner, partner_user)
);
CREATE INDEX record_assignment_partner_idx ON flp.record_assignment (tbl, partner);
COMMENT ON TABLE flp.record_assignment IS
	'records of scoped tables assigned to a partner (all its users) or to one partner user';
COMMENT ON COLUMN flp.record_assignment.tbl IS 'the scoped table';
COMMENT ON COLUMN flp.record_assignment.record_key IS 'the record''s key, as text';
COMMENT ON COLUMN flp.record_assignment.partner IS 'the partner';
COMMENT ON COLUMN flp.record_assignment.partner_user IS
	'the one partner user the record is assigned to; NULL: every user of the partner';

CREATE TABLE flp.record_link (
	child regclass PRIMARY KEY,
	fk_field name NOT NULL,
	parent regclass NOT NULL,
	parent_key name NOT NULL,
	CHECK (child <> parent)
);
CREATE INDEX record_link_parent_idx ON flp.record_link (parent);
COMMENT ON TABLE flp.record_link IS
	'inheritance rules: a child row is visible to partner users exactly when its parent row is (flp.link_records)';
COMMENT ON COLUMN flp.record_link.child IS 'the child table';
COMMENT ON COLUMN flp.record_link.fk_field IS 'the child field referring to the parent';
COMMENT ON COLUMN flp.record_link.parent IS 'the parent table';
COMMENT ON COLUMN flp.record_link.parent_key IS 'the parent field it refers to';

CREATE TABLE flp.data_rule (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	tbl regclass NOT NULL,
	predicate text NOT NULL,
	access flp.permission NOT NULL DEFAULT 'read' CHECK (access IN ('read', 'edit')),
	bundle text COLLATE "C"
);
CREATE INDEX data_rule_tbl_idx ON flp.data_rule (tbl);
COMMENT ON TABLE flp.data_rule IS
	'record-level data rules: the rows of a table a bundle''s members (or every subject) may read or edit';
COMMENT ON COLUMN flp.data_rule.id IS 'rule number, returned by flp.add_data_rule';
COMMENT ON COLUMN flp.data_rule.tbl IS 'the governed table';
COMMENT ON COLUMN flp.data_rule.predicate IS 'a boolean SQL expression over the row (may use flp.attribute())';
COMMENT ON COLUMN flp.data_rule.access IS 'read: the rows can be seen; edit: also changed';
COMMENT ON COLUMN flp.data_rule.bundle IS 'the bundle whose members the rule applies to; NULL: every subject';

/* ---------------------------------------------- references between tables */

/*
 * A field setting needs its table setting, a table setting its bundle and its
 * governed table, and so on.  These references are triggers rather than
 * foreign keys: pg_dump dumps each catalog table's data as its own item, and
 * `pg_restore -j` loads them in any order, which foreign keys created with
 * the extension would refuse.  The triggers behave like the foreign keys they
 * replace (same names, same errors, 23503), cascade deletes and renames, and
 * do not check the rows a COPY FROM loads (a restore).  A row whose
 * referenced row is missing grants nothing (see src/references.c).
 */
CREATE FUNCTION flp._ref_check() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_ref_check' LANGUAGE C;
COMMENT ON FUNCTION flp._ref_check() IS
	'internal: trigger of a reference between catalog tables (the referenced row must exist)';
CREATE FUNCTION flp._ref_action() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_ref_action' LANGUAGE C;
COMMENT ON FUNCTION flp._ref_action() IS
	'internal: trigger of a reference between catalog tables (cascade or refuse a change of the referenced row)';
REVOKE ALL ON FUNCTION flp._ref_check(), flp._ref_action() FROM PUBLIC;

CREATE TRIGGER excluded_field_tbl_fkey BEFORE INSERT OR UPDATE ON flp.excluded_field
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('excluded_field_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER excluded_field_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('excluded_field_tbl_fkey', 'flp.excluded_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER excluded_field_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('excluded_field_tbl_fkey', 'flp.excluded_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER field_mask_tbl_fkey BEFORE INSERT OR UPDATE ON flp.field_mask
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('field_mask_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER field_mask_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('field_mask_tbl_fkey', 'flp.field_mask', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER field_mask_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('field_mask_tbl_fkey', 'flp.field_mask', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_tbl_fkey BEFORE INSERT OR UPDATE ON flp.inherited_field
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('inherited_field_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('inherited_field_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('inherited_field_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_from_tbl_fkey BEFORE INSERT OR UPDATE ON flp.inherited_field
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('inherited_field_from_tbl_fkey', 'flp.governed_table', 'from_tbl', 'tbl');
CREATE TRIGGER inherited_field_from_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('inherited_field_from_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'from_tbl');
CREATE TRIGGER inherited_field_from_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('inherited_field_from_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'from_tbl');
CREATE TRIGGER table_permission_bundle_fkey BEFORE INSERT OR UPDATE ON flp.table_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('table_permission_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER table_permission_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('table_permission_bundle_fkey', 'flp.table_permission', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER table_permission_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('table_permission_bundle_fkey', 'flp.table_permission', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER table_permission_tbl_fkey BEFORE INSERT OR UPDATE ON flp.table_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('table_permission_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER table_permission_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('table_permission_tbl_fkey', 'flp.table_permission', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER table_permission_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('table_permission_tbl_fkey', 'flp.table_permission', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER field_permission_bundle_tbl_fkey BEFORE INSERT OR UPDATE ON flp.field_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('field_permission_bundle_tbl_fkey', 'flp.table_permission', 'bundle', 'bundle', 'tbl', 'tbl');
CREATE TRIGGER field_permission_bundle_tbl_fkey AFTER UPDATE OR DELETE ON flp.table_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('field_permission_bundle_tbl_fkey', 'flp.field_permission', 'cascade', 'cascade', 'bundle', 'bundle', 'tbl', 'tbl');
CREATE TRIGGER field_permission_bundle_tbl_fkey_truncate AFTER TRUNCATE ON flp.table_permission
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('field_permission_bundle_tbl_fkey', 'flp.field_permission', 'cascade', 'cascade', 'bundle', 'bundle', 'tbl', 'tbl');
CREATE TRIGGER assignment_bundle_fkey BEFORE INSERT OR UPDATE ON flp.assignment
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('assignment_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER assignment_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('assignment_bundle_fkey', 'flp.assignment', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER assignment_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('assignment_bundle_fkey', 'flp.assignment', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER rule_bundle_fkey BEFORE INSERT OR UPDATE ON flp.rule
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('rule_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER rule_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('rule_bundle_fkey', 'flp.rule', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER rule_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('rule_bundle_fkey', 'flp.rule', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER registered_user_partner_fkey BEFORE INSERT OR UPDATE ON flp.registered_user
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('registered_user_partner_fkey', 'flp.partner', 'partner', 'name');
CREATE TRIGGER registered_user_partner_fkey AFTER UPDATE OR DELETE ON flp.partner
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('registered_user_partner_fkey', 'flp.registered_user', 'restrict', 'cascade', 'name', 'partner');
CREATE TRIGGER registered_user_partner_fkey_truncate AFTER TRUNCATE ON flp.partner
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('registered_user_partner_fkey', 'flp.registered_user', 'restrict', 'cascade', 'name', 'partner');
CREATE TRIGGER partner_bundle_partner_fkey BEFORE INSERT OR UPDATE ON flp.partner_bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('partner_bundle_partner_fkey', 'flp.partner', 'partner', 'name');
CREATE TRIGGER partner_bundle_partner_fkey AFTER UPDATE OR DELETE ON flp.partner
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('partner_bundle_partner_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER partner_bundle_partner_fkey_truncate AFTER TRUNCATE ON flp.partner
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('partner_bundle_partner_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER partner_bundle_bundle_fkey BEFORE INSERT OR UPDATE ON flp.partner_bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('partner_bundle_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER partner_bundle_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('partner_bundle_bundle_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER partner_bundle_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('partner_bundle_bundle_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER area_table_tbl_fkey BEFORE INSERT OR UPDATE ON flp.area_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('area_table_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER area_table_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('area_table_tbl_fkey', 'flp.area_table', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER area_table_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('area_table_tbl_fkey', 'flp.area_table', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER partner_scope_tbl_fkey BEFORE INSERT OR UPDATE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('partner_scope_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER partner_scope_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('partner_scope_tbl_fkey', 'flp.partner_scope', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER partner_scope_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('partner_scope_tbl_fkey', 'flp.partner_scope', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_tbl_fkey BEFORE INSERT OR UPDATE ON flp.record_assignment
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_assignment_tbl_fkey', 'flp.partner_scope', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_tbl_fkey AFTER UPDATE OR DELETE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_assignment_tbl_fkey', 'flp.record_assignment', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_tbl_fkey_truncate AFTER TRUNCATE ON flp.partner_scope
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_assignment_tbl_fkey', 'flp.record_assignment', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_partner_fkey BEFORE INSERT OR UPDATE ON flp.record_assignment
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_assignment_partner_fkey', 'flp.partner', 'partner', 'name');
CREATE TRIGGER record_assignment_partner_fkey AFTER UPDATE OR DELETE ON flp.partner
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_assignment_partner_fkey', 'flp.record_assignment', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER record_assignment_partner_fkey_truncate AFTER TRUNCATE ON flp.partner
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_assignment_partner_fkey', 'flp.record_assignment', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER record_link_child_fkey BEFORE INSERT OR UPDATE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_link_child_fkey', 'flp.governed_table', 'child', 'tbl');
CREATE TRIGGER record_link_child_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_link_child_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'child');
CREATE TRIGGER record_link_child_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_link_child_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'child');
CREATE TRIGGER record_link_parent_fkey BEFORE INSERT OR UPDATE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_link_parent_fkey', 'flp.governed_table', 'parent', 'tbl');
CREATE TRIGGER record_link_parent_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_link_parent_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'parent');
CREATE TRIGGER record_link_parent_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_link_parent_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'parent');
CREATE TRIGGER data_rule_tbl_fkey BEFORE INSERT OR UPDATE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('data_rule_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER data_rule_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('data_rule_tbl_fkey', 'flp.data_rule', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER data_rule_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('data_rule_tbl_fkey', 'flp.data_rule', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER data_rule_bundle_fkey BEFORE INSERT OR UPDATE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('data_rule_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER data_rule_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('data_rule_bundle_fkey', 'flp.data_rule', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER data_rule_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('data_rule_bundle_fkey', 'flp.data_rule', 'cascade', 'cascade', 'name', 'bundle');

SELECT pg_catalog.pg_extension_config_dump('flp.area_table', '');
SELECT pg_catalog.pg_extension_config_dump('flp.partner_scope', '');
SELECT pg_catalog.pg_extension_config_dump('flp.record_assignment', '');
SELECT pg_catalog.pg_extension_config_dump('flp.record_link', '');
SELECT pg_catalog.pg_extension_config_dump('flp.data_rule', '');
SELECT pg_catalog.pg_extension_config_dump('flp.data_rule_id_seq', '');
REVOKE ALL ON flp.area_table, flp.partner_scope, flp.record_assignment, flp.record_link,
	flp.data_rule FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON flp.area_table, flp.partner_scope,
	flp.record_assignment, flp.record_link, flp.data_rule TO flp_admin;
GRANT USAGE ON SEQUENCE flp.data_rule_id_seq TO flp_admin;
CREATE TRIGGER flp_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON flp.area_table FOR EACH STATEMENT EXECUTE FUNCTION flp._catalog_changed();

/* ------------------------------------------- the current user, in policies */

CREATE FUNCTION flp.is_partner_user() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_is_partner_user' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.is_partner_user() IS
	'true when the current user is a partner user (not a super admin)';

CREATE FUNCTION flp.current_partner() RETURNS text
	AS 'MODULE_PATHNAME', 'flp_current_partner' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.current_partner() IS
	'the partner of the current user, or NULL';

CREATE FUNCTION flp.is_subject() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_is_subject' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.is_subject() IS
	'true when the current user is restricted by flp (not a super admin)';

CREATE FUNCTION flp.has_bundle(bundle text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_has_bundle' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.has_bundle(text) IS
	'true when the bundle applies to the current user';

CREATE FUNCTION flp.record_visible(tbl regclass, record_key text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_record_visible' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.record_visible(regclass, text) IS
	'whether the current user may see a record of a partner-scoped table (used by the flp_scope policies)';

/*
 * The same question with the key in its own type, for plans: where a
 * flp_scope policy converts its key to text by I/O conversion (integers,
 * uuid, dates...), flp's planner hook calls this instead and converts with
 * the type's output function (integers without a function call), which gives
 * the same text.
 */
CREATE FUNCTION flp._record_visible_key(tbl regclass, record_key anyelement) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_record_visible_key' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp._record_visible_key(regclass, anyelement) IS
	'internal: flp.record_visible(tbl, record_key::text) for a key converted to text by its output function';

/* Changes of the assignments reach every session at commit. */
CREATE FUNCTION flp._assignments_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_assignments_changed' LANGUAGE C;
COMMENT ON FUNCTION flp._assignments_changed() IS
	'trigger: at commit, tells every session that record assignments changed';
REVOKE ALL ON FUNCTION flp._assignments_changed() FROM PUBLIC;
CREATE TRIGGER flp_assignments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON flp.record_assignment FOR EACH STATEMENT EXECUTE FUNCTION flp._assignments_changed();

CREATE FUNCTION flp._eval_rule(tbl regclass, key_field name, record_key text, predicate text,
							   role regrole) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_eval_rule' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp._eval_rule(regclass, name, text, text, regrole) IS
	'internal: a data rule''s predicate on one row, with flp.attribute() answering for a role';
REVOKE ALL ON FUNCTION flp._eval_rule(regclass, name, text, text, regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._eval_rule(regclass, name, text, text, regrole) TO flp_admin;

/*
 * A data rule stored by direct DML passes the same checks as
 * flp.add_data_rule(): its predicate is parsed on its own by PostgreSQL's
 * parser and must be one boolean expression over the row, calling only
 * functions flp lets run in subjects' sessions (rules.c, trust.c).
 */
CREATE FUNCTION flp._check_data_rule() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_check_data_rule' LANGUAGE C;
COMMENT ON FUNCTION flp._check_data_rule() IS
	'internal trigger: a data rule''s predicate must be one boolean expression over the row, of trusted functions';
REVOKE ALL ON FUNCTION flp._check_data_rule() FROM PUBLIC;
CREATE TRIGGER flp_check_data_rule BEFORE INSERT OR UPDATE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp._check_data_rule();

CREATE FUNCTION flp._create_data_policies(rel regclass, root regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_create_data_policies' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp._create_data_policies(regclass, regclass) IS
	'internal: creates the flp_data_* policies of root''s data rules on rel, from the predicates'' parse trees';
REVOKE ALL ON FUNCTION flp._create_data_policies(regclass, regclass) FROM PUBLIC;

/* ------------------------------------------------ compiling the policies */

/*
 * (Re)create flp's row policies of one governed table on it and on its
 * partitions and children, from the catalog:
 *   flp_scope   partner users see only assigned records        (flp.partner_scope)
 *   flp_link    partner users see children of visible parents  (flp.link_records)
 *   flp_data_*  subjects see and change rows by data rules      (flp.add_data_rule)
 * All are restrictive: they narrow what the other policies allow.
 */
CREATE FUNCTION flp._compile_policies(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	root regclass;
	rel regclass;
	scope flp.partner_scope;
	link flp.record_link;
	pol text;
BEGIN
	SELECT g.tbl INTO root FROM flp.governed_table g
	 WHERE g.tbl = tbl OR g.tbl IN (SELECT flp._ancestors(tbl)) LIMIT 1;
	IF root IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO scope FROM flp.partner_scope s WHERE s.tbl = root;
	SELECT * INTO link FROM flp.record_link l WHERE l.child = root;

	FOR rel IN SELECT flp._tree(root) LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM flp.guarded_relation g WHERE g.relid = rel);
		FOR pol IN SELECT p.polname FROM pg_policy p
					WHERE p.polrelid = rel
					  AND p.polname IN ('flp_scope', 'flp_link', 'flp_data_select',
										'flp_data_insert', 'flp_data_update', 'flp_data_delete')
		LOOP
			EXECUTE format('DROP POLICY %I ON %s', pol, rel);
		END LOOP;
		IF scope.tbl IS NOT NULL THEN
			EXECUTE format('CREATE POLICY flp_scope ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_partner_user() OR flp.record_visible(%2$L::regclass, (%3$I)::text)) '
						   'WITH CHECK (NOT flp.is_partner_user() OR flp.record_visible(%2$L::regclass, (%3$I)::text))',
						   rel, root::text, scope.key_field);
		END IF;
		IF link.child IS NOT NULL THEN
			EXECUTE format('CREATE POLICY flp_link ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_partner_user() OR EXISTS (SELECT 1 FROM %2$s p '
						   'WHERE p.%3$I = %1$s.%4$I)) '
						   'WITH CHECK (NOT flp.is_partner_user() OR EXISTS (SELECT 1 FROM %2$s p '
						   'WHERE p.%3$I = %1$s.%4$I))',
						   rel, link.parent, link.parent_key, link.fk_field);
		END IF;
		/* built from the predicates' parse trees, never from their text (rules.c) */
		PERFORM flp._create_data_policies(rel, root);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp._compile_policies(regclass) IS
	'internal: (re)creates flp''s row-level security policies of a governed table and its children';
REVOKE ALL ON FUNCTION flp._compile_policies(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._compile_policies(regclass) TO flp_admin;

/* ------------------------------------------------------------ partners */

CREATE FUNCTION flp.define_area(area text, tables regclass[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	t regclass;
BEGIN
	PERFORM flp._require_super_admin('define an area');
	IF area IS NULL OR area NOT IN ('dashboard', 'timeline', 'cockpit', 'success_plan',
									'company_relationship', 'home', 'report', 'scorecard') THEN
		RAISE EXCEPTION 'unknown partner area "%"', area
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The partner areas are dashboard, timeline, cockpit, success_plan, company_relationship, home, report and scorecard.';
	END IF;
	FOREACH t IN ARRAY coalesce(tables, '{}') LOOP
		PERFORM flp._require_governed(t);
	END LOOP;
	DELETE FROM flp.area_table a WHERE a.area = $1;
	INSERT INTO flp.area_table (area, tbl)
	SELECT DISTINCT area, member FROM unnest(coalesce(tables, '{}')) member;
	/*
	 * Default_Partner_Bundle grants exactly the tables of the areas; the
	 * fields a super admin opened to partner users on a table that leaves
	 * every area go with it.
	 */
	DELETE FROM flp.table_permission p
	 WHERE p.bundle = 'Default_Partner_Bundle'
	   AND NOT EXISTS (SELECT 1 FROM flp.area_table a WHERE a.tbl = p.tbl);
	INSERT INTO flp.table_permission (bundle, tbl, permission)
	SELECT DISTINCT 'Default_Partner_Bundle', a.tbl, 'edit'::flp.permission FROM flp.area_table a
	ON CONFLICT ON CONSTRAINT table_permission_pkey DO NOTHING;
END
$$;
COMMENT ON FUNCTION flp.define_area(text, regclass[]) IS
	'sets the tables of a partner area (Default_Partner_Bundle grants them, with only the fields a super admin opened; partner bundles may grant only them)';

CREATE FUNCTION flp.assign_partner_bundle(partner text, bundle text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp._require_super_admin('assign a partner bundle');
	IF NOT EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = $1) THEN
		RAISE EXCEPTION 'partner "%" does not exist', partner
			USING ERRCODE = 'undefined_object', HINT = 'Add it first with flp.add_partner().';
	END IF;
	b := flp._require_bundle(bundle, false);
	IF b.kind <> 'partner' THEN
		RAISE EXCEPTION 'bundle "%" is not a partner bundle', bundle
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Create partner bundles with flp.create_bundle(name, kind => ''partner'').';
	END IF;
	IF b.system THEN
		DELETE FROM flp.partner_bundle pb WHERE pb.partner = $1;   -- back to the default
	ELSE
		INSERT INTO flp.partner_bundle AS pb VALUES (partner, bundle)
		ON CONFLICT ON CONSTRAINT partner_bundle_pkey DO UPDATE SET bundle = EXCLUDED.bundle;
	END IF;
END
$$;
COMMENT ON FUNCTION flp.assign_partner_bundle(text, text) IS
	'gives a partner''s users a partner bundle instead of Default_Partner_Bundle (Default_Partner_Bundle: back to the default)';

CREATE FUNCTION flp.partner_scope(tbl regclass, key_field name) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('scope a table');
	PERFORM flp._require_governed(tbl);
	PERFORM flp._require_field(tbl, key_field);
	INSERT INTO flp.partner_scope AS s VALUES (tbl, key_field)
	ON CONFLICT ON CONSTRAINT partner_scope_pkey DO UPDATE SET key_field = EXCLUDED.key_field;
	PERFORM flp._compile_policies(tbl);
END
$$;
COMMENT ON FUNCTION flp.partner_scope(regclass, name) IS
	'partner users see and change only the rows of the table whose key is assigned to them';

CREATE FUNCTION flp._require_scope(partner text, tbl regclass, partner_user regrole) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF NOT EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = $1) THEN
		RAISE EXCEPTION 'partner "%" does not exist', partner
			USING ERRCODE = 'undefined_object', HINT = 'Add it first with flp.add_partner().';
	END IF;
	PERFORM flp._require_governed(tbl);
	IF NOT EXISTS (SELECT 1 FROM flp.partner_scope s WHERE s.tbl = $2) THEN
		RAISE EXCEPTION 'table "%" is not scoped for partners', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Scope it first with flp.partner_scope(%L, key_field).', tbl::text);
	END IF;
	IF partner_user IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM flp.registered_user u WHERE u.role = $3 AND u.partner = $1) THEN
		RAISE EXCEPTION 'role "%" is not a user of partner "%"', partner_user, partner
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Register it with flp.register_user(role, ''full'', ''{}'', partner).';
	END IF;
END
$$;
COMMENT ON FUNCTION flp._require_scope(text, regclass, regrole) IS
	'internal: checks the arguments of flp.assign_record and flp.unassign_record';

CREATE FUNCTION flp.assign_record(partner text, tbl regclass, record_key text,
								  partner_user regrole DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('assign a record');
	PERFORM flp._require_scope(partner, tbl, partner_user);
	IF record_key IS NULL THEN
		RAISE EXCEPTION 'record key must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	INSERT INTO flp.record_assignment VALUES (tbl, record_key, partner, partner_user)
	ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION flp.assign_record(text, regclass, text, regrole) IS
	'assigns a record of a scoped table to a partner (all its users) or to one partner user';

CREATE FUNCTION flp.unassign_record(partner text, tbl regclass, record_key text,
									partner_user regrole DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('unassign a record');
	PERFORM flp._require_scope(partner, tbl, partner_user);
	DELETE FROM flp.record_assignment a
	 WHERE a.tbl = $2 AND a.record_key = $3 AND a.partner = $1
	   AND a.partner_user IS NOT DISTINCT FROM $4;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'record "%" of table "%" is not assigned to %', record_key, tbl,
			CASE WHEN partner_user IS NULL THEN format('partner "%s"', partner)
				 ELSE format('user "%s" of partner "%s"', partner_user, partner) END
			USING ERRCODE = 'undefined_object';
	END IF;
END
$$;
COMMENT ON FUNCTION flp.unassign_record(text, regclass, text, regrole) IS
	'takes a record assignment back';

CREATE FUNCTION flp.link_records(child regclass, fk_field name, parent regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	pkey name;
	chain text[];
	up regclass;
	left_steps bigint;
BEGIN
	PERFORM flp._require_super_admin('link records');
	PERFORM flp._require_governed(child);
	PERFORM flp._require_governed(parent);
	PERFORM flp._require_field(child, fk_field);
	IF child = parent THEN
		RAISE EXCEPTION 'table "%" cannot be linked to itself', child USING ERRCODE = 'invalid_recursion';
	END IF;
	/* flp_link reads the parent in partner users' sessions, with the parent's own policies */
	PERFORM flp._refuse_untrusted_policies(parent);
	/* the parent's record key: its scope key, or its one-column primary key */
	SELECT s.key_field INTO pkey FROM flp.partner_scope s WHERE s.tbl = parent;
	IF pkey IS NULL THEN
		SELECT a.attname INTO pkey
		  FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		 WHERE i.indrelid = parent AND i.indisprimary AND i.indnkeyatts = 1;
	END IF;
	IF pkey IS NULL THEN
		RAISE EXCEPTION 'table "%" has no record key', parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Scope the parent with flp.partner_scope(), or give it a one-column primary key.';
	END IF;
	/* Walk up from the parent (one parent per table): reaching child again would be a cycle. */
	up := parent;
	chain := ARRAY[child::text];
	SELECT count(*) INTO left_steps FROM flp.record_link;
	LOOP
		IF cardinality(chain) < 20 THEN
			chain := chain || up::text;
		ELSIF cardinality(chain) = 20 THEN
			chain := chain || '...'::text;
		END IF;
		IF up = child THEN
			RAISE EXCEPTION 'linking "%" to "%" would make a cycle', child, parent
				USING ERRCODE = 'invalid_recursion',
					  DETAIL = format('The chain would be %s.', array_to_string(chain, ' -> '));
		END IF;
		SELECT l.parent INTO up FROM flp.record_link l WHERE l.child = up;
		EXIT WHEN NOT FOUND OR left_steps <= 0;
		left_steps := left_steps - 1;
	END LOOP;
	INSERT INTO flp.record_link AS l VALUES (child, fk_field, parent, pkey)
	ON CONFLICT ON CONSTRAINT record_link_pkey
	DO UPDATE SET fk_field = EXCLUDED.fk_field, parent = EXCLUDED.parent,
				  parent_key = EXCLUDED.parent_key;
	PERFORM flp._compile_policies(child);
END
$$;
COMMENT ON FUNCTION flp.link_records(regclass, name, regclass) IS
	'inheritance rule: partner users see a child row exactly when they see its parent row';

CREATE FUNCTION flp.unlink_records(child regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('unlink records');
	DELETE FROM flp.record_link l WHERE l.child = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table "%" is not linked', child USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM flp._compile_policies(child);
END
$$;
COMMENT ON FUNCTION flp.unlink_records(regclass) IS 'removes an inheritance rule';

CREATE FUNCTION flp.unscope(tbl regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('unscope a table');
	DELETE FROM flp.partner_scope s WHERE s.tbl = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table "%" is not scoped for partners', tbl USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM flp._compile_policies(tbl);
END
$$;
COMMENT ON FUNCTION flp.unscope(regclass) IS
	'ends partner scoping of a table (and forgets its record assignments)';

/* -------------------------------------------------------- data rules */

CREATE FUNCTION flp.add_data_rule(tbl regclass, predicate text, access flp.permission DEFAULT 'read',
								  bundle text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	id bigint;
BEGIN
	PERFORM flp._require_super_admin('add a data rule');
	PERFORM flp._require_governed(tbl);
	IF predicate IS NULL OR btrim(predicate) = '' THEN
		RAISE EXCEPTION 'predicate must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF access IS NULL OR access = 'hide' THEN
		RAISE EXCEPTION 'access must be read or edit' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Rows no rule allows are hidden already.';
	END IF;
	IF bundle IS NOT NULL THEN
		PERFORM flp._require_bundle(bundle, false);
	END IF;
	INSERT INTO flp.data_rule AS r (tbl, predicate, access, bundle)
	VALUES (tbl, predicate, access, bundle) RETURNING r.id INTO id;
	/* compiling it into the policies checks that it parses and is boolean */
	PERFORM flp._compile_policies(tbl);
	RETURN id;
END
$$;
COMMENT ON FUNCTION flp.add_data_rule(regclass, text, flp.permission, text) IS
	'gives a bundle''s members (NULL: every subject) read or edit access to the rows matching a predicate';

CREATE FUNCTION flp.drop_data_rule(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	t regclass;
BEGIN
	PERFORM flp._require_super_admin('drop a data rule');
	DELETE FROM flp.data_rule r WHERE r.id = $1 RETURNING r.tbl INTO t;
	IF t IS NULL THEN
		RAISE EXCEPTION 'data rule % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM flp._compile_policies(t);
END
$$;
COMMENT ON FUNCTION flp.drop_data_rule(bigint) IS 'drops a data rule';

/* ------------------------------------------------- explaining records */

/* The record key field of a governed table: its scope key, or its one-column primary key. */
CREATE FUNCTION flp._record_key_field(tbl regclass) RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(
		(SELECT s.key_field FROM flp.partner_scope s WHERE s.tbl = $1),
		(SELECT a.attname
		   FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		  WHERE i.indrelid = $1 AND i.indisprimary AND i.indnkeyatts = 1))
$$;
COMMENT ON FUNCTION flp._record_key_field(regclass) IS
	'internal: the field that identifies a record of a governed table';

CREATE FUNCTION flp.explain_record(tbl regclass, record_key text,
								   role regrole DEFAULT current_user::regrole)
	RETURNS TABLE (step int, source text, detail text, visible boolean)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	n int := 0;
	keyf name;
	partner text;
	scoped boolean;
	ok_scope boolean := true;
	ok_link boolean := true;
	ok_rules boolean := true;
	editable boolean := true;
	l flp.record_link;
	fk text;
	r flp.data_rule;
	applies boolean;
	res boolean;
	any_rule boolean := false;
	any_edit boolean := false;
	p record;
BEGIN
	PERFORM flp._require_super_admin('explain a record');
	PERFORM flp._require_governed(tbl);
	PERFORM flp._require_role(role);
	keyf := flp._record_key_field(tbl);
	IF keyf IS NULL THEN
		RAISE EXCEPTION 'table "%" has no record key', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Records are named by the partner scope key or a one-column primary key.';
	END IF;
	IF flp.is_super_admin(role) THEN
		n := n + 1; step := n; source := 'super admin';
		detail := format('role "%s" is a super admin: every row is visible and editable', role);
		visible := true; RETURN NEXT;
		n := n + 1; step := n; source := 'result'; detail := 'visible and editable'; RETURN NEXT;
		RETURN;
	END IF;
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE (%I)::text = $1)', tbl, keyf)
	   INTO res USING record_key;
	n := n + 1; step := n; source := 'record';
	detail := format('%s.%I = %L %s', tbl, keyf, record_key,
					 CASE WHEN res THEN 'exists' ELSE 'does not exist' END);
	visible := NULL; RETURN NEXT;

	SELECT u.partner INTO partner FROM flp.registered_user u WHERE u.role = $3;
	scoped := EXISTS (SELECT 1 FROM flp.partner_scope s WHERE s.tbl = $1);
	IF scoped THEN
		n := n + 1; step := n; source := 'partner scope';
		IF partner IS NULL THEN
			detail := format('the table is scoped for partners; "%s" is an internal user, not concerned', role);
			visible := true;
		ELSE
			SELECT string_agg(CASE WHEN a.partner_user IS NULL THEN format('to partner "%s"', a.partner)
								   ELSE format('to user "%s"', a.partner_user) END, ', ')
			  INTO detail
			  FROM flp.record_assignment a
			 WHERE a.tbl = $1 AND a.record_key = $2 AND a.partner = partner
			   AND (a.partner_user IS NULL OR a.partner_user = $3);
			ok_scope := detail IS NOT NULL;
			detail := CASE WHEN ok_scope THEN format('assigned %s', detail)
						   ELSE format('not assigned to partner "%s" nor to "%s"', partner, role) END;
			visible := ok_scope;
		END IF;
		RETURN NEXT;
	END IF;

	SELECT * INTO l FROM flp.record_link k WHERE k.child = $1;
	IF l.child IS NOT NULL THEN
		n := n + 1; step := n; source := 'inheritance rule';
		IF partner IS NULL THEN
			detail := format('linked to %s; "%s" is an internal user, not concerned', l.parent, role);
			visible := true; RETURN NEXT;
		ELSE
			EXECUTE format('SELECT (%I)::text FROM %s WHERE (%I)::text = $1', l.fk_field, tbl, keyf)
			   INTO fk USING record_key;
			detail := format('visible when its parent %s.%I = %L is', l.parent, l.parent_key, fk);
			visible := NULL; RETURN NEXT;
			ok_link := false;
			IF fk IS NOT NULL THEN
				FOR p IN SELECT * FROM flp.explain_record(l.parent, fk, role) e LOOP
					n := n + 1; step := n; source := '  parent: ' || p.source; detail := p.detail;
					visible := p.visible; RETURN NEXT;
					IF p.source = 'result' THEN
						ok_link := coalesce(p.visible, false);
					END IF;
				END LOOP;
			END IF;
		END IF;
	END IF;

	FOR r IN SELECT * FROM flp.data_rule d WHERE d.tbl = $1 ORDER BY d.id LOOP
		any_rule := true;
		applies := r.bundle IS NULL OR EXISTS (SELECT 1 FROM flp.bundles(role) b WHERE b.bundle = r.bundle);
		n := n + 1; step := n; source := format('data rule %s', r.id);
		IF NOT applies THEN
			detail := format('%s access where %s; for bundle "%s", which does not apply', r.access, r.predicate, r.bundle);
			visible := NULL;
		ELSE
			res := flp._eval_rule(tbl, keyf, record_key, r.predicate, role);
			detail := format('%s access where %s%s: %s', r.access, r.predicate,
							 CASE WHEN r.bundle IS NULL THEN '' ELSE format(' (bundle "%s")', r.bundle) END,
							 CASE WHEN res THEN 'matches' ELSE 'does not match' END);
			visible := coalesce(res, false);
			IF coalesce(res, false) THEN
				any_edit := any_edit OR r.access = 'edit';
			END IF;
		END IF;
		RETURN NEXT;
	END LOOP;
	IF any_rule THEN
		ok_rules := EXISTS (SELECT 1 FROM flp.data_rule d WHERE d.tbl = $1
							  AND (d.bundle IS NULL OR EXISTS (SELECT 1 FROM flp.bundles(role) b WHERE b.bundle = d.bundle))
							  AND coalesce(flp._eval_rule(tbl, keyf, record_key, d.predicate, role), false));
		editable := any_edit;
	END IF;

	n := n + 1; step := n; source := 'result';
	visible := ok_scope AND ok_link AND ok_rules;
	detail := CASE WHEN NOT visible THEN 'not visible'
				   WHEN editable THEN 'visible and editable (field permissions still apply)'
				   ELSE 'visible, read-only' END;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION flp.explain_record(regclass, text, regrole) IS
	'why a record of a governed table is or is not visible to a role: partner scope, inheritance rules, data rules';

/* ------------------------------------------------------ DDL following */

/*
 * Dropped tables and columns take their catalog rows with them.  Renames of
 * tables need nothing (rows hold OIDs); renames of columns are followed by the
 * library's ProcessUtility hook, which knows the old name.
 */
CREATE FUNCTION flp._on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	obj record;
	used text;
BEGIN
	FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects()
			   WHERE object_type IN ('table', 'table column')
	LOOP
		IF obj.object_type = 'table' THEN
			DELETE FROM flp.guarded_relation r WHERE r.relid::oid = obj.objid;
			DELETE FROM flp.inherited_field i WHERE i.from_tbl::oid = obj.objid;
			DELETE FROM flp.governed_table g WHERE g.tbl::oid = obj.objid;
		ELSIF EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl::oid = obj.objid) THEN
			DELETE FROM flp.inherited_field i
			 WHERE i.from_tbl::oid = obj.objid AND i.from_field = obj.address_names[3];
			DELETE FROM flp.excluded_field e
			 WHERE e.tbl::oid = obj.objid AND e.field = obj.address_names[3];
			DELETE FROM flp.field_mask m
			 WHERE m.tbl::oid = obj.objid AND m.field = obj.address_names[3];
			DELETE FROM flp.inherited_field i
			 WHERE i.tbl::oid = obj.objid AND i.field = obj.address_names[3];
			DELETE FROM flp.field_permission p
			 WHERE p.tbl::oid = obj.objid AND p.field = obj.address_names[3];
		END IF;
	END LOOP;
	/* A mask function still in use by a remaining field cannot go. */
	SELECT string_agg(format('%s.%I', m.tbl, m.field), ', ' ORDER BY m.tbl::text, m.field)
	  INTO used
	  FROM flp.field_mask m
	  JOIN pg_event_trigger_dropped_objects() d
		ON d.object_type = 'function' AND d.objid = m.mask::oid;
	IF used IS NOT NULL THEN
		RAISE EXCEPTION 'cannot drop a function that masks fields'
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = format('It is the mask of %s.', used),
				  HINT = 'Reset the masks first with flp.set_mask(tbl, field, NULL).';
	END IF;
END
$$;
COMMENT ON FUNCTION flp._on_sql_drop() IS
	'event trigger: removes the catalog rows of dropped governed tables and columns';
REVOKE ALL ON FUNCTION flp._on_sql_drop() FROM PUBLIC;

CREATE EVENT TRIGGER flp_sql_drop ON sql_drop EXECUTE FUNCTION flp._on_sql_drop();

/*
 * Renames of columns, new partitions and new inheritance children are
 * followed by the library's ProcessUtility hook.  A superuser repair session
 * in a server that does not preload flp (session_preload_libraries emptied
 * by PGOPTIONS) has no hook: this trigger loads the library at the end of
 * every CREATE TABLE and ALTER TABLE, which refuses there, so such DDL fails
 * instead of leaving a governed table's fields or partitions untracked.
 * Where flp is loaded the call costs a function call and does nothing.
 */
CREATE FUNCTION flp._on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM flp._loaded();
END
$$;
COMMENT ON FUNCTION flp._on_ddl_end() IS
	'event trigger: makes table DDL fail where the flp library is not loaded';
REVOKE ALL ON FUNCTION flp._on_ddl_end() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._loaded() TO PUBLIC;

CREATE EVENT TRIGGER flp_ddl_end ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
	EXECUTE FUNCTION flp._on_ddl_end();

/* ------------------------------------------------ who may call internals */

/*
 * flp's internal functions (flp._*) are for flp's own functions, triggers
 * and plans.  PUBLIC keeps only what every session needs: _loaded (the
 * event trigger), _record_visible_key (put into subjects' plans by the
 * planner) and _require_super_admin (the clear 42501 of every management
 * function).  flp_admin gets the helpers its management functions call with
 * its privileges; the rest runs as the extension's owner only.
 */
REVOKE ALL ON FUNCTION
	flp._ancestors(regclass), flp._tree(regclass), flp._same_kind(oid, oid),
	flp._preload_setting(), flp._record_key_field(regclass),
	flp._require_bundle(text, boolean), flp._require_field(regclass, name),
	flp._require_governed(regclass), flp._require_governable(regclass), flp._require_role(regrole),
	flp._require_scope(text, regclass, regrole), flp._check_field_mask(),
	flp._check_governed_table(), flp._ref_check(), flp._ref_action(), flp._replace_secret()
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	flp._ancestors(regclass), flp._tree(regclass), flp._same_kind(oid, oid),
	flp._record_key_field(regclass),
	flp._require_bundle(text, boolean), flp._require_field(regclass, name),
	flp._require_governed(regclass), flp._require_governable(regclass), flp._require_role(regrole),
	flp._require_scope(text, regclass, regrole)
	TO flp_admin;

/* -------------------------------------------------- the security check */

CREATE FUNCTION flp._untrusted_reason(fn regprocedure, allow_volatile boolean) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_untrusted_reason_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp._untrusted_reason(regprocedure, boolean) IS
	'internal: why flp would not run a function on hidden values (NULL: it would); allow_volatile for triggers, defaults and constraints';
REVOKE ALL ON FUNCTION flp._untrusted_reason(regprocedure, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._untrusted_reason(regprocedure, boolean) TO flp_admin;

/*
 * Functions that run on the real values of a governed table in whatever
 * session writes or reads it: those of its CHECK constraints, defaults,
 * generated columns, triggers and policies, and its masks.  One row each
 * that flp would not trust (see flp._require_trusted_function).
 */
CREATE FUNCTION flp._code_risks(tbl regclass)
	RETURNS TABLE (kind text, object text, risk text, fix text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH code(kind, object, fn) AS (
		SELECT 'constraint function', format('constraint %I of %s', c.conname, c.conrelid::regclass),
			   d.refobjid
		  FROM pg_constraint c JOIN pg_depend d
			ON d.classid = 'pg_constraint'::regclass AND d.objid = c.oid
		   AND d.refclassid = 'pg_proc'::regclass
		 WHERE c.conrelid IN (SELECT flp._tree($1))
	  UNION ALL
		SELECT 'default or generated column function',
			   format('column %I of %s', a.attname, ad.adrelid::regclass), d.refobjid
		  FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
		  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
		   AND d.refclassid = 'pg_proc'::regclass
		 WHERE ad.adrelid IN (SELECT flp._tree($1))
	  UNION ALL
		SELECT 'trigger function', format('trigger %I of %s', t.tgname, t.tgrelid::regclass), t.tgfoid
		  FROM pg_trigger t WHERE t.tgrelid IN (SELECT flp._tree($1)) AND NOT t.tgisinternal
	  UNION ALL
		SELECT 'policy function', format('policy %I of %s', p.polname, p.polrelid::regclass), d.refobjid
		  FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
		   AND d.refclassid = 'pg_proc'::regclass
		 WHERE p.polrelid IN (SELECT flp._tree($1))
	  UNION ALL
		/* operators a policy uses run their functions; casts to a domain run its CHECKs */
		SELECT 'policy function', format('policy %I of %s', p.polname, p.polrelid::regclass), o.oprcode
		  FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
		   AND d.refclassid = 'pg_operator'::regclass
		  JOIN pg_operator o ON o.oid = d.refobjid
		 WHERE p.polrelid IN (SELECT flp._tree($1))
	  UNION ALL
		SELECT 'policy function', format('policy %I of %s (domain %s)', p.polname, p.polrelid::regclass,
										 d.refobjid::regtype), cd.refobjid
		  FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
		   AND d.refclassid = 'pg_type'::regclass
		  JOIN pg_constraint c ON c.contypid = d.refobjid
		  JOIN pg_depend cd ON cd.classid = 'pg_constraint'::regclass AND cd.objid = c.oid
		   AND cd.refclassid = 'pg_proc'::regclass
		 WHERE p.polrelid IN (SELECT flp._tree($1))
	  UNION ALL
		SELECT 'mask function', format('mask of field %I of %s', m.field, m.tbl), m.mask
		  FROM flp.field_mask m WHERE m.tbl = $1
	)
	SELECT c.kind, c.object,
		   format('%s runs on real values in the sessions that use the table, and %s',
				  c.fn::regprocedure, flp._untrusted_reason(c.fn::regprocedure, c.kind <> 'mask function')),
		   CASE WHEN c.kind = 'mask function'
				THEN 'Until it is fixed flp shows the default mask instead. Have a superuser own it, declare it STABLE or IMMUTABLE, and give it SET search_path or a SQL-standard body.'
				ELSE 'Have a superuser own it, and give it SET search_path = pg_catalog (or a SQL-standard body).' END
	  FROM code c
	 WHERE flp._untrusted_reason(c.fn::regprocedure, c.kind <> 'mask function') IS NOT NULL
$$;
COMMENT ON FUNCTION flp._code_risks(regclass) IS
	'internal: functions that run on a governed table''s real values and that flp would not trust';
REVOKE ALL ON FUNCTION flp._code_risks(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._code_risks(regclass) TO flp_admin;

/*
 * Policies of a governed table run in the sessions of every subject that
 * reads it -- partner users reading a linked child read its parent too.  A
 * role that is not a superuser may not give a governed table policies whose
 * code flp does not trust (checked after CREATE and ALTER POLICY by flp's
 * ProcessUtility hook, and by flp.protect and flp.link_records).
 */
CREATE FUNCTION flp._refuse_untrusted_policies(tbl regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	r record;
BEGIN
	SELECT * INTO r FROM flp._code_risks(tbl) k WHERE k.kind = 'policy function' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'table "%" has row-level security policies whose code flp does not trust', tbl
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('%s: %s. Every subject that reads the table would run it.', r.object, r.risk),
				  HINT = r.fix;
	END IF;
END
$$;
COMMENT ON FUNCTION flp._refuse_untrusted_policies(regclass) IS
	'internal: raises 42501 when a governed table has policies whose code flp does not trust';
REVOKE ALL ON FUNCTION flp._refuse_untrusted_policies(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp._refuse_untrusted_policies(regclass) TO flp_admin;

/*
 * What can read around flp in this database, with the fix for each: roles
 * whose attributes let them (REPLICATION, BYPASSRLS, CREATEROLE), grants on
 * governed tables (TRIGGER, REFERENCES, MAINTAIN) and pg_maintain, owners
 * that are not super admins, untrusted code that runs on real values,
 * partial indexes that count rows by a field, and partitionings that tell a
 * field's range.  An empty result is the goal; the README's set-up guide
 * runs it.
 */
CREATE FUNCTION flp.security_check()
	RETURNS TABLE (kind text, object text, risk text, fix text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM flp._require_super_admin('run the security check');
	RETURN QUERY
	SELECT 'role attribute', format('role %I', r.rolname), x.risk, x.fix
	  FROM pg_roles r,
	  LATERAL (VALUES
		(r.rolreplication,
		 'REPLICATION: reads every value through logical decoding (pg_logical_slot_get_changes) or a base backup, past flp',
		 format('ALTER ROLE %I NOREPLICATION, or count it as a super admin.', r.rolname)),
		(r.rolbypassrls,
		 'BYPASSRLS: flp refuses it writes of tables with hidden fields and reads of scoped tables, but PostgreSQL''s own row-level security does not apply to it',
		 format('ALTER ROLE %I NOBYPASSRLS.', r.rolname)),
		(r.rolcreaterole,
		 'CREATEROLE: on PostgreSQL 15 it can grant itself any role that is not a superuser, flp_admin included, from a database where flp does not watch',
		 format('ALTER ROLE %I NOCREATEROLE, or count it as a super admin.', r.rolname))
	  ) x(flag, risk, fix)
	 WHERE x.flag AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\_%'
	   AND NOT flp.is_super_admin(r.oid::regrole)
	UNION ALL
	SELECT 'grant', format('%s on %s to %s', a.privilege_type, g.tbl, a.grantee::regrole),
		   CASE a.privilege_type
				WHEN 'TRIGGER' THEN 'a trigger reads rows unmasked; flp refuses new triggers of roles that are not super admins, but the privilege lets them try every release'
				WHEN 'MAINTAIN' THEN 'VACUUM, ANALYZE, CLUSTER and REINDEX count every row and reorder the table; flp refuses them on tables with row rules and refuses ordering by an index of a hidden field, but the privilege lets the grantee try every release'
				ELSE 'a foreign key is checked as the table''s owner: it answers whether a value exists, also of a hidden field or an out-of-scope row' END,
		   format('REVOKE %s ON %s FROM %s;', a.privilege_type, g.tbl, quote_ident(a.grantee::regrole::text))
	  FROM flp.governed_table g, pg_class c,
		   LATERAL aclexplode(c.relacl) a
	 WHERE c.oid IN (SELECT flp._tree(g.tbl)) AND a.privilege_type IN ('TRIGGER', 'REFERENCES', 'MAINTAIN')
	   AND a.grantee <> 0 AND NOT flp.is_super_admin(a.grantee::regrole)
	UNION ALL
	/* PostgreSQL 17: pg_maintain holds MAINTAIN on every table */
	SELECT 'role membership', format('role %I in pg_maintain', r.rolname),
		   'pg_maintain may VACUUM, ANALYZE, CLUSTER and REINDEX every table; flp refuses them on governed tables with row rules and refuses ordering by an index of a hidden field, but the membership lets the role try every release',
		   format('REVOKE pg_maintain FROM %I;', r.rolname)
	  FROM pg_roles r JOIN pg_roles m ON m.rolname = 'pg_maintain'
	 WHERE pg_has_role(r.oid, m.oid, 'USAGE') AND r.oid <> m.oid AND NOT r.rolsuper
	   AND r.rolname NOT LIKE 'pg\_%' AND NOT flp.is_super_admin(r.oid::regrole)
	UNION ALL
	SELECT 'grant', format('%s on %s to PUBLIC', a.privilege_type, g.tbl),
		   'every role may create triggers or foreign keys on it, or maintain it', format('REVOKE %s ON %s FROM PUBLIC;', a.privilege_type, g.tbl)
	  FROM flp.governed_table g, pg_class c, LATERAL aclexplode(c.relacl) a
	 WHERE c.oid IN (SELECT flp._tree(g.tbl)) AND a.privilege_type IN ('TRIGGER', 'REFERENCES', 'MAINTAIN')
	   AND a.grantee = 0
	UNION ALL
	SELECT 'owner', format('%s owned by %s', c.oid::regclass, c.relowner::regrole),
		   'an owner can change or drop the table, its triggers and its rules, and reads it unmasked through them',
		   format('ALTER TABLE %s OWNER TO <an administrator role>;', c.oid::regclass)
	  FROM flp.governed_table g
	  JOIN pg_class c ON c.oid IN (SELECT flp._tree(g.tbl))
	 WHERE NOT flp.is_super_admin(c.relowner::regrole)
	UNION ALL
	SELECT k.kind, k.object, k.risk, k.fix
	  FROM flp.governed_table g, LATERAL flp._code_risks(g.tbl) k
	UNION ALL
	SELECT DISTINCT 'default function', format('column %I of %s', a.attname, ad.adrelid::regclass),
		   format('its default calls %s: a sequence that function draws from is not recognised as filling the field, so roles it is hidden from may learn its values through that sequence', d.refobjid::regprocedure),
		   'Use a column default nextval(...) or an identity column (flp refuses their sequences to the roles the field is hidden from), or grant no privilege on the function''s sequences.'
	  FROM flp.governed_table g
	  JOIN pg_attrdef ad ON ad.adrelid IN (SELECT flp._tree(g.tbl))
	  JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
	  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
		   AND d.refclassid = 'pg_proc'::regclass
	  JOIN pg_proc p ON p.oid = d.refobjid
	 WHERE p.pronamespace <> 'pg_catalog'::regnamespace
	   AND NOT EXISTS (SELECT 1 FROM flp.excluded_field e WHERE e.tbl = g.tbl AND e.field = a.attname)
	UNION ALL
	SELECT 'partial index', format('index %s of %s', i.indexrelid::regclass, i.indrelid::regclass),
		   'pg_class.reltuples of a partial index, which every role reads, is the number of rows matching its predicate; where the predicate reads a field hidden from some roles, it counts by that field (flp refuses those roles VACUUM, ANALYZE and REINDEX of the table)',
		   'Drop the index, or exclude the fields its predicate reads (the check lists every partial index over a field that is not excluded).'
	  FROM flp.governed_table g
	  JOIN pg_index i ON i.indrelid IN (SELECT flp._tree(g.tbl)) AND i.indpred IS NOT NULL
	 WHERE EXISTS (SELECT 1 FROM pg_depend d
					JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
				   WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
					 AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
					 AND d.refobjsubid > 0
					 AND NOT EXISTS (SELECT 1 FROM flp.excluded_field e
									  WHERE e.tbl = g.tbl AND e.field = a.attname))
	UNION ALL
	SELECT 'partition key', format('%s partitioned by %s', c.oid::regclass,
								   pg_get_partkeydef(c.oid)),
		   'the partition a row is in, and the order in which partitions are read, tell the key''s range to every role it is hidden from (flp masks tableoid; the order of unsorted results remains)',
		   'Partition governed tables by fields no subject has hidden, or exclude the key fields.'
	  FROM flp.governed_table g
	  JOIN pg_class c ON c.oid IN (SELECT flp._tree(g.tbl)) AND c.relkind = 'p'
	  JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
	 WHERE EXISTS (SELECT 1 FROM unnest(pt.partattrs::int2[]) k(attnum)
					JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
				   WHERE NOT EXISTS (SELECT 1 FROM flp.excluded_field e
									  WHERE e.tbl = g.tbl AND e.field = a.attname))
	ORDER BY 1, 2;
END
$$;
COMMENT ON FUNCTION flp.security_check() IS
	'what can read around flp in this database (role attributes, grants, owners, untrusted code, partial indexes, partition keys), with the fix for each';

