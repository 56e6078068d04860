-- sql/parts/10-catalog.sql: part of the install script (see the Makefile).
-- The types, the guard function, the catalog tables of fields, bundles and
-- users, their pg_dump registration and privileges, and the triggers that
-- tell every session when they change.
-- The C code reads these tables by column number: a column added or moved
-- here is added or moved in src/catalog_columns.h too (test catalog_columns).
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
	default_permission flp.permission NOT NULL DEFAULT 'hide',
	mandatory_on_update boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE flp.governed_table IS
	'tables whose fields flp governs (flp.protect); every other table is untouched';
COMMENT ON COLUMN flp.governed_table.tbl IS 'the governed table';
COMMENT ON COLUMN flp.governed_table.default_permission IS
	'permission of every non-excluded field for a role that no applicable bundle grants the table';
COMMENT ON COLUMN flp.governed_table.mandatory_on_update IS
	'whether an UPDATE is refused to a role that may not edit a mandatory field (NOT NULL without default) of the table (flp.set_mandatory_on_update)';

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

CREATE FUNCTION flp_internal.catalog_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_catalog_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.catalog_changed() IS
	'trigger: at commit, tells every session (and hot standbys) that the flp catalog changed';
REVOKE ALL ON FUNCTION flp_internal.catalog_changed() FROM PUBLIC;

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
			'ON flp.%I FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.catalog_changed()', t);
	END LOOP;
END
$$;

/* Row trigger on governed tables: plans of a table that becomes (or stops
 * being) governed must be replanned too. */
CREATE FUNCTION flp_internal.governed_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_governed_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.governed_changed() IS
	'trigger: invalidates the plans of a table that starts or stops being governed';
REVOKE ALL ON FUNCTION flp_internal.governed_changed() FROM PUBLIC;
CREATE TRIGGER flp_governed_changed AFTER INSERT OR UPDATE OR DELETE
	ON flp.governed_table FOR EACH ROW EXECUTE FUNCTION flp_internal.governed_changed();

