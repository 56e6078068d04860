/* flp 0.1.0 -> 0.2.0 (ALTER EXTENSION flp UPDATE) */

\echo Use "ALTER EXTENSION flp UPDATE" to load this file. \quit

/*
 * Every change of sql/parts/ since 0.1.0, in the order of the parts.  The
 * result must equal a fresh install of 0.2.0 object for object
 * (test/shell/67-upgrade.sh compares test/upgrade/schema.sql's listing of
 * both).
 */

/*
 * 0.2.0 moves flp's internal functions (flp._name) out of the user-facing
 * schema into flp_internal (as flp_internal.name): first, so that everything
 * below names them there.
 */
CREATE SCHEMA flp_internal;
COMMENT ON SCHEMA flp_internal IS
	'flp''s internal functions: called by flp''s own functions, triggers, policies and plans, not by users';
GRANT USAGE ON SCHEMA flp_internal TO PUBLIC;
ALTER FUNCTION flp._loaded() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._loaded() RENAME TO loaded;
ALTER FUNCTION flp._preload_setting() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._preload_setting() RENAME TO preload_setting;
ALTER FUNCTION flp._set_preload(boolean) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._set_preload(boolean) RENAME TO set_preload;
ALTER FUNCTION flp._catalog_changed() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._catalog_changed() RENAME TO catalog_changed;
ALTER FUNCTION flp._governed_changed() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._governed_changed() RENAME TO governed_changed;
ALTER FUNCTION flp._require_super_admin(text) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_super_admin(text) RENAME TO require_super_admin;
ALTER FUNCTION flp._require_governed(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_governed(regclass) RENAME TO require_governed;
ALTER FUNCTION flp._require_field(regclass, name) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_field(regclass, name) RENAME TO require_field;
ALTER FUNCTION flp._require_bundle(text, boolean) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_bundle(text, boolean) RENAME TO require_bundle;
ALTER FUNCTION flp._require_role(regrole) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_role(regrole) RENAME TO require_role;
ALTER FUNCTION flp._tree(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._tree(regclass) RENAME TO tree;
ALTER FUNCTION flp._ancestors(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._ancestors(regclass) RENAME TO ancestors;
ALTER FUNCTION flp._guard(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._guard(regclass) RENAME TO guard;
ALTER FUNCTION flp._unguard(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._unguard(regclass) RENAME TO unguard;
ALTER FUNCTION flp._unguard_all() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._unguard_all() RENAME TO unguard_all;
ALTER FUNCTION flp._govern_detached(regclass, regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._govern_detached(regclass, regclass) RENAME TO govern_detached;
ALTER FUNCTION flp._require_governable(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_governable(regclass) RENAME TO require_governable;
ALTER FUNCTION flp._check_governed_table() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._check_governed_table() RENAME TO check_governed_table;
ALTER FUNCTION flp._same_kind(oid, oid) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._same_kind(oid, oid) RENAME TO same_kind;
ALTER FUNCTION flp._replace_secret() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._replace_secret() RENAME TO replace_secret;
ALTER FUNCTION flp._require_trusted_function(regprocedure, text) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_trusted_function(regprocedure, text) RENAME TO require_trusted_function;
ALTER FUNCTION flp._check_field_mask() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._check_field_mask() RENAME TO check_field_mask;
ALTER FUNCTION flp._ref_check() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._ref_check() RENAME TO ref_check;
ALTER FUNCTION flp._ref_action() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._ref_action() RENAME TO ref_action;
ALTER FUNCTION flp._record_visible_key(regclass, anyelement) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._record_visible_key(regclass, anyelement) RENAME TO record_visible_key;
ALTER FUNCTION flp._assignments_changed() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._assignments_changed() RENAME TO assignments_changed;
ALTER FUNCTION flp._eval_rule(regclass, name, text, text, regrole) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._eval_rule(regclass, name, text, text, regrole) RENAME TO eval_rule;
ALTER FUNCTION flp._check_data_rule() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._check_data_rule() RENAME TO check_data_rule;
ALTER FUNCTION flp._create_data_policies(regclass, regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._create_data_policies(regclass, regclass) RENAME TO create_data_policies;
ALTER FUNCTION flp._compile_policies(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._compile_policies(regclass) RENAME TO compile_policies;
ALTER FUNCTION flp._require_scope(text, regclass, regrole) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._require_scope(text, regclass, regrole) RENAME TO require_scope;
ALTER FUNCTION flp._record_key_field(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._record_key_field(regclass) RENAME TO record_key_field;
ALTER FUNCTION flp._on_sql_drop() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._on_sql_drop() RENAME TO on_sql_drop;
ALTER FUNCTION flp._on_ddl_end() SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._on_ddl_end() RENAME TO on_ddl_end;
ALTER FUNCTION flp._untrusted_reason(regprocedure, boolean) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._untrusted_reason(regprocedure, boolean) RENAME TO untrusted_reason;
ALTER FUNCTION flp._code_risks(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._code_risks(regclass) RENAME TO code_risks;
ALTER FUNCTION flp._refuse_untrusted_policies(regclass) SET SCHEMA flp_internal;
ALTER FUNCTION flp_internal._refuse_untrusted_policies(regclass) RENAME TO refuse_untrusted_policies;

/* the event trigger that fires during this script calls a moved function */
CREATE OR REPLACE FUNCTION flp_internal.on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM flp_internal.loaded();
END
$$;

DROP FUNCTION flp_internal.require_governed(regclass);

DROP FUNCTION flp_internal.require_field(regclass, name);

DROP FUNCTION flp_internal.require_bundle(text, boolean);

DROP FUNCTION flp_internal.require_role(regrole);

/*
 * 0.2.0's management functions answer with a line of text saying what they
 * changed; 0.1.0's returned void, and a function's result type cannot be
 * replaced: they are dropped here and created again below (EXECUTE stays
 * granted to PUBLIC, their default; they check the caller themselves).
 */
DROP FUNCTION flp.add_partner(text, text);
DROP FUNCTION flp.assign(text, regrole);
DROP FUNCTION flp.assign_partner_bundle(text, text);
DROP FUNCTION flp.assign_record(text, regclass, text, regrole);
DROP FUNCTION flp.clear_permission(text, regclass, name);
DROP FUNCTION flp.create_bundle(text, flp.bundle_kind, flp.license, text);
DROP FUNCTION flp.define_area(text, regclass[]);
DROP FUNCTION flp.drop_bundle(text);
DROP FUNCTION flp.drop_data_rule(bigint);
DROP FUNCTION flp.drop_partner(text);
DROP FUNCTION flp.drop_rule(bigint);
DROP FUNCTION flp.exclude_field(regclass, name);
DROP FUNCTION flp.include_field(regclass, name);
DROP FUNCTION flp.inherit_field(regclass, name, regclass, name);
DROP FUNCTION flp.link_records(regclass, name, regclass);
DROP FUNCTION flp.partner_scope(regclass, name);
DROP FUNCTION flp.register_user(regrole, flp.license, jsonb, text);
DROP FUNCTION flp.set_mask(regclass, name, regprocedure);
DROP FUNCTION flp.set_permission(text, regclass, name, flp.permission);
DROP FUNCTION flp.set_seats(flp.license, integer);
DROP FUNCTION flp.unassign(text, regrole);
DROP FUNCTION flp.unassign_record(text, regclass, text, regrole);
DROP FUNCTION flp.unlink_records(regclass);
DROP FUNCTION flp.unprotect(regclass);
DROP FUNCTION flp.unregister_user(regrole);
DROP FUNCTION flp.unscope(regclass);

/* ------------- 30-governed-tables: protect leaves primary keys unrestricted */

DROP FUNCTION flp.protect(regclass, flp.permission);
CREATE OR REPLACE FUNCTION flp.protect(tbl regclass, default_permission flp.permission DEFAULT 'hide',
							govern_keys boolean DEFAULT false)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	parent regclass;
	was flp.permission;
	risk record;
	keys name[];
	surrogate boolean;
BEGIN
	PERFORM flp_internal.require_super_admin('govern a table');
	PERFORM flp_internal.require_not_null(tbl, 'tbl');
	PERFORM flp_internal.require_not_null(default_permission, 'default_permission');
	PERFORM flp_internal.require_not_null(govern_keys, 'govern_keys');
	PERFORM flp_internal.require_governable(tbl);
	SELECT g.tbl INTO parent
	  FROM flp.governed_table g WHERE g.tbl IN (SELECT flp_internal.ancestors(tbl)) LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table "%" is a partition or child of governed table "%"', tbl, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Partitions and inheritance children are governed by the rules of their governed parent.';
	END IF;
	SELECT a INTO parent FROM flp_internal.ancestors(tbl) a LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table "%" is a partition or child of table "%", which is not governed', tbl, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Its rows would be read unmasked through the parent.',
				  HINT = 'Govern the parent (its partitions and children follow its rules).';
	END IF;
	SELECT g.tbl INTO parent
	  FROM flp.governed_table g
	 WHERE g.tbl IN (SELECT flp_internal.tree(tbl)) AND g.tbl <> tbl LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table "%" has a governed partition or child "%"', tbl, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Unprotect the partition or child first: its parent''s rules will apply to it.';
	END IF;
	/* a table governed for the first time leaves a surrogate primary key
	 * (integers or uuids: Gainsight's system fields) unrestricted, unless
	 * govern_keys; a natural key (an e-mail, a tax number) may be the secret */
	IF NOT govern_keys AND NOT EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = $1) THEN
		SELECT array_agg(a.attname ORDER BY k.n),
			   bool_and(a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'uuid'::regtype))
		  INTO keys, surrogate
		  FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n), pg_attribute a
		 WHERE i.indrelid = tbl AND i.indisprimary AND k.n <= i.indnkeyatts
		   AND a.attrelid = tbl AND a.attnum = k.attnum;
		IF NOT surrogate THEN
			RAISE NOTICE 'primary key field(s) % of table "%" are governed like its other fields',
				(SELECT string_agg(format('"%s"', k), ', ') FROM unnest(keys) k), tbl
				USING DETAIL = 'Only a primary key of integers or uuids is left unrestricted: a natural key may be the secret.',
					  HINT = 'If it only identifies records, leave it unrestricted with flp.exclude_field().';
			keys := NULL;
		END IF;
	END IF;
	SELECT g.default_permission INTO was FROM flp.governed_table g WHERE g.tbl = $1;
	INSERT INTO flp.governed_table AS g (tbl, default_permission)
	VALUES (tbl, default_permission)
	ON CONFLICT ON CONSTRAINT governed_table_pkey
	DO UPDATE SET default_permission = EXCLUDED.default_permission;
	PERFORM flp_internal.guard(tbl);
	PERFORM flp_internal.check_tree(tbl);
	IF keys IS NOT NULL THEN
		INSERT INTO flp.excluded_field (tbl, field) SELECT tbl, k FROM unnest(keys) k
		ON CONFLICT DO NOTHING;
		RAISE NOTICE 'primary key field(s) % of table "%" stay unrestricted',
			(SELECT string_agg(format('"%s"', k), ', ') FROM unnest(keys) k), tbl
			USING DETAIL = 'They are excluded from field-level permissions: everyone may filter and join on them.',
				  HINT = format('Restrict them with flp.include_field(), or govern a table with its keys: flp.protect(%L, govern_keys => true).', tbl::text);
	END IF;
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
		PERFORM flp_internal.refuse_untrusted_policies(tbl);
	END IF;
	/* code that runs on the real values in subjects' sessions, resolving names there */
	IF to_regprocedure('flp_internal.code_risks(regclass)') IS NOT NULL THEN
		FOR risk IN SELECT * FROM flp_internal.code_risks(tbl) LOOP
			RAISE WARNING '%: %', risk.object, risk.risk USING HINT = risk.fix;
		END LOOP;
	END IF;
	RETURN CASE WHEN was IS NULL THEN format('table %s governed, default permission %s', tbl, default_permission)
				WHEN was = default_permission THEN format('table %s is governed already, default permission %s (no change)', tbl, was)
				ELSE format('table %s: default permission %s (was %s)', tbl, default_permission, was) END;
END
$$;
COMMENT ON FUNCTION flp.protect(regclass, flp.permission, boolean) IS
	'governs a table: its fields follow the bundles; fields no applicable bundle grants get the default permission (again: changes the default); a primary key of integers or uuids stays unrestricted unless govern_keys';


/* ------------------------------------ 30-governed-tables: field arrays */

CREATE OR REPLACE FUNCTION flp.exclude_field(tbl regclass, fields name[]) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	f name;
	done text[] := '{}';
BEGIN
	PERFORM flp_internal.require_super_admin('exclude a field');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_array(fields, 'fields');
	FOREACH f IN ARRAY fields LOOP
		done := done || flp.exclude_field(tbl, f);
	END LOOP;
	RETURN array_to_string(done, E'\n');
END
$$;
COMMENT ON FUNCTION flp.exclude_field(regclass, name[]) IS
	'excludes several fields of a table at once (all or none)';

/* ----------------------------- 40-users-bundles: field arrays, rename, clone */

CREATE OR REPLACE FUNCTION flp.set_permission(bundle text, tbl regclass, fields name[], permission flp.permission)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	f name;
	done text[] := '{}';
BEGIN
	PERFORM flp_internal.require_super_admin('set a permission');
	PERFORM flp_internal.require_bundle(bundle, false);
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_array(fields, 'fields');
	FOREACH f IN ARRAY fields LOOP
		done := done || flp.set_permission(bundle, tbl, f, permission);
	END LOOP;
	RETURN array_to_string(done, E'\n');
END
$$;
COMMENT ON FUNCTION flp.set_permission(text, regclass, name[], flp.permission) IS
	'sets a bundle''s permission on several fields of a table at once (all or none)';




/* ------------------------------------------- 60-policies: rules changed */

CREATE FUNCTION flp_internal.rules_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_rules_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.rules_changed() IS
	'internal trigger: recompiles the policies of the table whose data rule, record link or partner scope changed';
REVOKE ALL ON FUNCTION flp_internal.rules_changed() FROM PUBLIC;
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp_internal.rules_changed('tbl');
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp_internal.rules_changed('child');
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp_internal.rules_changed('tbl');
CREATE TRIGGER flp_rules_truncated AFTER TRUNCATE ON flp.data_rule
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.rules_changed('tbl');
CREATE TRIGGER flp_rules_truncated AFTER TRUNCATE ON flp.record_link
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.rules_changed('child');
CREATE TRIGGER flp_rules_truncated AFTER TRUNCATE ON flp.partner_scope
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.rules_changed('tbl');

/* 40-users-bundles: assignments that give nothing */

CREATE OR REPLACE FUNCTION flp_internal.notice_ineffective(b flp.bundle, role regrole) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	u flp.registered_user;
	members text;
	n bigint;
BEGIN
	IF flp.is_super_admin(role) THEN
		RAISE NOTICE 'bundle "%" changes nothing for role "%": it is a super admin', b.name, role;
		RETURN;
	END IF;
	SELECT * INTO u FROM flp.registered_user x WHERE x.role = $2;
	IF u.partner IS NOT NULL THEN
		RAISE NOTICE 'bundle "%" does not apply to role "%"', b.name, role
			USING DETAIL = format('Role "%s" is a user of partner "%s": internal bundles do not apply to partner users.', role, u.partner),
				  HINT = 'Give partner users fields through partner bundles (flp.assign_partner_bundle).';
	ELSIF coalesce(u.license, 'full') <> b.license
		  AND (SELECT r.rolcanlogin FROM pg_roles r WHERE r.oid = role) THEN
		RAISE NOTICE 'bundle "%" does not apply to role "%"', b.name, role
			USING DETAIL = format('Bundle "%s" is for users of license %s; role "%s" holds license %s%s.',
								  b.name, b.license, role, coalesce(u.license, 'full'),
								  CASE WHEN u.role IS NULL THEN ' (it is not registered)' ELSE '' END),
				  HINT = format('Register the role with that license: flp.register_user(%L, %L).', role::text, b.license);
	END IF;
	/* members of a group role for whom the bundle does nothing */
	WITH RECURSIVE m(member) AS (
		SELECT a.member FROM pg_auth_members a WHERE a.roleid = role
	  UNION
		SELECT a.member FROM pg_auth_members a JOIN m ON a.roleid = m.member
	)
	SELECT count(*), string_agg(format('"%s"', x.member::regrole), ', ' ORDER BY x.member::regrole::text)
	  INTO n, members
	  FROM (SELECT DISTINCT m.member FROM m) x
	 WHERE NOT flp.is_super_admin(x.member::regrole)
	   AND NOT EXISTS (SELECT 1 FROM flp.bundles(x.member::regrole) y WHERE y.bundle = b.name);
	IF n > 0 THEN
		RAISE NOTICE 'bundle "%" does not apply to % member(s) of role "%": %', b.name, n, role,
			CASE WHEN n > 10 THEN left(members, 200) || ' ...' ELSE members END
			USING HINT = format('flp.explain(table, field, member) says why for each; bundle "%s" is for %s users of license %s.',
								b.name, b.kind, b.license);
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.notice_ineffective(flp.bundle, regrole) IS
	'internal: a notice when an assignment gives a role or members of a group role nothing';
REVOKE ALL ON FUNCTION flp_internal.notice_ineffective(flp.bundle, regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.notice_ineffective(flp.bundle, regrole) TO flp_admin;

CREATE OR REPLACE FUNCTION flp.assign(bundle text, role regrole) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp_internal.require_super_admin('assign a bundle');
	b := flp_internal.require_bundle(bundle);
	PERFORM flp_internal.require_role(role);
	IF b.kind = 'partner' THEN
		RAISE EXCEPTION 'partner bundle "%" cannot be assigned to a role', bundle
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Assign partner bundles to partners with flp.assign_partner_bundle().';
	END IF;
	INSERT INTO flp.assignment AS a VALUES (bundle, role) ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		RETURN format('bundle "%s" is assigned to %s already (no change)', bundle, role);
	END IF;
	PERFORM flp_internal.notice_ineffective(b, role);
	RETURN format('bundle "%s" assigned to %s', bundle, role);
END
$$;
COMMENT ON FUNCTION flp.assign(text, regrole) IS
	'assigns a bundle to a role; a group role counts for all its members';

/* 70-partners: the first data rule of a table */

CREATE OR REPLACE FUNCTION flp.add_data_rule(tbl regclass, predicate text, access flp.permission DEFAULT 'read',
								  bundle text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	id bigint;
	first boolean;
	losers text;
	n bigint;
BEGIN
	PERFORM flp_internal.require_super_admin('add a data rule');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_not_null(predicate, 'predicate');
	IF predicate !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'predicate must not be empty' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Write a condition such as region = flp.attribute(''region'').';
	END IF;
	PERFORM flp_internal.require_not_null(access, 'access');
	IF access = 'hide' THEN
		RAISE EXCEPTION 'access must be read or edit, not hide' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Rows no rule allows are hidden already.';
	END IF;
	IF bundle IS NOT NULL THEN
		PERFORM flp_internal.require_bundle(bundle, false);
	END IF;
	/* the same rule twice gives nothing more: a second one is a mistake */
	SELECT r.id INTO id FROM flp.data_rule r
	 WHERE r.tbl = $1 AND r.predicate = $2 COLLATE "C" AND r.access = $3
	   AND r.bundle IS NOT DISTINCT FROM $4 COLLATE "C"
	 ORDER BY r.id LIMIT 1;
	IF id IS NOT NULL THEN
		RAISE EXCEPTION 'data rule % of table "%" is the same rule already', id, tbl
			USING ERRCODE = 'duplicate_object',
				  DETAIL = format('It gives %s %s access where %s.',
								  CASE WHEN bundle IS NULL THEN 'every subject' ELSE format('bundle "%s"', bundle) END,
								  access, flp_internal.shown(predicate)),
				  HINT = 'A script that may run twice can look the rule up in flp.data_rule first.';
	END IF;
	first := NOT EXISTS (SELECT 1 FROM flp.data_rule r WHERE r.tbl = $1);
	INSERT INTO flp.data_rule AS r (tbl, predicate, access, bundle)
	VALUES (tbl, predicate, access, bundle) RETURNING r.id INTO id;
	/* compiling it into the policies checks that it parses and is boolean */
	PERFORM flp_internal.compile_policies(tbl);
	IF first THEN
		/* from now on a subject sees only the rows some rule gives it: say who sees none */
		SELECT count(*), string_agg(format('"%s"', r.rolname), ', ' ORDER BY r.rolname)
		  INTO n, losers
		  FROM pg_roles r
		 WHERE r.rolname !~ '^pg_' AND NOT flp.is_super_admin(r.oid::regrole)
		   AND has_table_privilege(r.oid, tbl, 'SELECT')
		   AND bundle IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM flp.bundles(r.oid::regrole) x WHERE x.bundle = $4 COLLATE "C");
		RAISE NOTICE 'table "%" had no data rule: subjects now see only the rows data rules give them', tbl
			USING DETAIL = CASE WHEN n = 0 THEN 'Every role that may read the table gets this rule''s rows.'
								ELSE format('%s role(s) that may read the table see no row of it now: %s.', n,
											CASE WHEN n > 10 THEN left(losers, 200) || ' ...' ELSE losers END)
						   END,
				  HINT = 'flp.explain_record(table, key, role) says why a row is visible or not; a rule for every subject is flp.add_data_rule(table, predicate).';
	END IF;
	RETURN id;
END
$$;
COMMENT ON FUNCTION flp.add_data_rule(regclass, text, flp.permission, text) IS
	'gives a bundle''s members (NULL: every subject) read or edit access to the rows matching a predicate';

/* ---------------------------------------------- 85-audit: the audit trail */

/*
 * Every change of flp's catalog, by a management function or by direct DML,
 * one row per changed row (a TRUNCATE: one row per statement), written by
 * the trigger flp_internal.audit as the owner of this table (src/catalog/audit.c).
 * Super admins read it; no one but a superuser changes it.  Dumped with the
 * database; a restore brings it along and is not recorded itself.  No
 * sequence numbers it: a sequence used in the writer's session would become
 * its lastval().
 */
CREATE TABLE flp.audit_log (
	at timestamptz NOT NULL DEFAULT clock_timestamp(),
	seq bigint NOT NULL DEFAULT 0,
	statement_start timestamptz NOT NULL DEFAULT statement_timestamp(),
	xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
	pid integer NOT NULL DEFAULT pg_backend_pid(),
	session_role name NOT NULL,
	role name NOT NULL,
	tbl text COLLATE "C" NOT NULL,
	operation text COLLATE "C" NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
	old_row jsonb,
	new_row jsonb,
	statement text
);
CREATE INDEX audit_log_at_idx ON flp.audit_log (at);
COMMENT ON TABLE flp.audit_log IS
	'audit trail: every change of flp''s catalog, by management functions or direct DML (read by super admins, changed only by superusers)';
COMMENT ON COLUMN flp.audit_log.at IS 'when the change was made (order the trail by at, seq)';
COMMENT ON COLUMN flp.audit_log.seq IS 'the order of the change among those its session recorded';
COMMENT ON COLUMN flp.audit_log.statement_start IS 'when the statement that made it started';
COMMENT ON COLUMN flp.audit_log.xid IS 'its transaction';
COMMENT ON COLUMN flp.audit_log.pid IS 'the backend (session) that made it';
COMMENT ON COLUMN flp.audit_log.session_role IS 'the session user (who logged in)';
COMMENT ON COLUMN flp.audit_log.role IS 'the current user (after SET ROLE or in a SECURITY DEFINER function)';
COMMENT ON COLUMN flp.audit_log.tbl IS 'the catalog table changed, e.g. field_permission';
COMMENT ON COLUMN flp.audit_log.operation IS 'INSERT, UPDATE, DELETE or TRUNCATE';
COMMENT ON COLUMN flp.audit_log.old_row IS 'the row before (UPDATE, DELETE); flp.mask_secret''s key is left out';
COMMENT ON COLUMN flp.audit_log.new_row IS 'the row after (INSERT, UPDATE); flp.mask_secret''s key is left out';
COMMENT ON COLUMN flp.audit_log.statement IS 'the statement the client sent';
SELECT pg_catalog.pg_extension_config_dump('flp.audit_log', '');
REVOKE ALL ON flp.audit_log FROM PUBLIC, flp_admin;
GRANT SELECT ON flp.audit_log TO flp_admin;

CREATE FUNCTION flp_internal.audit() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_audit' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.audit() IS
	'internal trigger: writes a change of flp''s catalog to flp.audit_log';
REVOKE ALL ON FUNCTION flp_internal.audit() FROM PUBLIC;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['governed_table', 'guarded_relation', 'excluded_field', 'field_mask',
							 'mask_secret', 'inherited_field', 'partner', 'bundle',
							 'table_permission', 'field_permission', 'assignment', 'rule',
							 'registered_user', 'license_seats', 'partner_bundle', 'admin_role',
							 'area_table', 'partner_scope', 'record_assignment', 'record_link',
							 'data_rule']
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER flp_audit AFTER INSERT OR UPDATE OR DELETE ON flp.%I '
			'FOR EACH ROW EXECUTE FUNCTION flp_internal.audit()', t);
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER flp_audit_truncate AFTER TRUNCATE ON flp.%I '
			'FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.audit()', t);
	END LOOP;
END
$$;

/* Retention: superusers delete what is older than a point in time. */
CREATE FUNCTION flp.purge_audit(before timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	n bigint;
BEGIN
	IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) THEN
		RAISE EXCEPTION 'permission denied to purge the audit trail'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only superusers change flp.audit_log.';
	END IF;
	IF before IS NULL THEN
		RAISE EXCEPTION 'before must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	DELETE FROM flp.audit_log a WHERE a.at < before;
	GET DIAGNOSTICS n = ROW_COUNT;
	/* the purge leaves a trace of its own */
	INSERT INTO flp.audit_log (session_role, role, tbl, operation, old_row, statement)
	VALUES (session_user, current_user, 'audit_log', 'DELETE',
			jsonb_build_object('purged_rows', n, 'before', before), current_query());
	RETURN n;
END
$$;
COMMENT ON FUNCTION flp.purge_audit(timestamptz) IS
	'retention of the audit trail: deletes its rows older than a point in time (superusers only); returns how many';

/* ------------------------------------------------- 58-overview: overview */

/*
 * What each bundle gives each field of each governed table it grants, and
 * why; bundle NULL: the table's default, for roles no applicable bundle
 * grants the table.  (Inherited fields and license caps are per role: see
 * flp.permission_matrix and flp.explain.)
 */
CREATE VIEW flp.bundle_fields AS
SELECT b.name AS bundle, b.kind, b.license, g.tbl, a.attname AS field,
	   CASE WHEN e.field IS NOT NULL THEN 'edit'::flp.permission
			WHEN f.permission IS NOT NULL THEN least(f.permission, g.table_level)
			WHEN b.system THEN g.default_permission
			ELSE g.table_level END AS permission,
	   CASE WHEN e.field IS NOT NULL THEN 'excluded field: never restricted'
			WHEN f.permission > g.table_level
				THEN format('field setting %s, capped by the table level %s', f.permission, g.table_level)
			WHEN f.permission IS NOT NULL THEN 'field setting'
			WHEN b.system THEN 'not opened to partner users: the table default'
			ELSE 'table level' END AS source
  FROM flp.bundle b
 CROSS JOIN LATERAL (
		SELECT t.tbl, t.permission AS table_level, gt.default_permission
		  FROM flp.table_permission t JOIN flp.governed_table gt ON gt.tbl = t.tbl
		 WHERE t.bundle = b.name AND NOT b.system
		   AND (b.kind = 'internal' OR EXISTS (SELECT 1 FROM flp.area_table x WHERE x.tbl = t.tbl))
	 UNION ALL
		SELECT DISTINCT x.tbl, 'edit'::flp.permission, gt.default_permission
		  FROM flp.area_table x JOIN flp.governed_table gt ON gt.tbl = x.tbl
		 WHERE b.system) g
  JOIN pg_catalog.pg_attribute a ON a.attrelid = g.tbl AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN flp.excluded_field e ON e.tbl = g.tbl AND e.field = a.attname
  LEFT JOIN flp.field_permission f ON f.bundle = b.name AND f.tbl = g.tbl AND f.field = a.attname
UNION ALL
SELECT NULL, NULL, NULL, gt.tbl, a.attname,
	   CASE WHEN e.field IS NOT NULL THEN 'edit'::flp.permission ELSE gt.default_permission END,
	   CASE WHEN e.field IS NOT NULL THEN 'excluded field: never restricted'
			ELSE 'table default: for roles no applicable bundle grants the table' END
  FROM flp.governed_table gt
  JOIN pg_catalog.pg_attribute a ON a.attrelid = gt.tbl AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN flp.excluded_field e ON e.tbl = gt.tbl AND e.field = a.attname;
COMMENT ON VIEW flp.bundle_fields IS
	'what each bundle gives each field of the tables it grants, and why (bundle NULL: the table default)';

/* Who holds each bundle: assignments, criteria rules, partners. */
CREATE VIEW flp.bundle_holders AS
SELECT a.bundle, 'assignment'::text AS given_by, a.role, NULL::bigint AS rule,
	   NULL::jsonb AS criteria, NULL::text AS partner
  FROM flp.assignment a
UNION ALL
SELECT r.bundle, 'criteria rule', NULL, r.id, r.criteria, NULL
  FROM flp.rule r
UNION ALL
SELECT p.bundle, 'partner bundle', NULL, NULL, NULL, p.partner
  FROM flp.partner_bundle p
UNION ALL
SELECT b.name, 'default partner bundle', NULL, NULL, NULL, p.name
  FROM flp.partner p, flp.bundle b
 WHERE b.system AND NOT EXISTS (SELECT 1 FROM flp.partner_bundle x WHERE x.partner = p.name);
COMMENT ON VIEW flp.bundle_holders IS
	'who holds each bundle: roles it is assigned to, criteria rules giving it, partners using it';

REVOKE ALL ON flp.bundle_fields, flp.bundle_holders FROM PUBLIC;
GRANT SELECT ON flp.bundle_fields, flp.bundle_holders TO flp_admin;

/*
 * The roles the configuration concerns: every registered role, every role a
 * bundle is assigned to, and every role that can log in and is a member of
 * one (by name).
 */
CREATE FUNCTION flp_internal.matrix_roles() RETURNS regrole[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH RECURSIVE held(r) AS (
		SELECT u.role::oid FROM flp.registered_user u
	  UNION
		SELECT a.role::oid FROM flp.assignment a
	  UNION
		SELECT m.member FROM pg_auth_members m JOIN held h ON m.roleid = h.r
	)
	SELECT coalesce(array_agg(h.r::regrole ORDER BY h.r::regrole::text), '{}')
	  FROM held h JOIN pg_roles x ON x.oid = h.r
	 WHERE x.rolcanlogin OR EXISTS (SELECT 1 FROM flp.registered_user u WHERE u.role = h.r)
		OR EXISTS (SELECT 1 FROM flp.assignment a WHERE a.role = h.r)
$$;
COMMENT ON FUNCTION flp_internal.matrix_roles() IS
	'internal: the registered and assigned roles and the login members of assigned group roles';

/*
 * The effective permission of every field of every governed table for each
 * of roles; NULL: every registered role, every role a bundle is assigned to,
 * and every role that can log in and is a member of one.
 */
CREATE OR REPLACE FUNCTION flp.permission_matrix(roles regrole[] DEFAULT NULL)
	RETURNS TABLE (role regrole, tbl regclass, field name, permission flp.permission)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('read the permissions of other roles');
	IF roles IS NULL THEN
		roles := flp_internal.matrix_roles();
	END IF;
	IF array_position(roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'roles must not contain nulls' USING ERRCODE = 'null_value_not_allowed',
			DETAIL = format('Element %s is NULL.', array_position(roles, NULL));
	END IF;
	RETURN QUERY
		SELECT r, e.tbl, e.field, e.permission
		  FROM unnest(roles) WITH ORDINALITY AS x(r, n), flp.effective_permissions(x.r) e
		 ORDER BY x.n, e.tbl::text, e.field;
END
$$;
COMMENT ON FUNCTION flp.permission_matrix(regrole[]) IS
	'role x table x field: the effective permissions of several roles (NULL: every registered or assigned role and the members of assigned group roles)';

/* What is restricted for the current user: for people and BI tools. */
CREATE VIEW flp.my_restricted_fields AS
SELECT e.tbl, e.field, e.permission,
	   e.permission = 'hide' AS masked,
	   e.permission < 'edit' AS read_only,
	   e.permission = 'hide' AS refused_in_filters
  FROM flp.effective_permissions(current_user::regrole) e
 WHERE e.permission < 'edit';
COMMENT ON VIEW flp.my_restricted_fields IS
	'the fields of governed tables the current user may not edit: masked (and refused in filters, joins, grouping and sorting) or read-only';
GRANT SELECT ON flp.my_restricted_fields TO PUBLIC;

/* ---------------------------------------------------------------- preview */

/*
 * Which rows of a governed table a role sees, in words: what flp's row rules
 * (partner scope, inheritance rule, data rules) give it; the policies flp
 * compiles follow the same catalog rows.
 */
CREATE FUNCTION flp_internal.row_access(role regrole, tbl regclass) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	partner text;
	l flp.record_link;
	parent_ruled boolean;
	rules text;
	parts text[] := '{}';
BEGIN
	IF flp.is_super_admin(role) THEN
		RETURN 'every row (super admin)';
	END IF;
	SELECT u.partner INTO partner FROM flp.registered_user u WHERE u.role = $1;
	IF partner IS NOT NULL AND EXISTS (SELECT 1 FROM flp.partner_scope s WHERE s.tbl = $2) THEN
		parts := parts || format('records assigned to partner "%s" or to the user', partner);
	END IF;
	SELECT * INTO l FROM flp.record_link k WHERE k.child = $2;
	IF l.child IS NOT NULL THEN
		WITH RECURSIVE up(t) AS (
			SELECT l.parent
		  UNION
			SELECT k.parent FROM flp.record_link k JOIN up ON k.child = up.t
		)
		SELECT EXISTS (SELECT 1 FROM flp.data_rule d WHERE d.tbl IN (SELECT up.t FROM up))
		  INTO parent_ruled;
		IF partner IS NOT NULL OR parent_ruled THEN
			parts := parts || format('rows whose parent row in %s is visible', l.parent);
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM flp.data_rule d WHERE d.tbl = $2) THEN
		SELECT string_agg(format('%s where %s (data rule %s)', d.access, d.predicate, d.id), ' or '
						  ORDER BY d.id)
		  INTO rules
		  FROM flp.data_rule d
		 WHERE d.tbl = $2
		   AND (d.bundle IS NULL OR EXISTS (SELECT 1 FROM flp.bundles(role) b WHERE b.bundle = d.bundle));
		parts := parts || coalesce('rows ' || rules, 'no row: no data rule applies');
	END IF;
	RETURN coalesce(nullif(array_to_string(parts, '; and '), ''), 'every row');
END
$$;
COMMENT ON FUNCTION flp_internal.row_access(regrole, regclass) IS
	'internal: which rows of a governed table a role sees, in words';

/*
 * What the configuration gives roles, as rows (role, table, field, value) of
 * a jsonb array: every field's effective permission, and per table the rows
 * (field NULL).  By name, so that it compares across a rollback.
 */

/*
 * The roles a change may concern: those of flp_internal.matrix_roles, and every
 * role that can log in and read a governed table (no bundle needed to be a
 * subject: the table default applies, and a first data rule hides rows).
 */

CREATE FUNCTION flp_internal.run_script(sql text) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_run_script' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.run_script(text) IS
	'internal: runs the statements of a text in the current transaction, for flp.preview_change';

/*
 * Preview a change: run its statements in a subtransaction, note what every
 * concerned role (flp_internal.preview_roles, before and after) may do with every
 * field and which rows it sees, roll back, and return the differences.
 * Nothing of the change remains -- not even in the audit log -- except
 * what no rollback undoes (sequence values: data rule ids).
 */
CREATE OR REPLACE FUNCTION flp.preview_change(sql text)
	RETURNS TABLE (role text, tbl text, field name, before text, after text)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
	names text[];
	after_snap jsonb;
BEGIN
	PERFORM flp_internal.require_super_admin('preview a change');
	PERFORM flp_internal.preview_check(sql);
	names := flp_internal.preview_roles();
	BEGIN
		PERFORM flp_internal.run_script(sql);
		/* the roles the change concerns newly, and those it concerned before */
		names := flp_internal.preview_roles(names);
		after_snap := flp_internal.preview_snapshot(names);
		RAISE EXCEPTION 'flp preview: roll back' USING ERRCODE = 'FLPRB';
	EXCEPTION WHEN SQLSTATE 'FLPRB' THEN
		NULL;
	END;
	RETURN QUERY SELECT * FROM flp_internal.preview_diff(flp_internal.preview_snapshot(names), after_snap);
END
$$;
COMMENT ON FUNCTION flp.preview_change(text) IS
	'runs management calls in a subtransaction, rolls them back, and returns how every concerned role''s field permissions and visible rows would change (field NULL: rows)';


/* item 9: names, temporary tables, masks that do not exist */


CREATE OR REPLACE FUNCTION flp_internal.require_governable(tbl regclass) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	kind "char";
BEGIN
	IF tbl IS NULL THEN
		RAISE EXCEPTION 'tbl must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = tbl;
	IF kind IS NULL THEN
		RAISE EXCEPTION 'relation with OID % does not exist', tbl::oid
			USING ERRCODE = 'undefined_table';
	END IF;
	IF tbl::oid < 16384 OR tbl::oid IN (SELECT c.oid FROM pg_class c
										 WHERE c.relnamespace IN ('pg_catalog'::regnamespace,
																  'information_schema'::regnamespace,
																  'pg_toast'::regnamespace)) THEN
		RAISE EXCEPTION 'system catalog "%" cannot be governed', tbl
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF kind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '"%" is not a table', tbl
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'Only ordinary and partitioned tables can be governed.',
				  HINT = 'Govern the tables a view reads from: the view is then masked for whoever reads it.';
	END IF;
	IF (SELECT c.relpersistence FROM pg_class c WHERE c.oid = tbl) = 't' THEN
		RAISE EXCEPTION 'temporary table "%" cannot be governed', tbl
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'A temporary table ends with its session; flp''s catalog would keep its rules.';
	END IF;
	IF tbl::oid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'flp'::regnamespace) THEN
		RAISE EXCEPTION 'flp''s own catalog table "%" cannot be governed', tbl
			USING ERRCODE = 'wrong_object_type';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_governable(regclass) IS
	'internal: raises 42809 unless the relation is an ordinary or partitioned table outside schema flp';

CREATE OR REPLACE FUNCTION flp_internal.check_field_mask() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	coltype oid;
	p pg_proc;
BEGIN
	PERFORM flp_internal.require_field(NEW.tbl, NEW.field);
	SELECT a.atttypid INTO coltype FROM pg_attribute a
	 WHERE a.attrelid = NEW.tbl AND a.attname = NEW.field;
	SELECT * INTO p FROM pg_proc x WHERE x.oid = NEW.mask;
	IF p.oid IS NULL THEN
		RAISE EXCEPTION 'function with OID % does not exist', NEW.mask::oid
			USING ERRCODE = 'undefined_function';
	END IF;
	/* the same type, or two string types (text masks serve varchar columns) */
	IF p.prokind <> 'f' OR p.proretset OR p.pronargs <> 1
	   OR NOT (flp_internal.same_kind(p.prorettype, coltype) AND flp_internal.same_kind(p.proargtypes[0], coltype)) THEN
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
		PERFORM flp_internal.require_trusted_function(NEW.mask, 'mask function');
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp_internal.check_field_mask() IS
	'internal trigger: a mask must fit its field and be trusted code (see flp_internal.require_trusted_function)';

CREATE OR REPLACE FUNCTION flp.create_bundle(name text, kind flp.bundle_kind DEFAULT 'internal',
								  license flp.license DEFAULT 'full', description text DEFAULT NULL)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('create a bundle');
	PERFORM flp_internal.check_name('bundle', name);
	PERFORM flp_internal.require_not_null(kind, 'kind');
	PERFORM flp_internal.require_not_null(license, 'license');
	IF kind = 'partner' AND license <> 'full' THEN
		RAISE EXCEPTION 'a partner bundle must have license "full"'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Partner users always hold a full license.';
	END IF;
	IF EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = $1 COLLATE "C") THEN
		RAISE EXCEPTION 'bundle "%" already exists', name USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO flp.bundle (name, kind, license, description) VALUES (name, kind, license, description);
	RETURN format('bundle "%s" created (%s, license %s)', name, kind, license);
END
$$;
COMMENT ON FUNCTION flp.create_bundle(text, flp.bundle_kind, flp.license, text) IS
	'creates an empty permission bundle for users of one kind and license';

CREATE OR REPLACE FUNCTION flp.rename_bundle(name text, new_name text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('rename a bundle');
	PERFORM flp_internal.require_bundle(name, true, 'name');
	PERFORM flp_internal.check_name('bundle', new_name, 'new_name');
	IF new_name = name THEN
		RETURN format('bundle "%s" keeps its name (no change)', name);
	END IF;
	IF EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = $2 COLLATE "C") THEN
		RAISE EXCEPTION 'bundle "%" already exists', new_name USING ERRCODE = 'duplicate_object';
	END IF;
	/* settings, assignments, rules, partner assignments and data rules follow
	 * the name (flp_internal.ref_action); the data rules' policies are compiled again
	 * (flp_internal.rules_changed) */
	UPDATE flp.bundle b SET name = new_name WHERE b.name = $1 COLLATE "C";
	RETURN format('bundle "%s" renamed "%s"', name, new_name);
END
$$;
COMMENT ON FUNCTION flp.rename_bundle(text, text) IS
	'renames a bundle; its permissions, assignments, rules and data rules follow the new name';

CREATE OR REPLACE FUNCTION flp.add_partner(name text, company_key text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	existed boolean;
BEGIN
	PERFORM flp_internal.require_super_admin('add a partner');
	PERFORM flp_internal.check_name('partner', name);
	existed := EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = $1 COLLATE "C");
	INSERT INTO flp.partner AS p VALUES (name, company_key)
	ON CONFLICT ON CONSTRAINT partner_pkey DO UPDATE SET company_key = EXCLUDED.company_key;
	RETURN format('partner "%s" %s%s', name,
				  CASE WHEN existed THEN 'exists already; its company key is set' ELSE 'added' END,
				  CASE WHEN company_key IS NULL THEN ' (no company key)'
					   ELSE format(' (company key %s)', flp_internal.shown(company_key)) END);
END
$$;
COMMENT ON FUNCTION flp.add_partner(text, text) IS
	'adds a partner company (again: changes its company key)';

/* 60-policies, 70-partners: inheritance rules for every subject */



COMMENT ON TABLE flp.record_link IS
	'inheritance rules: a child row is visible to partner users, and to internal users where data rules restrict the parent, exactly when its parent row is (flp.link_records)';

/* ---------------------- 40-users-bundles: the system bundle stays itself */

/*
 * The system bundle (Default_Partner_Bundle) keeps its name, kind, license
 * and flag, and stays: flp finds it by name, so a direct UPDATE that renamed
 * it would let an ordinary bundle take its place as every partner's default.
 * No other bundle becomes a system bundle.
 */
CREATE FUNCTION flp_internal.check_bundle() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.system
	   AND (TG_OP = 'DELETE' OR (NEW.name, NEW.kind, NEW.license, NEW.system)
								 IS DISTINCT FROM (OLD.name, OLD.kind, OLD.license, OLD.system)) THEN
		RAISE EXCEPTION 'bundle "%" is a system bundle and cannot be changed', OLD.name
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Its name, kind, license and flag are flp''s; only its description and field-level permissions can be set.';
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.system AND (TG_OP = 'INSERT' OR NOT OLD.system) THEN
		RAISE EXCEPTION 'bundle "%" cannot become a system bundle', NEW.name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION flp_internal.check_bundle() IS
	'internal trigger: the system bundle keeps its name, kind, license and flag, and cannot be deleted; no bundle becomes a system bundle';
REVOKE ALL ON FUNCTION flp_internal.check_bundle() FROM PUBLIC;
CREATE TRIGGER flp_check_bundle BEFORE INSERT OR UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp_internal.check_bundle();


/* clone_bundle refuses Default_Partner_Bundle */

CREATE OR REPLACE FUNCTION flp.clone_bundle(name text, new_name text, description text DEFAULT NULL)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp_internal.require_super_admin('clone a bundle');
	b := flp_internal.require_bundle(name, false, 'name');
	PERFORM flp_internal.check_name('bundle', new_name, 'new_name');
	IF b.system THEN
		RAISE EXCEPTION 'system bundle "%" cannot be cloned', name
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'It gives each field the table''s default until a super admin opens it, columns added later too; an ordinary bundle cannot say that.',
				  HINT = 'Create a partner bundle with flp.create_bundle(name, ''partner'') and set its permissions.';
	END IF;
	PERFORM flp.create_bundle(new_name, b.kind, b.license, coalesce(description, b.description));
	INSERT INTO flp.table_permission (bundle, tbl, permission)
	SELECT new_name, p.tbl, p.permission FROM flp.table_permission p WHERE p.bundle = $1 COLLATE "C";
	INSERT INTO flp.field_permission (bundle, tbl, field, permission)
	SELECT new_name, p.tbl, p.field, p.permission FROM flp.field_permission p
	 WHERE p.bundle = $1 COLLATE "C"
	   AND EXISTS (SELECT 1 FROM flp.table_permission t WHERE t.bundle = $2 COLLATE "C" AND t.tbl = p.tbl);
	INSERT INTO flp.data_rule (tbl, predicate, access, bundle)
	SELECT r.tbl, r.predicate, r.access, new_name FROM flp.data_rule r WHERE r.bundle = $1 COLLATE "C" ORDER BY r.id;
	RETURN format('bundle "%s" created as a copy of "%s": %s table and %s field permissions, %s data rules (no assignments or rules)',
				  new_name, name,
				  (SELECT count(*) FROM flp.table_permission p WHERE p.bundle = $2 COLLATE "C"),
				  (SELECT count(*) FROM flp.field_permission p WHERE p.bundle = $2 COLLATE "C"),
				  (SELECT count(*) FROM flp.data_rule r WHERE r.bundle = $2 COLLATE "C"));
END
$$;
COMMENT ON FUNCTION flp.clone_bundle(text, text, text) IS
	'creates a bundle with the kind, license, table and field permissions and data rules of another (not its assignments or rules; not of Default_Partner_Bundle)';

/* compiled policies checked for untrusted code */



/* inheritance rules: internal subjects where data rules restrict the parent */

CREATE OR REPLACE FUNCTION flp_internal.compile_policies(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	root regclass;
	rel regclass;
	scope flp.partner_scope;
	link flp.record_link;
	pol text;
	risk record;
	internal_too boolean;
BEGIN
	SELECT g.tbl INTO root FROM flp.governed_table g
	 WHERE g.tbl = tbl OR g.tbl IN (SELECT flp_internal.ancestors(tbl)) LIMIT 1;
	IF root IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO scope FROM flp.partner_scope s WHERE s.tbl = root;
	SELECT * INTO link FROM flp.record_link l WHERE l.child = root;
	/* internal subjects follow the parent only where data rules restrict it
	 * (on it or up its chain); partner users always do */
	WITH RECURSIVE up(t) AS (
		SELECT link.parent
	  UNION
		SELECT l.parent FROM flp.record_link l JOIN up ON l.child = up.t
	)
	SELECT EXISTS (SELECT 1 FROM flp.data_rule r WHERE r.tbl IN (SELECT up.t FROM up))
	  INTO internal_too;

	FOR rel IN SELECT flp_internal.tree(root) LOOP
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
		/* a child row follows its parent row: visible when the parent is
		 * (the parent's own policies apply in the subquery), for partner
		 * users, and for internal subjects where data rules restrict the
		 * parent; for them a row without a parent key stays visible */
		IF link.child IS NOT NULL AND internal_too THEN
			EXECUTE format('CREATE POLICY flp_link ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_subject() OR (%1$s.%4$I IS NULL AND NOT flp.is_partner_user()) '
						   'OR EXISTS (SELECT 1 FROM %2$s p WHERE p.%3$I = %1$s.%4$I)) '
						   'WITH CHECK (NOT flp.is_subject() OR (%1$s.%4$I IS NULL AND NOT flp.is_partner_user()) '
						   'OR EXISTS (SELECT 1 FROM %2$s p WHERE p.%3$I = %1$s.%4$I))',
						   rel, link.parent, link.parent_key, link.fk_field);
		ELSIF link.child IS NOT NULL THEN
			EXECUTE format('CREATE POLICY flp_link ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_partner_user() OR EXISTS (SELECT 1 FROM %2$s p '
						   'WHERE p.%3$I = %1$s.%4$I)) '
						   'WITH CHECK (NOT flp.is_partner_user() OR EXISTS (SELECT 1 FROM %2$s p '
						   'WHERE p.%3$I = %1$s.%4$I))',
						   rel, link.parent, link.parent_key, link.fk_field);
		END IF;
		/* built from the predicates' parse trees, never from their text (rules.c) */
		PERFORM flp_internal.create_data_policies(rel, root);
	END LOOP;
	/* what PostgreSQL resolved in the policies flp wrote (operators and casts
	 * of the key fields' types too) must be code flp trusts: it runs in
	 * subjects' sessions on real values */
	SELECT * INTO risk FROM flp_internal.code_risks(root) k
	 WHERE k.kind = 'policy function' AND k.object LIKE 'policy flp\_%' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'flp''s policies of table "%" would run code flp does not trust', root
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('%s: %s.', risk.object, risk.risk),
				  HINT = 'The key fields of a partner scope or an inheritance rule must compare with operators and casts a superuser owns.';
	END IF;
	/* tables linked to this one follow its data rules: compile them too */
	FOR rel IN SELECT l.child FROM flp.record_link l WHERE l.parent = root LOOP
		PERFORM flp_internal.compile_policies(rel);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp_internal.compile_policies(regclass) IS
	'internal: (re)creates flp''s row-level security policies of a governed table and its children';

CREATE OR REPLACE FUNCTION flp.explain_record(tbl regclass, record_key text,
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
	parent_ruled boolean;
	r flp.data_rule;
	applies boolean;
	res boolean;
	any_rule boolean := false;
	any_edit boolean := false;
	p record;
BEGIN
	PERFORM flp_internal.require_super_admin('explain a record');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_not_null(record_key, 'record_key');
	PERFORM flp_internal.require_role(role);
	keyf := flp_internal.record_key_field(tbl);
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
			 WHERE a.tbl = $1 AND a.record_key = $2 COLLATE "C" AND a.partner = partner
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
		EXECUTE format('SELECT (%I)::text FROM %s WHERE (%I)::text = $1', l.fk_field, tbl, keyf)
		   INTO fk USING record_key;
		WITH RECURSIVE up(t) AS (
			SELECT l.parent
		  UNION
			SELECT k.parent FROM flp.record_link k JOIN up ON k.child = up.t
		)
		SELECT EXISTS (SELECT 1 FROM flp.data_rule d WHERE d.tbl IN (SELECT up.t FROM up))
		  INTO parent_ruled;
		IF partner IS NULL AND NOT parent_ruled THEN
			detail := format('linked to %s, which no data rule restricts; "%s" is an internal user, not concerned',
							 l.parent, role);
			visible := true; RETURN NEXT;
		ELSIF fk IS NULL AND partner IS NULL THEN
			detail := format('linked to %s; no parent key: visible to internal users', l.parent);
			visible := true; RETURN NEXT;
		ELSE
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
			res := flp_internal.eval_rule(tbl, keyf, record_key, r.predicate, role);
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
							  AND coalesce(flp_internal.eval_rule(tbl, keyf, record_key, d.predicate, role), false));
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

/* --------------------- 30-governed-tables: mandatory fields on updates */

ALTER TABLE flp.governed_table ADD COLUMN mandatory_on_update boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN flp.governed_table.mandatory_on_update IS
	'whether an UPDATE is refused to a role that may not edit a mandatory field (NOT NULL without default) of the table (flp.set_mandatory_on_update)';

/*
 * Mandatory fields on updates: off by default, a role that may not edit a
 * NOT NULL field without a default may still change the other fields of a
 * row (PostgreSQL's column privileges behave so); on, it may not change the
 * table's rows at all, as in CRM products where a record cannot be saved
 * without every mandatory field.
 */
CREATE OR REPLACE FUNCTION flp.set_mandatory_on_update(tbl regclass, enabled boolean DEFAULT true)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	mandatory text;
BEGIN
	PERFORM flp_internal.require_super_admin('change how mandatory fields apply');
	PERFORM flp_internal.require_governed(tbl);
	IF enabled IS NULL THEN
		RAISE EXCEPTION 'enabled must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE flp.governed_table g SET mandatory_on_update = enabled
	 WHERE g.tbl = $1 AND g.mandatory_on_update IS DISTINCT FROM enabled;
	SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) INTO mandatory
	  FROM pg_attribute a
	 WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
	   AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '';
	IF enabled THEN
		RAISE NOTICE 'table "%": a role that may not edit a mandatory field may not update its rows', tbl
			USING DETAIL = CASE WHEN mandatory IS NULL
								THEN 'The table has no mandatory field (NOT NULL without a default) now.'
								ELSE format('Mandatory fields: %s.', mandatory) END;
	END IF;
	RETURN format('table %s: mandatory fields apply to updates %s', tbl,
				  CASE WHEN enabled THEN 'too' ELSE 'no longer' END);
END
$$;
COMMENT ON FUNCTION flp.set_mandatory_on_update(regclass, boolean) IS
	'whether roles that may not edit a mandatory field (NOT NULL without a default) of a governed table are refused UPDATEs of it, as they are INSERTs (off by default)';

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp_internal.shown(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN length(value) > 100 THEN left(value, 100) || '...' ELSE value END;
COMMENT ON FUNCTION flp_internal.shown(text) IS
	'internal: a value as error messages quote it (at most 100 characters)';

CREATE OR REPLACE FUNCTION flp_internal.require_not_null(value anyelement, argname text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION '% must not be null', argname USING ERRCODE = 'null_value_not_allowed';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_not_null(anyelement, text) IS
	'internal: raises 22004 "<argname> must not be null" when the argument is NULL';

CREATE OR REPLACE FUNCTION flp_internal.require_array(value anyarray, argname text) RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.require_governed(tbl regclass, argname text DEFAULT 'tbl') RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.require_field(tbl regclass, field name, argname text DEFAULT 'field')
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

CREATE OR REPLACE FUNCTION flp_internal.require_bundle(bundle text, editable boolean DEFAULT true,
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

CREATE OR REPLACE FUNCTION flp_internal.require_partner(partner text, argname text DEFAULT 'partner') RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.check_name(what text, name text, argname text DEFAULT 'name') RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.require_role(role regrole, argname text DEFAULT 'role') RETURNS void
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

CREATE OR REPLACE FUNCTION flp.exclude_field(tbl regclass, field name) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	n bigint;
	added boolean;
BEGIN
	PERFORM flp_internal.require_super_admin('exclude a field');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_field(tbl, field);
	IF EXISTS (SELECT 1 FROM flp.inherited_field i WHERE i.tbl = $1 AND i.field = $2 COLLATE "C") THEN
		RAISE EXCEPTION 'field "%" of table "%" inherits its permission and cannot be excluded', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Remove the inheritance first with flp.inherit_field(tbl, field, NULL, NULL).';
	END IF;
	INSERT INTO flp.excluded_field AS e VALUES (tbl, field) ON CONFLICT DO NOTHING;
	added := FOUND;
	DELETE FROM flp.field_permission p WHERE p.tbl = $1 AND p.field = $2 COLLATE "C";
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		RAISE NOTICE 'removed % field-level permission(s) of excluded field "%"', n, field;
	END IF;
	RETURN format('field %s.%I %s', tbl, field,
				  CASE WHEN added THEN 'excluded' ELSE 'is excluded already (no change)' END);
END
$$;
COMMENT ON FUNCTION flp.exclude_field(regclass, name) IS
	'excludes a field: it is never restricted (edit for everyone); its field-level permissions are removed';

CREATE OR REPLACE FUNCTION flp.include_field(tbl regclass, field name) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('include a field');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_field(tbl, field);
	DELETE FROM flp.excluded_field e WHERE e.tbl = $1 AND e.field = $2 COLLATE "C";
	IF NOT FOUND THEN
		RAISE EXCEPTION 'field "%" of table "%" is not excluded', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	RETURN format('field %s.%I follows the bundles again', tbl, field);
END
$$;
COMMENT ON FUNCTION flp.include_field(regclass, name) IS
	'undoes flp.exclude_field: the field follows the bundles again';

CREATE OR REPLACE FUNCTION flp.set_mask(tbl regclass, field name, mask regprocedure) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	was regprocedure;
BEGIN
	PERFORM flp_internal.require_super_admin('set a mask');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_field(tbl, field);
	SELECT m.mask INTO was FROM flp.field_mask m WHERE m.tbl = $1 AND m.field = $2 COLLATE "C";
	IF mask IS NULL THEN
		DELETE FROM flp.field_mask m WHERE m.tbl = $1 AND m.field = $2 COLLATE "C";
		RETURN format('field %s.%I: hidden values show the default mask%s', tbl, field,
					  CASE WHEN was IS NULL THEN ' (no change)' ELSE format(' (was %s)', was) END);
	END IF;
	/* flp_check_field_mask checks that it fits and may run on hidden values */
	INSERT INTO flp.field_mask AS m VALUES (tbl, field, mask)
	ON CONFLICT ON CONSTRAINT field_mask_pkey DO UPDATE SET mask = EXCLUDED.mask;
	RETURN format('field %s.%I: hidden values show %s%s', tbl, field, mask,
				  CASE WHEN was IS NULL THEN ' (was the default mask)'
					   WHEN was = mask THEN ' (no change)' ELSE format(' (was %s)', was) END);
END
$$;
COMMENT ON FUNCTION flp.set_mask(regclass, name, regprocedure) IS
	'sets the function whose result replaces a hidden value of the field (NULL: back to the default mask)';

CREATE OR REPLACE FUNCTION flp.inherit_field(tbl regclass, field name, from_tbl regclass, from_field name)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	chain text[];
	/*
	 * The fields in locals of collation "C" (name's own): a collation the
	 * caller put on an argument must not reach the comparisons below.
	 */
	this_field name COLLATE "C" := field;
	source_field name COLLATE "C" := from_field;
	up_tbl regclass;
	up_field name COLLATE "C";
	next_tbl regclass;
	next_field name COLLATE "C";
	left_steps bigint;
BEGIN
	PERFORM flp_internal.require_super_admin('inherit a field');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_field(tbl, this_field);
	IF from_tbl IS NULL AND from_field IS NULL THEN
		DELETE FROM flp.inherited_field i WHERE i.tbl = $1 AND i.field = this_field;
		RETURN format('field %s.%I inherits no permission%s', tbl, field,
					  CASE WHEN FOUND THEN '' ELSE ' (no change)' END);
	END IF;
	IF from_tbl IS NULL OR from_field IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN from_tbl IS NULL THEN 'from_tbl' ELSE 'from_field' END
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give both from_tbl and from_field, or neither to remove the inheritance.';
	END IF;
	PERFORM flp_internal.require_governed(from_tbl, 'from_tbl');
	PERFORM flp_internal.require_field(from_tbl, source_field, 'from_field');
	IF (tbl, this_field) = (from_tbl, source_field) THEN
		RAISE EXCEPTION 'field "%" of table "%" cannot inherit from itself', field, tbl
			USING ERRCODE = 'invalid_recursion';
	END IF;
	IF EXISTS (SELECT 1 FROM flp.excluded_field e WHERE e.tbl = $1 AND e.field = this_field) THEN
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
	up_field := source_field;
	chain := ARRAY[format('%s.%I', tbl, field)];
	SELECT count(*) INTO left_steps FROM flp.inherited_field;
	LOOP
		IF cardinality(chain) < 20 THEN
			chain := chain || format('%s.%I', up_tbl, up_field);
		ELSIF cardinality(chain) = 20 THEN
			chain := chain || '...'::text;
		END IF;
		IF up_tbl = tbl AND up_field = this_field THEN
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
	INSERT INTO flp.inherited_field AS i VALUES (tbl, this_field, from_tbl, source_field)
	ON CONFLICT ON CONSTRAINT inherited_field_pkey
	DO UPDATE SET from_tbl = EXCLUDED.from_tbl, from_field = EXCLUDED.from_field;
	RETURN format('field %s.%I is never more visible than %s.%I', tbl, field, from_tbl, from_field);
END
$$;
COMMENT ON FUNCTION flp.inherit_field(regclass, name, regclass, name) IS
	'makes a field never more visible than the field it mirrors (both NULL: removes the inheritance)';

CREATE OR REPLACE FUNCTION flp.register_user(role regrole, license flp.license DEFAULT 'full',
								  attributes jsonb DEFAULT '{}', partner text DEFAULT NULL)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	cap integer;
	used bigint;
	was flp.registered_user;
BEGIN
	PERFORM flp_internal.require_super_admin('register a user');
	PERFORM flp_internal.require_role(role);
	PERFORM flp_internal.require_not_null(license, 'license');
	PERFORM flp_internal.require_not_null(attributes, 'attributes');
	IF jsonb_typeof(attributes) <> 'object' THEN
		RAISE EXCEPTION 'attributes must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example: ''{"region": "emea"}''.';
	END IF;
	IF flp.is_super_admin(role) THEN
		RAISE NOTICE 'role "%" is a super admin: its registration has no effect while it is one', role;
	END IF;
	IF partner IS NOT NULL THEN
		PERFORM flp_internal.require_partner(partner);
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
	SELECT * INTO was FROM flp.registered_user u WHERE u.role = $1;
	INSERT INTO flp.registered_user AS u (role, license, attributes, partner)
	VALUES (role, license, attributes, partner)
	ON CONFLICT ON CONSTRAINT registered_user_pkey
	DO UPDATE SET license = EXCLUDED.license, attributes = EXCLUDED.attributes,
				  partner = EXCLUDED.partner;
	RETURN format('user %s %s: license %s%s, attributes %s', role,
				  CASE WHEN was.role IS NULL THEN 'registered'
					   WHEN (was.license, was.attributes, was.partner) IS NOT DISTINCT FROM (license, attributes, partner)
					   THEN 'is registered already (no change)'
					   ELSE 'registered again' END,
				  license, CASE WHEN partner IS NULL THEN '' ELSE format(', partner "%s"', partner) END,
				  flp_internal.shown(attributes::text));
END
$$;
COMMENT ON FUNCTION flp.register_user(regrole, flp.license, jsonb, text) IS
	'registers a user with a license, attributes and optionally a partner (again: replaces them)';

CREATE OR REPLACE FUNCTION flp.unregister_user(role regrole) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unregister a user');
	PERFORM flp_internal.require_not_null(role, 'role');
	DELETE FROM flp.registered_user u WHERE u.role = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%" is not a registered user', role
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN format('user %s unregistered', role);
END
$$;
COMMENT ON FUNCTION flp.unregister_user(regrole) IS
	'forgets a registered user: it becomes an internal full user without attributes and frees its seat';

CREATE OR REPLACE FUNCTION flp.set_seats(license flp.license, seats integer) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	used bigint;
	was integer;
BEGIN
	PERFORM flp_internal.require_super_admin('set license seats');
	PERFORM flp_internal.require_not_null(license, 'license');
	SELECT s.seats INTO was FROM flp.license_seats s WHERE s.license = $1;
	IF seats IS NULL THEN
		DELETE FROM flp.license_seats s WHERE s.license = $1;
		RETURN format('license %s: unlimited seats (%s)', license,
					  CASE WHEN was IS NULL THEN 'no change' ELSE format('was %s', was) END);
	END IF;
	IF seats < 0 THEN
		RAISE EXCEPTION 'seats must not be negative (% was given)', seats
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'NULL seats means unlimited.';
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
	RETURN format('license %s: %s seat%s, %s taken (%s)', license, seats, CASE WHEN seats = 1 THEN '' ELSE 's' END, used,
				  CASE WHEN was IS NULL THEN 'was unlimited' WHEN was = seats THEN 'no change'
					   ELSE format('was %s', was) END);
END
$$;
COMMENT ON FUNCTION flp.set_seats(flp.license, integer) IS
	'sets how many users may hold a license (NULL: unlimited)';

CREATE OR REPLACE FUNCTION flp.drop_partner(name text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	users text;
BEGIN
	PERFORM flp_internal.require_super_admin('drop a partner');
	PERFORM flp_internal.require_partner(name, 'name');
	SELECT string_agg(format('"%s"', u.role), ', ' ORDER BY u.role::text) INTO users
	  FROM flp.registered_user u WHERE u.partner = $1 COLLATE "C";
	IF users IS NOT NULL THEN
		RAISE EXCEPTION 'partner "%" still has users', name
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = format('Registered users of the partner: %s.', users),
				  HINT = 'Unregister them first with flp.unregister_user().';
	END IF;
	DELETE FROM flp.partner p WHERE p.name = $1 COLLATE "C";   -- its bundle and record assignments go with it
	RETURN format('partner "%s" dropped, with its bundle and record assignments', name);
END
$$;
COMMENT ON FUNCTION flp.drop_partner(text) IS
	'drops a partner without users, with its partner bundle assignment and record assignments';

CREATE OR REPLACE FUNCTION flp.drop_bundle(name text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('drop a bundle');
	PERFORM flp_internal.require_bundle(name, true, 'name');
	DELETE FROM flp.bundle b WHERE b.name = $1 COLLATE "C";
	RETURN format('bundle "%s" dropped, with its permissions, assignments, rules and data rules',
				  name);
END
$$;
COMMENT ON FUNCTION flp.drop_bundle(text) IS
	'drops a bundle with its permissions, assignments and rules';

CREATE OR REPLACE FUNCTION flp.set_permission(bundle text, tbl regclass, field name, permission flp.permission)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
	was flp.permission;
	cap flp.permission;
BEGIN
	PERFORM flp_internal.require_super_admin('set a permission');
	/* Default_Partner_Bundle: its tables follow the areas, its fields are opened one by one */
	b := flp_internal.require_bundle(bundle, field IS NULL);
	PERFORM flp_internal.require_governed(tbl);
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
		SELECT p.permission INTO was FROM flp.table_permission p WHERE p.bundle = $1 COLLATE "C" AND p.tbl = $2;
		INSERT INTO flp.table_permission AS p VALUES (bundle, tbl, permission)
		ON CONFLICT ON CONSTRAINT table_permission_pkey DO UPDATE SET permission = EXCLUDED.permission;
		RETURN format('bundle "%s": table %s %s%s', bundle, tbl, permission,
					  flp_internal.was(was, permission));
	END IF;
	PERFORM flp_internal.require_field(tbl, field);
	IF EXISTS (SELECT 1 FROM flp.excluded_field e WHERE e.tbl = $2 AND e.field = $3 COLLATE "C") THEN
		RAISE EXCEPTION 'field "%" of table "%" is excluded from field-level permissions', field, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Excluded fields are never restricted.',
				  HINT = 'Use flp.include_field() first if the field must be restricted.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM flp.table_permission p WHERE p.bundle = $1 COLLATE "C" AND p.tbl = $2) THEN
		RAISE EXCEPTION 'bundle "%" does not grant table "%"', bundle, tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A field-level permission needs a table-level permission of the same bundle, which caps it.',
				  HINT = format('Grant the table first, e.g. flp.set_permission(%L, %L, NULL, %L).',
								bundle, tbl::text, permission);
	END IF;
	SELECT p.permission INTO was FROM flp.field_permission p
	 WHERE p.bundle = $1 COLLATE "C" AND p.tbl = $2 AND p.field = $3 COLLATE "C";
	INSERT INTO flp.field_permission AS p VALUES (bundle, tbl, field, permission)
	ON CONFLICT ON CONSTRAINT field_permission_pkey DO UPDATE SET permission = EXCLUDED.permission;
	SELECT p.permission INTO cap FROM flp.table_permission p WHERE p.bundle = $1 COLLATE "C" AND p.tbl = $2;
	IF permission > cap THEN
		RAISE NOTICE 'field "%" stays at the table-level permission of bundle "%"', field, bundle
			USING DETAIL = 'A field-level permission is never above the table-level one.';
	END IF;
	RETURN format('bundle "%s": field %s.%I %s%s%s', bundle, tbl, field, permission,
				  CASE WHEN permission > cap THEN format(', capped at the table''s %s', cap) ELSE '' END,
				  flp_internal.was(was, permission));
END
$$;
COMMENT ON FUNCTION flp.set_permission(text, regclass, name, flp.permission) IS
	'sets a bundle''s permission on a table (field NULL) or on one field of it';

CREATE OR REPLACE FUNCTION flp.clear_permission(bundle text, tbl regclass, field name DEFAULT NULL)
	RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	was flp.permission;
BEGIN
	PERFORM flp_internal.require_super_admin('clear a permission');
	PERFORM flp_internal.require_bundle(bundle, field IS NULL);
	PERFORM flp_internal.require_governed(tbl);
	IF field IS NULL THEN
		DELETE FROM flp.table_permission p WHERE p.bundle = $1 COLLATE "C" AND p.tbl = $2
		RETURNING p.permission INTO was;
	ELSE
		PERFORM flp_internal.require_field(tbl, field);
		DELETE FROM flp.field_permission p WHERE p.bundle = $1 COLLATE "C" AND p.tbl = $2 AND p.field = $3 COLLATE "C"
		RETURNING p.permission INTO was;
	END IF;
	IF was IS NULL THEN
		RAISE NOTICE 'bundle "%" had no such permission', bundle;
	END IF;
	RETURN format('bundle "%s": %s cleared%s', bundle,
				  CASE WHEN field IS NULL THEN format('table %s, with its field permissions,', tbl)
					   ELSE format('field %s.%I', tbl, field) END,
				  CASE WHEN was IS NULL THEN ' (no change)' ELSE format(' (was %s)', was) END);
END
$$;
COMMENT ON FUNCTION flp.clear_permission(text, regclass, name) IS
	'removes a bundle''s permission on a table (with all its field settings) or on one field';

CREATE OR REPLACE FUNCTION flp.unassign(bundle text, role regrole) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unassign a bundle');
	PERFORM flp_internal.require_bundle(bundle);
	PERFORM flp_internal.require_role(role);
	DELETE FROM flp.assignment a WHERE a.bundle = $1 COLLATE "C" AND a.role = $2;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'bundle "%" is not assigned to role "%"', bundle, role
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN format('bundle "%s" unassigned from %s', bundle, role);
END
$$;
COMMENT ON FUNCTION flp.unassign(text, regrole) IS 'removes a manual assignment';

CREATE OR REPLACE FUNCTION flp.add_rule(bundle text, criteria jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
	id bigint;
BEGIN
	PERFORM flp_internal.require_super_admin('add a rule');
	b := flp_internal.require_bundle(bundle);
	IF b.kind = 'partner' THEN
		RAISE EXCEPTION 'partner bundle "%" cannot be given by a criteria rule', bundle
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Assign partner bundles to partners with flp.assign_partner_bundle().';
	END IF;
	PERFORM flp_internal.require_not_null(criteria, 'criteria');
	IF jsonb_typeof(criteria) <> 'object' THEN
		RAISE EXCEPTION 'criteria must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example: ''{"region": "emea"}'' matches users whose attributes contain it.';
	END IF;
	/* the same criteria twice give the bundle once: a second rule is a mistake */
	SELECT r.id INTO id FROM flp.rule r WHERE r.bundle = $1 COLLATE "C" AND r.criteria = $2
	 ORDER BY r.id LIMIT 1;
	IF id IS NOT NULL THEN
		RAISE EXCEPTION 'rule % gives bundle "%" for these criteria already', id, bundle
			USING ERRCODE = 'duplicate_object',
				  DETAIL = format('Criteria: %s.', flp_internal.shown(criteria::text)),
				  HINT = 'A script that may run twice can look the rule up in flp.rule first.';
	END IF;
	INSERT INTO flp.rule AS r (bundle, criteria) VALUES (bundle, criteria) RETURNING r.id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION flp.add_rule(text, jsonb) IS
	'gives a bundle to every registered user whose attributes contain the criteria; returns the rule id';

CREATE OR REPLACE FUNCTION flp.drop_rule(id bigint) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	r flp.rule;
BEGIN
	PERFORM flp_internal.require_super_admin('drop a rule');
	PERFORM flp_internal.require_not_null(id, 'id');
	DELETE FROM flp.rule d WHERE d.id = $1 RETURNING * INTO r;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'rule % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
	RETURN format('rule %s dropped: bundle "%s" no longer given for %s', id, r.bundle,
				  flp_internal.shown(r.criteria::text));
END
$$;
COMMENT ON FUNCTION flp.drop_rule(bigint) IS 'drops a criteria rule';

CREATE OR REPLACE FUNCTION flp.preview(bundle text) RETURNS SETOF regrole
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('preview a bundle');
	PERFORM flp_internal.require_bundle(bundle, false);
	RETURN QUERY
		SELECT r.oid::regrole
		  FROM pg_roles r
		 WHERE r.rolname !~ '^pg_'
		   AND NOT flp.is_super_admin(r.oid::regrole)
		   AND EXISTS (SELECT 1 FROM flp.bundles(r.oid::regrole) b WHERE b.bundle = $1 COLLATE "C")
		 ORDER BY r.rolname;
END
$$;
COMMENT ON FUNCTION flp.preview(text) IS
	'the roles (super admins and predefined pg_ roles aside) a bundle applies to now';

CREATE OR REPLACE FUNCTION flp.define_area(area text, tables regclass[]) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	t regclass;
BEGIN
	PERFORM flp_internal.require_super_admin('define an area');
	PERFORM flp_internal.require_not_null(area, 'area');
	IF area NOT IN ('dashboard', 'timeline', 'cockpit', 'success_plan',
					'company_relationship', 'home', 'report', 'scorecard') THEN
		RAISE EXCEPTION 'unknown partner area "%"', flp_internal.shown(area)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The partner areas are dashboard, timeline, cockpit, success_plan, company_relationship, home, report and scorecard.';
	END IF;
	IF tables IS NULL THEN
		RAISE EXCEPTION 'tables must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'An empty array (''{}'') empties the area.';
	END IF;
	IF array_position(tables, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'tables must not contain nulls' USING ERRCODE = 'null_value_not_allowed',
			DETAIL = format('Element %s is NULL.', array_position(tables, NULL));
	END IF;
	FOREACH t IN ARRAY tables LOOP
		PERFORM flp_internal.require_governed(t, 'tables');
	END LOOP;
	DELETE FROM flp.area_table a WHERE a.area = $1 COLLATE "C";
	INSERT INTO flp.area_table (area, tbl)
	SELECT DISTINCT area, member FROM unnest(tables) member;
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
	RETURN format('partner area %s: %s', area,
				  coalesce((SELECT string_agg(a.tbl::text, ', ' ORDER BY a.tbl::text)
							  FROM flp.area_table a WHERE a.area = $1 COLLATE "C"), 'no tables'));
END
$$;
COMMENT ON FUNCTION flp.define_area(text, regclass[]) IS
	'sets the tables of a partner area (Default_Partner_Bundle grants them, with only the fields a super admin opened; partner bundles may grant only them)';

CREATE OR REPLACE FUNCTION flp.assign_partner_bundle(partner text, bundle text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp_internal.require_super_admin('assign a partner bundle');
	PERFORM flp_internal.require_partner(partner);
	b := flp_internal.require_bundle(bundle, false);
	IF b.kind <> 'partner' THEN
		RAISE EXCEPTION 'bundle "%" is not a partner bundle', bundle
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Create partner bundles with flp.create_bundle(name, kind => ''partner'').';
	END IF;
	IF b.system THEN
		DELETE FROM flp.partner_bundle pb WHERE pb.partner = $1 COLLATE "C";   -- back to the default
	ELSE
		INSERT INTO flp.partner_bundle AS pb VALUES (partner, bundle)
		ON CONFLICT ON CONSTRAINT partner_bundle_pkey DO UPDATE SET bundle = EXCLUDED.bundle;
	END IF;
	RETURN format('partner "%s": its users hold bundle "%s"', partner, bundle);
END
$$;
COMMENT ON FUNCTION flp.assign_partner_bundle(text, text) IS
	'gives a partner''s users a partner bundle instead of Default_Partner_Bundle (Default_Partner_Bundle: back to the default)';

CREATE OR REPLACE FUNCTION flp.partner_scope(tbl regclass, key_field name) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('scope a table');
	PERFORM flp_internal.require_governed(tbl);
	PERFORM flp_internal.require_field(tbl, key_field, 'key_field');
	INSERT INTO flp.partner_scope AS s VALUES (tbl, key_field)
	ON CONFLICT ON CONSTRAINT partner_scope_pkey DO UPDATE SET key_field = EXCLUDED.key_field;
	PERFORM flp_internal.compile_policies(tbl);
	RETURN format('table %s: partner users see the records assigned to them, by field %I', tbl, key_field);
END
$$;
COMMENT ON FUNCTION flp.partner_scope(regclass, name) IS
	'partner users see and change only the rows of the table whose key is assigned to them';

CREATE OR REPLACE FUNCTION flp_internal.require_scope(partner text, tbl regclass, partner_user regrole) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_partner(partner);
	PERFORM flp_internal.require_governed(tbl);
	IF NOT EXISTS (SELECT 1 FROM flp.partner_scope s WHERE s.tbl = $2) THEN
		RAISE EXCEPTION 'table "%" is not scoped for partners', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Scope it first with flp.partner_scope(%L, key_field).', tbl::text);
	END IF;
	IF partner_user IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM flp.registered_user u WHERE u.role = $3 AND u.partner = $1 COLLATE "C") THEN
		RAISE EXCEPTION 'role "%" is not a user of partner "%"', partner_user, partner
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Register it with flp.register_user(role, ''full'', ''{}'', partner).';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_scope(text, regclass, regrole) IS
	'internal: checks the arguments of flp.assign_record and flp.unassign_record';

CREATE OR REPLACE FUNCTION flp_internal.require_record_key(record_key text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF record_key IS NULL THEN
		RAISE EXCEPTION 'record_key must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF octet_length(record_key) > 1000 THEN
		RAISE EXCEPTION 'record_key "%" is too long (% bytes)', flp_internal.shown(record_key), octet_length(record_key)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A record key has at most 1000 bytes.';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.require_record_key(text) IS
	'internal: raises 22004 or 22023 unless the text can be a record key';

CREATE OR REPLACE FUNCTION flp.assign_record(partner text, tbl regclass, record_key text,
								  partner_user regrole DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('assign a record');
	PERFORM flp_internal.require_scope(partner, tbl, partner_user);
	PERFORM flp_internal.require_record_key(record_key);
	INSERT INTO flp.record_assignment VALUES (tbl, record_key, partner, partner_user)
	ON CONFLICT DO NOTHING;
	RETURN format('record "%s" of table %s %s %s%s', flp_internal.shown(record_key), tbl,
				  CASE WHEN FOUND THEN 'assigned to' ELSE 'is assigned already to' END,
				  CASE WHEN partner_user IS NULL THEN format('partner "%s"', partner)
					   ELSE format('user %s of partner "%s"', partner_user, partner) END,
				  CASE WHEN FOUND THEN '' ELSE ' (no change)' END);
END
$$;
COMMENT ON FUNCTION flp.assign_record(text, regclass, text, regrole) IS
	'assigns a record of a scoped table to a partner (all its users) or to one partner user';

CREATE OR REPLACE FUNCTION flp.unassign_record(partner text, tbl regclass, record_key text,
									partner_user regrole DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unassign a record');
	PERFORM flp_internal.require_scope(partner, tbl, partner_user);
	PERFORM flp_internal.require_record_key(record_key);
	DELETE FROM flp.record_assignment a
	 WHERE a.tbl = $2 AND a.record_key = $3 COLLATE "C" AND a.partner = $1 COLLATE "C"
	   AND a.partner_user IS NOT DISTINCT FROM $4;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'record "%" of table "%" is not assigned to %', flp_internal.shown(record_key), tbl,
			CASE WHEN partner_user IS NULL THEN format('partner "%s"', partner)
				 ELSE format('user "%s" of partner "%s"', partner_user, partner) END
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN format('record "%s" of table %s unassigned from %s', flp_internal.shown(record_key), tbl,
				  CASE WHEN partner_user IS NULL THEN format('partner "%s"', partner)
					   ELSE format('user %s of partner "%s"', partner_user, partner) END);
END
$$;
COMMENT ON FUNCTION flp.unassign_record(text, regclass, text, regrole) IS
	'takes a record assignment back';

CREATE OR REPLACE FUNCTION flp.link_records(child regclass, fk_field name, parent regclass) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	pkey name;
	chain text[];
	up regclass;
	left_steps bigint;
BEGIN
	PERFORM flp_internal.require_super_admin('link records');
	PERFORM flp_internal.require_governed(child, 'child');
	PERFORM flp_internal.require_governed(parent, 'parent');
	PERFORM flp_internal.require_field(child, fk_field, 'fk_field');
	IF child = parent THEN
		RAISE EXCEPTION 'table "%" cannot be linked to itself', child USING ERRCODE = 'invalid_recursion';
	END IF;
	/* flp_link reads the parent in partner users' sessions, with the parent's own policies */
	PERFORM flp_internal.refuse_untrusted_policies(parent);
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
	PERFORM flp_internal.compile_policies(child);
	RETURN format('table %s: a record follows the record of %s whose %I is its %I', child, parent, pkey, fk_field);
END
$$;
COMMENT ON FUNCTION flp.link_records(regclass, name, regclass) IS
	'inheritance rule: partner users, and internal users where data rules restrict the parent, see a child row exactly when they see its parent row';

CREATE OR REPLACE FUNCTION flp.unlink_records(child regclass) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unlink records');
	PERFORM flp_internal.require_not_null(child, 'child');
	DELETE FROM flp.record_link l WHERE l.child = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table "%" is not linked', child USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM flp_internal.compile_policies(child);
	RETURN format('table %s is no longer linked to a parent', child);
END
$$;
COMMENT ON FUNCTION flp.unlink_records(regclass) IS 'removes an inheritance rule';

CREATE OR REPLACE FUNCTION flp.unscope(tbl regclass) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unscope a table');
	PERFORM flp_internal.require_not_null(tbl, 'tbl');
	DELETE FROM flp.partner_scope s WHERE s.tbl = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table "%" is not scoped for partners', tbl USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM flp_internal.compile_policies(tbl);
	RETURN format('table %s is no longer scoped for partners', tbl);
END
$$;
COMMENT ON FUNCTION flp.unscope(regclass) IS
	'ends partner scoping of a table (and forgets its record assignments)';

CREATE OR REPLACE FUNCTION flp.drop_data_rule(id bigint) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	t regclass;
BEGIN
	PERFORM flp_internal.require_super_admin('drop a data rule');
	PERFORM flp_internal.require_not_null(id, 'id');
	DELETE FROM flp.data_rule r WHERE r.id = $1 RETURNING r.tbl INTO t;
	IF t IS NULL THEN
		RAISE EXCEPTION 'data rule % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM flp_internal.compile_policies(t);
	RETURN format('data rule %s of table %s dropped', id, t);
END
$$;
COMMENT ON FUNCTION flp.drop_data_rule(bigint) IS 'drops a data rule';

/* the grants of the helpers whose signatures changed, as 90-internal-grants gives them */
REVOKE ALL ON FUNCTION flp_internal.check_name(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.check_name(text, text, text) TO flp_admin;
REVOKE ALL ON FUNCTION flp_internal.require_record_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.require_record_key(text) TO flp_admin;
REVOKE ALL ON FUNCTION
	flp_internal.ancestors(regclass), flp_internal.tree(regclass), flp_internal.same_kind(oid, oid),
	flp_internal.preload_setting(), flp_internal.record_key_field(regclass),
	flp_internal.require_bundle(text, boolean, text), flp_internal.require_field(regclass, name, text),
	flp_internal.require_governed(regclass, text), flp_internal.require_governable(regclass), flp_internal.require_role(regrole, text),
	flp_internal.require_partner(text, text), flp_internal.require_not_null(anyelement, text),
	flp_internal.require_array(anyarray, text), flp_internal.shown(text),
	flp_internal.require_scope(text, regclass, regrole), flp_internal.check_field_mask(),
	flp_internal.check_governed_table(), flp_internal.ref_check(), flp_internal.ref_action(), flp_internal.replace_secret()
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	flp_internal.ancestors(regclass), flp_internal.tree(regclass), flp_internal.same_kind(oid, oid),
	flp_internal.record_key_field(regclass),
	flp_internal.require_bundle(text, boolean, text), flp_internal.require_field(regclass, name, text),
	flp_internal.require_governed(regclass, text), flp_internal.require_governable(regclass), flp_internal.require_role(regrole, text),
	flp_internal.require_partner(text, text), flp_internal.require_not_null(anyelement, text),
	flp_internal.require_array(anyarray, text), flp_internal.shown(text),
	flp_internal.require_scope(text, regclass, regrole)
	TO flp_admin;

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp.export_config() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	version text;
	checks text;
	blocks text[] := '{}';
	titles text[] := '{}';
	block text;
	body text;
	tag text := '$flp$';
	n integer := 0;
	hashed boolean;
BEGIN
	PERFORM flp_internal.require_super_admin('export the configuration');
	/* written into a comment: only characters a version has */
	SELECT regexp_replace(x.extversion, '[^0-9A-Za-z._-]', '', 'g') INTO version
	  FROM pg_extension x WHERE x.extname = 'flp';

	/* what must exist before anything is applied */
	WITH named(kind, what) AS (
		SELECT 'role', r.role::text FROM flp.registered_user r
		 WHERE EXISTS (SELECT 1 FROM pg_roles x WHERE x.oid = r.role)
	  UNION SELECT 'role', a.role::text FROM flp.assignment a
		 WHERE EXISTS (SELECT 1 FROM pg_roles x WHERE x.oid = a.role)
	  UNION SELECT 'role', a.partner_user::text FROM flp.record_assignment a
		 WHERE a.partner_user IS NOT NULL
		   AND EXISTS (SELECT 1 FROM pg_roles x WHERE x.oid = a.partner_user)
	  UNION SELECT 'table', g.tbl::text FROM flp.governed_table g
		 WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = g.tbl)
	  UNION SELECT 'function', m.mask::text FROM flp.field_mask m
		 WHERE EXISTS (SELECT 1 FROM pg_proc p WHERE p.oid = m.mask)
	  UNION SELECT 'view', p.view::text FROM flp.published_view p
	)
	SELECT string_agg(format(E'\tIF %s(%L) IS NULL THEN missing := missing || %L::text; END IF;',
							 CASE kind WHEN 'role' THEN 'to_regrole'
									   WHEN 'table' THEN 'to_regclass'
									   WHEN 'view' THEN 'to_regclass'
									   ELSE 'to_regprocedure' END,
							 what, kind || ' ' || what),
					  E'\n' ORDER BY kind, what COLLATE "C")
	  INTO checks FROM named;
	titles := titles || 'the roles, tables, views and mask functions named below must exist'::text;
	blocks := blocks || (E'DECLARE\n\tmissing text[] := ''{}'';\nBEGIN\n'
		|| coalesce(checks || E'\n', '')
		|| E'\tIF cardinality(missing) > 0 THEN\n'
		|| E'\t\tRAISE EXCEPTION USING ERRCODE = ''undefined_object'',\n'
		|| E'\t\t\tMESSAGE = ''the flp configuration names roles, tables or functions that do not exist'',\n'
		|| E'\t\t\tDETAIL = ''Missing: '' || array_to_string(missing, '', '') || ''.'',\n'
		|| E'\t\t\tHINT = ''Create them first: the export holds flp''''s configuration only, not roles, tables or functions.'';\n'
		|| E'\tEND IF;\nEND');

	/* governed tables, with their keys as the export says (govern_keys) */
	SELECT string_agg(format(E'\tPERFORM flp.protect(%L::regclass, %L::flp.permission, govern_keys => true);',
							 g.tbl::text, g.default_permission),
					  E'\n' ORDER BY g.tbl::text COLLATE "C")
	  INTO block FROM flp.governed_table g
	 WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = g.tbl);
	blocks := blocks || block;
	titles := titles || 'governed tables'::text;

	/* excluded fields, masks, inherited fields */
	SELECT string_agg(format(E'\tPERFORM flp.exclude_field(%L::regclass, %L::name);', e.tbl::text, e.field),
					  E'\n' ORDER BY e.tbl::text COLLATE "C", e.field COLLATE "C")
	  INTO block FROM flp.excluded_field e
	 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = e.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = e.tbl);
	blocks := blocks || block;
	titles := titles || 'excluded fields'::text;
	SELECT string_agg(format(E'\tPERFORM flp.set_mask(%L::regclass, %L::name, %L::regprocedure);',
							 m.tbl::text, m.field, m.mask::text),
					  E'\n' ORDER BY m.tbl::text COLLATE "C", m.field COLLATE "C")
	  INTO block FROM flp.field_mask m
	 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = m.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = m.tbl)
	   AND EXISTS (SELECT 1 FROM pg_proc p WHERE p.oid = m.mask);
	blocks := blocks || block;
	titles := titles || 'masks'::text;
	SELECT string_agg(format(E'\tPERFORM flp.inherit_field(%L::regclass, %L::name, %L::regclass, %L::name);',
							 i.tbl::text, i.field, i.from_tbl::text, i.from_field),
					  E'\n' ORDER BY i.tbl::text COLLATE "C", i.field COLLATE "C")
	  INTO block FROM flp.inherited_field i
	 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = i.tbl)
	   AND EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = i.from_tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = i.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = i.from_tbl);
	blocks := blocks || block;
	titles := titles || 'inherited fields'::text;

	/* partner areas, scoped tables, inheritance rules between records (a
	 * link takes its parent's scope key, so the scopes come first) */
	SELECT string_agg(format(E'\tPERFORM flp.define_area(%L, ARRAY[%s]::regclass[]);', a.area, a.tables),
					  E'\n' ORDER BY a.area)
	  INTO block
	  FROM (SELECT t.area, string_agg(format('%L', t.tbl::text), ', ' ORDER BY t.tbl::text COLLATE "C") AS tables
			  FROM flp.area_table t
			 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = t.tbl)
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.tbl)
			 GROUP BY t.area) a;
	blocks := blocks || block;
	titles := titles || 'partner areas'::text;
	SELECT string_agg(format(E'\tPERFORM flp.partner_scope(%L::regclass, %L::name);', s.tbl::text, s.key_field),
					  E'\n' ORDER BY s.tbl::text COLLATE "C")
	  INTO block FROM flp.partner_scope s
	 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = s.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = s.tbl);
	blocks := blocks || block;
	titles := titles || 'partner scope'::text;
	SELECT string_agg(format(E'\tPERFORM flp.link_records(%L::regclass, %L::name, %L::regclass);',
							 l.child::text, l.fk_field, l.parent::text),
					  E'\n' ORDER BY l.child::text COLLATE "C")
	  INTO block FROM flp.record_link l
	 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = l.child)
	   AND EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = l.parent)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = l.child)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = l.parent);
	blocks := blocks || block;
	titles := titles || 'inheritance rules between records'::text;

	/* partners, bundles (one that exists already must be of the same kind
	 * and license: flp cannot change them), the system bundle's description */
	SELECT string_agg(format(E'\tPERFORM flp.add_partner(%L, %L);', p.name, p.company_key),
					  E'\n' ORDER BY p.name)
	  INTO block FROM flp.partner p;
	blocks := blocks || block;
	titles := titles || 'partners'::text;
	SELECT string_agg(CASE WHEN b.system THEN
			format(E'\tUPDATE flp.bundle b SET description = %L\n' ||
				   E'\t WHERE b.name = %L AND b.system AND b.description IS DISTINCT FROM %L;',
				   b.description, b.name, b.description)
		ELSE
			format(E'\tIF NOT EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = %L) THEN\n' ||
				   E'\t\tPERFORM flp.create_bundle(%L, %L::flp.bundle_kind, %L::flp.license, %L);\n' ||
				   E'\tELSIF EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = %L\n' ||
				   E'\t\t\t\t   AND (b.kind, b.license) <> (%L::flp.bundle_kind, %L::flp.license)) THEN\n' ||
				   E'\t\tRAISE EXCEPTION USING ERRCODE = ''duplicate_object'', MESSAGE = %L,\n' ||
				   E'\t\t\tHINT = ''Drop or rename that bundle first (flp.drop_bundle, flp.rename_bundle).'';\n' ||
				   E'\tELSE\n' ||
				   E'\t\tUPDATE flp.bundle b SET description = %L\n' ||
				   E'\t\t WHERE b.name = %L AND b.description IS DISTINCT FROM %L;\n' ||
				   E'\tEND IF;',
				   b.name, b.name, b.kind, b.license, b.description, b.name, b.kind, b.license,
				   format('bundle "%s" exists, but not with kind %s and license %s', b.name, b.kind, b.license),
				   b.description, b.name, b.description)
		END, E'\n' ORDER BY b.system DESC, b.name)
	  INTO block FROM flp.bundle b;
	blocks := blocks || block;
	titles := titles || 'bundles'::text;

	/* table-level permissions (the system bundle's follow the areas), then
	 * field-level ones */
	SELECT string_agg(format(E'\tPERFORM flp.set_permission(%L, %L::regclass, NULL::name, %L::flp.permission);',
							 t.bundle, t.tbl::text, t.permission),
					  E'\n' ORDER BY t.bundle, t.tbl::text COLLATE "C")
	  INTO block FROM flp.table_permission t JOIN flp.bundle b ON b.name = t.bundle
	 WHERE NOT b.system
	   AND (b.kind = 'internal' OR EXISTS (SELECT 1 FROM flp.area_table a WHERE a.tbl = t.tbl))
	   AND EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = t.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.tbl);
	blocks := blocks || block;
	titles := titles || 'table-level permissions'::text;
	SELECT string_agg(format(E'\tPERFORM flp.set_permission(%L, %L::regclass, %L::name, %L::flp.permission);',
							 f.bundle, f.tbl::text, f.field, f.permission),
					  E'\n' ORDER BY f.bundle, f.tbl::text COLLATE "C", f.field COLLATE "C")
	  INTO block FROM flp.field_permission f
	 WHERE EXISTS (SELECT 1 FROM flp.table_permission t JOIN flp.bundle b ON b.name = t.bundle
					WHERE t.bundle = f.bundle AND t.tbl = f.tbl
					  AND (b.kind = 'internal' OR EXISTS (SELECT 1 FROM flp.area_table a WHERE a.tbl = f.tbl)))
	   AND EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = f.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = f.tbl)
	   AND NOT EXISTS (SELECT 1 FROM flp.excluded_field e WHERE e.tbl = f.tbl AND e.field = f.field);
	blocks := blocks || block;
	titles := titles || 'field-level permissions'::text;

	/* seats (before the users who take them), registered users,
	 * assignments, criteria rules, partner bundles, record assignments */
	SELECT string_agg(format(E'\tPERFORM flp.set_seats(%L::flp.license, %s);', s.license, s.seats),
					  E'\n' ORDER BY s.license)
	  INTO block FROM flp.license_seats s;
	blocks := blocks || block;
	titles := titles || 'license seats'::text;
	SELECT string_agg(format(E'\tPERFORM flp.register_user(%L::regrole, %L::flp.license, %L::jsonb, %L);',
							 u.role::text, u.license, u.attributes::text, u.partner),
					  E'\n' ORDER BY u.role::text COLLATE "C")
	  INTO block FROM flp.registered_user u
	 WHERE EXISTS (SELECT 1 FROM pg_roles x WHERE x.oid = u.role)
	   AND (u.partner IS NULL OR EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = u.partner));
	blocks := blocks || block;
	titles := titles || 'registered users'::text;
	SELECT string_agg(format(E'\tPERFORM flp.assign(%L, %L::regrole);', a.bundle, a.role::text),
					  E'\n' ORDER BY a.bundle, a.role::text COLLATE "C")
	  INTO block FROM flp.assignment a
	 WHERE EXISTS (SELECT 1 FROM pg_roles x WHERE x.oid = a.role)
	   AND EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = a.bundle AND b.kind = 'internal' AND NOT b.system);
	blocks := blocks || block;
	titles := titles || 'assignments'::text;
	SELECT string_agg(format(E'\tIF NOT EXISTS (SELECT 1 FROM flp.rule r WHERE r.bundle = %L AND r.criteria = %L::jsonb) THEN\n' ||
							 E'\t\tPERFORM flp.add_rule(%L, %L::jsonb);\n' ||
							 E'\tEND IF;',
							 r.bundle, r.criteria::text, r.bundle, r.criteria::text),
					  E'\n' ORDER BY r.id)
	  INTO block
	  FROM (SELECT min(x.id) AS id, x.bundle, x.criteria FROM flp.rule x
			 WHERE EXISTS (SELECT 1 FROM flp.bundle b
							WHERE b.name = x.bundle AND b.kind = 'internal' AND NOT b.system)
			 GROUP BY x.bundle, x.criteria) r;
	blocks := blocks || block;
	titles := titles || 'criteria rules'::text;
	SELECT string_agg(format(E'\tPERFORM flp.assign_partner_bundle(%L, %L);', p.partner, p.bundle),
					  E'\n' ORDER BY p.partner)
	  INTO block FROM flp.partner_bundle p
	 WHERE EXISTS (SELECT 1 FROM flp.partner x WHERE x.name = p.partner)
	   AND EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = p.bundle AND b.kind = 'partner');
	blocks := blocks || block;
	titles := titles || 'partner bundles'::text;
	SELECT string_agg(format(E'\tPERFORM flp.assign_record(%L, %L::regclass, %L, %L::regrole);',
							 a.partner, a.tbl::text, a.record_key, a.partner_user::text),
					  E'\n' ORDER BY a.partner, a.tbl::text COLLATE "C", a.record_key,
							 a.partner_user::text COLLATE "C" NULLS FIRST)
	  INTO block FROM flp.record_assignment a
	 WHERE EXISTS (SELECT 1 FROM flp.partner_scope s WHERE s.tbl = a.tbl)
	   AND EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = a.tbl)
	   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = a.tbl)
	   AND EXISTS (SELECT 1 FROM flp.partner p WHERE p.name = a.partner)
	   AND (a.partner_user IS NULL
			OR EXISTS (SELECT 1 FROM flp.registered_user u WHERE u.role = a.partner_user AND u.partner = a.partner));
	blocks := blocks || block;
	titles := titles || 'record assignments'::text;

	/* data rules, in the order they were added (flp.add_data_rule checks
	 * each predicate again) */
	SELECT string_agg(format(E'\tIF NOT EXISTS (SELECT 1 FROM flp.data_rule r WHERE r.tbl = %L::regclass\n' ||
							 E'\t\t\t\t   AND r.predicate = %L AND r.access = %L::flp.permission\n' ||
							 E'\t\t\t\t   AND r.bundle IS NOT DISTINCT FROM %L::text) THEN\n' ||
							 E'\t\tPERFORM flp.add_data_rule(%L::regclass, %L, %L::flp.permission, %L::text);\n' ||
							 E'\tEND IF;',
							 r.tbl::text, r.predicate, r.access, r.bundle,
							 r.tbl::text, r.predicate, r.access, r.bundle),
					  E'\n' ORDER BY r.id)
	  INTO block
	  FROM (SELECT min(x.id) AS id, x.tbl, x.predicate, x.access, x.bundle FROM flp.data_rule x
			 WHERE EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl = x.tbl)
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = x.tbl)
			   AND (x.bundle IS NULL OR EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = x.bundle))
			 GROUP BY x.tbl, x.predicate, x.access, x.bundle) r;
	blocks := blocks || block;
	titles := titles || 'data rules'::text;

	/* published report views in force, only where the view has the
	 * definition that was published */
	SELECT string_agg(format(E'\tIF flp_internal.view_definition(%L::regclass) IS DISTINCT FROM %L THEN\n' ||
							 E'\t\tRAISE EXCEPTION ''view %% differs from the view published in the source'', %L USING ERRCODE = ''object_not_in_prerequisite_state'';\n' ||
							 E'\tEND IF;\n' ||
							 E'\tPERFORM flp.publish_view(%L::regclass, %L::text);',
							 p.view::text, p.definition, p.view::text, p.view::text, p.reason),
					  E'\n' ORDER BY p.view::text COLLATE "C")
	  INTO block
	  FROM flp.published_view p
	 WHERE flp_internal.published_view_problem(p.view::oid) IS NULL;
	blocks := blocks || block;
	titles := titles || 'published report views'::text;

	/* a dollar-quote tag that no block contains */
	body := array_to_string(blocks, E'\n');
	WHILE strpos(body, tag) > 0 LOOP
		n := n + 1;
		tag := format('$flp%s$', n);
	END LOOP;

	hashed := EXISTS (SELECT 1 FROM flp.field_mask m WHERE m.mask = 'flp.mask_hash(text)'::regprocedure);
	RETURN concat_ws(E'\n',
		format('-- flp configuration, written by flp.export_config() of flp %s.', version),
		'-- Apply it as a super admin to a database with flp installed and the same roles,',
		'-- tables and mask functions:  psql -v ON_ERROR_STOP=1 -f this-file',
		'-- It runs in one transaction and calls flp''s management functions. Applying it',
		'-- again changes nothing; it adds and updates settings and removes none.',
		'-- Not in it: roles (create them first: the first block names any that are',
		'-- missing), the audit trail, and the key of flp.mask_hash (flp.mask_secret).',
		'-- Hashes made by flp.mask_hash differ from the source''s unless a superuser',
		'-- copies the key; read it in the source with  SELECT secret FROM flp.mask_secret;',
		'-- and set it here by removing the two dashes of the next line:',
		'-- UPDATE flp.mask_secret SET secret = ''<the key of the source database>'';',
		CASE WHEN hashed THEN '-- (flp.mask_hash masks fields of this configuration.)' END,
		'BEGIN;',
		'SET LOCAL search_path = pg_catalog, pg_temp;',
		(SELECT string_agg(format(E'-- %s\nDO %s\n%s%s\n%s;', titles[b.n], tag,
								  CASE WHEN b.n = 1 THEN '' ELSE E'BEGIN\n' END, b.block,
								  CASE WHEN b.n = 1 THEN tag ELSE E'END\n' || tag END),
						   E'\n' ORDER BY b.n)
		   FROM unnest(blocks) WITH ORDINALITY AS b(block, n)
		  WHERE b.block IS NOT NULL),
		'COMMIT;');
END
$$;
COMMENT ON FUNCTION flp.export_config() IS
	'the whole flp configuration as an SQL script of management-function calls that recreates it (roles, the audit trail and flp.mask_hash''s key left out); applying it again changes nothing';

REVOKE ALL ON FUNCTION flp.export_config() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp.export_config() TO flp_admin;

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp_internal.preview_snapshot(names text[]) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH roles AS (SELECT r.oid::regrole AS r FROM pg_roles r WHERE r.rolname = ANY (names))
	SELECT coalesce(jsonb_agg(jsonb_build_array(x.role, x.tbl, x.field, x.value)), '[]')
	  FROM (SELECT roles.r::text AS role, e.tbl::text AS tbl, e.field::text AS field,
				   e.permission::text AS value
			  FROM roles, flp.effective_permissions(roles.r) e
		  UNION ALL
			SELECT roles.r::text, g.tbl::text, NULL, flp_internal.row_access(roles.r, g.tbl)
			  FROM roles, flp.governed_table g) x
$$;
COMMENT ON FUNCTION flp_internal.preview_snapshot(text[]) IS
	'internal: effective field permissions and row access of roles, for flp.preview_change';

CREATE OR REPLACE FUNCTION flp_internal.preview_roles(also text[] DEFAULT '{}') RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(array_agg(DISTINCT n ORDER BY n), '{}')
	  FROM (SELECT r::text AS n FROM unnest(flp_internal.matrix_roles()) r
		  UNION
			SELECT x.rolname::text FROM pg_roles x
			 WHERE x.rolcanlogin AND x.rolname !~ '^pg_'
			   AND EXISTS (SELECT 1 FROM flp.governed_table g
							WHERE has_table_privilege(x.oid, g.tbl, 'SELECT'))
		  UNION
			SELECT a FROM unnest(also) a) s
$$;
COMMENT ON FUNCTION flp_internal.preview_roles(text[]) IS
	'internal: the names of the roles flp.preview_change compares';

CREATE OR REPLACE FUNCTION flp_internal.preview_check(sql text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF sql IS NULL THEN
		RAISE EXCEPTION 'sql must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF btrim(sql, E' \t\n\r') = '' THEN
		RAISE EXCEPTION 'sql must not be empty' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Pass the management calls to preview, e.g. ''SELECT flp.assign(Sales, ann)''.';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.preview_check(text) IS
	'internal: the statements of a change to preview are neither NULL nor empty';

CREATE OR REPLACE FUNCTION flp_internal.preview_diff(before_snap jsonb, after_snap jsonb)
	RETURNS TABLE (role text, tbl text, field name, before text, after text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH b AS (SELECT x->>0 AS role, x->>1 AS tbl, x->>2 AS field, x->>3 AS value
				 FROM jsonb_array_elements(before_snap) x),
		 a AS (SELECT x->>0 AS role, x->>1 AS tbl, x->>2 AS field, x->>3 AS value
				 FROM jsonb_array_elements(after_snap) x)
	SELECT coalesce(a.role, b.role), coalesce(a.tbl, b.tbl), coalesce(a.field, b.field)::name,
		   b.value, a.value
	  FROM b FULL JOIN a ON a.role = b.role AND a.tbl = b.tbl
						AND a.field IS NOT DISTINCT FROM b.field
	 WHERE a.value IS DISTINCT FROM b.value
	 ORDER BY 1, 2, 3 NULLS FIRST
$$;
COMMENT ON FUNCTION flp_internal.preview_diff(jsonb, jsonb) IS
	'internal: how two snapshots of flp_internal.preview_snapshot differ';

REVOKE ALL ON FUNCTION flp_internal.row_access(regrole, regclass), flp_internal.preview_snapshot(text[]),
	flp_internal.run_script(text), flp_internal.matrix_roles(), flp_internal.preview_roles(text[]),
	flp_internal.preview_check(text), flp_internal.preview_diff(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.row_access(regrole, regclass), flp_internal.preview_snapshot(text[]),
	flp_internal.run_script(text), flp_internal.matrix_roles(), flp_internal.preview_roles(text[]),
	flp_internal.preview_check(text), flp_internal.preview_diff(jsonb, jsonb) TO flp_admin;

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp.column_permissions(rel regclass)
	RETURNS TABLE (field name, permission flp.permission, masked boolean, read_only boolean,
				   refused_in_filters boolean)
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
	SELECT a.attname, p.permission, p.permission = 'hide', p.permission < 'edit',
		   p.permission = 'hide'
	  FROM pg_attribute a,
		   LATERAL flp.effective(rel, a.attname) AS p(permission)
	 WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
	 ORDER BY a.attnum
$$;
COMMENT ON FUNCTION flp.column_permissions(regclass) IS
	'the current user''s permission of each column of a table or view (a view''s: the least of the governed fields it is computed from): masked, read-only, refused in filters';

GRANT EXECUTE ON FUNCTION flp.column_permissions(regclass) TO PUBLIC;

/* ----------------------------- 62-report-views: published report views */


/*
 * A published view is evaluated with its owner's field permissions: what it
 * computes from hidden fields (a total, a filter, a grouping) is shown to
 * every reader as ordinary readable columns, while its rows still follow the
 * reader's row rules.  Publishing approves one definition by one owner: the
 * definition (as pg_get_viewdef writes it with every name qualified) and the
 * owner's name are kept, and a view whose definition or owner changed since
 * is evaluated with the reader's field permissions again until it is
 * published anew.
 */
CREATE TABLE flp.published_view (
	view regclass PRIMARY KEY,
	owner name NOT NULL,
	definition text NOT NULL,
	reason text,
	published_by name NOT NULL DEFAULT current_user,
	published_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE flp.published_view IS
	'views published as report views: evaluated with their owner''s field permissions (see flp.publish_view)';
COMMENT ON COLUMN flp.published_view.view IS 'the view published';
COMMENT ON COLUMN flp.published_view.reason IS 'why it was published, as the publisher said';
COMMENT ON COLUMN flp.published_view.published_by IS 'who published it';
COMMENT ON COLUMN flp.published_view.published_at IS 'when it was published (last)';
COMMENT ON COLUMN flp.published_view.owner IS 'the view''s owner when it was published';
COMMENT ON COLUMN flp.published_view.definition IS 'the definition published (flp_internal.view_definition)';
SELECT pg_catalog.pg_extension_config_dump('flp.published_view', '');
REVOKE ALL ON flp.published_view FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON flp.published_view TO flp_admin;
CREATE TRIGGER flp_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON flp.published_view FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.catalog_changed();

/* A view's definition as publishing compares it: every name qualified. */
CREATE FUNCTION flp_internal.view_definition(view oid) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_view_definition_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp_internal.view_definition(oid) IS
	'internal: the definition of a view as publishing compares it (pg_get_viewdef with every name qualified)';
REVOKE ALL ON FUNCTION flp_internal.view_definition(oid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.view_definition(oid) TO flp_admin;

/* Why a published view is not in force, or NULL when it is. */
CREATE FUNCTION flp_internal.published_view_problem(view oid, code_only boolean DEFAULT false) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_published_view_problem_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp_internal.published_view_problem(oid, boolean) IS
	'internal: why a view cannot be (or is no longer) in force as published, or NULL';
REVOKE ALL ON FUNCTION flp_internal.published_view_problem(oid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.published_view_problem(oid, boolean) TO flp_admin;

CREATE OR REPLACE FUNCTION flp.publish_view(view regclass, reason text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	kind "char";
	problem text;
	def text;
	own name;
BEGIN
	PERFORM flp_internal.require_super_admin('publish a view');
	PERFORM flp_internal.require_not_null(view, 'view');
	SELECT c.relkind, pg_get_userbyid(c.relowner) INTO kind, own FROM pg_class c WHERE c.oid = view;
	IF kind IS DISTINCT FROM 'v' THEN
		RAISE EXCEPTION '"%" is not a view', view
			USING ERRCODE = 'wrong_object_type',
				  HINT = CASE WHEN kind = 'm'
							  THEN 'A materialized view already shows what its owner computed; it needs no publishing.'
							  ELSE 'Only views can be published.' END;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = view AND c.relpersistence = 't') THEN
		RAISE EXCEPTION 'view "%" is temporary and cannot be published', view
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Publish a permanent view: a temporary one ends with its session.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE c.oid = view AND n.nspname IN ('pg_catalog', 'information_schema', 'flp')) THEN
		RAISE EXCEPTION 'view "%" belongs to PostgreSQL or flp and cannot be published', view
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Publish a report view of your own schema.';
	END IF;
	problem := flp_internal.published_view_problem(view::oid, true);
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'view "%" cannot be published', view
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = upper(left(problem, 1)) || substr(problem, 2) || '.',
				  HINT = 'A published view runs only functions a superuser owns that do not resolve names through the reader''s search_path, reads only views of its owner or of a super admin, and reads tables with row-level security only of a super admin.';
	END IF;
	def := flp_internal.view_definition(view::oid);
	INSERT INTO flp.published_view AS p (view, owner, definition, reason)
	VALUES (view, own, def, reason)
	ON CONFLICT ON CONSTRAINT published_view_pkey DO UPDATE
	   SET owner = excluded.owner, definition = excluded.definition, reason = excluded.reason,
		   published_by = current_user, published_at = now()
	 WHERE (p.owner, p.definition, p.reason) IS DISTINCT FROM (excluded.owner, excluded.definition, excluded.reason);
	RETURN format('view %s published: readers see what it computes with the field permissions of its owner %I%s',
				  view, own, CASE WHEN FOUND THEN '' ELSE ' (no change)' END);
END
$$;
COMMENT ON FUNCTION flp.publish_view(regclass, text) IS
	'publishes a view as a report view: evaluated with its owner''s field permissions, its columns readable by every reader; rows follow the reader''s row rules';

CREATE OR REPLACE FUNCTION flp.unpublish_view(view regclass) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unpublish a view');
	PERFORM flp_internal.require_not_null(view, 'view');
	DELETE FROM flp.published_view p WHERE p.view = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'view "%" is not published', view
			USING ERRCODE = 'undefined_object',
				  HINT = 'flp.published_views lists the published views.';
	END IF;
	RETURN format('view %s unpublished: readers'' own field permissions apply inside it again', view);
END
$$;
COMMENT ON FUNCTION flp.unpublish_view(regclass) IS
	'unpublishes a report view: it is evaluated with each reader''s field permissions again';

CREATE VIEW flp.published_views AS
SELECT p.view, p.owner, p.reason, p.published_by, p.published_at,
	   s.problem IS NULL AS in_force,
	   coalesce(s.problem, 'published') AS state
  FROM flp.published_view p
 CROSS JOIN LATERAL (SELECT flp_internal.published_view_problem(p.view::oid) AS problem) s;
COMMENT ON VIEW flp.published_views IS
	'published report views, and whether each is in force (a changed definition or owner, or untrusted code, lapses it)';
REVOKE ALL ON flp.published_views FROM PUBLIC;
GRANT SELECT ON flp.published_views TO flp_admin;
CREATE TRIGGER flp_audit AFTER INSERT OR UPDATE OR DELETE ON flp.published_view
	FOR EACH ROW EXECUTE FUNCTION flp_internal.audit();
CREATE TRIGGER flp_audit_truncate AFTER TRUNCATE ON flp.published_view
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.audit();

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp_internal.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	obj record;
	used text;
BEGIN
	FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects()
			   WHERE object_type IN ('table', 'table column', 'view')
	LOOP
		IF obj.object_type = 'view' THEN
			DELETE FROM flp.published_view p WHERE p.view::oid = obj.objid;
		ELSIF obj.object_type = 'table' THEN
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
COMMENT ON FUNCTION flp_internal.on_sql_drop() IS
	'event trigger: removes the catalog rows of dropped governed tables and columns, and of dropped published views';

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp_internal.loaded() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_loaded' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.loaded() IS
	'internal: true; calling it loads the library, which refuses unless preloaded';

CREATE OR REPLACE FUNCTION flp_internal.preload_setting() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT substr(cfg, length('session_preload_libraries=') + 1)
	  FROM pg_db_role_setting s, unnest(s.setconfig) cfg
	 WHERE s.setdatabase = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
	   AND s.setrole = 0 AND cfg LIKE 'session_preload_libraries=%'
$$;
COMMENT ON FUNCTION flp_internal.preload_setting() IS
	'internal: the database''s own session_preload_libraries setting';

CREATE OR REPLACE FUNCTION flp_internal.set_preload(add boolean) RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.catalog_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_catalog_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.catalog_changed() IS
	'trigger: at commit, tells every session (and hot standbys) that the flp catalog changed';

CREATE OR REPLACE FUNCTION flp_internal.governed_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_governed_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.governed_changed() IS
	'trigger: invalidates the plans of a table that starts or stops being governed';

CREATE OR REPLACE FUNCTION flp_internal.require_super_admin(action text) RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.tree(tbl regclass) RETURNS SETOF regclass
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

CREATE OR REPLACE FUNCTION flp_internal.ancestors(tbl regclass) RETURNS SETOF regclass
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

CREATE OR REPLACE FUNCTION flp_internal.guard(tbl regclass) RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.unguard(tbl regclass) RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.unguard_all() RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.govern_detached(tbl regclass, parent regclass) RETURNS void
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

CREATE OR REPLACE FUNCTION flp_internal.check_governed_table() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'INSERT' OR NEW.tbl IS DISTINCT FROM OLD.tbl THEN
		PERFORM flp_internal.require_governable(NEW.tbl);
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp_internal.check_governed_table() IS
	'internal trigger: a governed table stored by direct DML passes flp.protect()''s checks';

CREATE OR REPLACE FUNCTION flp.unprotect(tbl regclass) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	linked regclass[];
BEGIN
	PERFORM flp_internal.require_super_admin('stop governing a table');
	PERFORM flp_internal.require_governed(tbl);
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
	PERFORM flp_internal.unguard(tbl);
	PERFORM flp_internal.compile_policies(c) FROM unnest(linked) c;
	RETURN format('table %s is no longer governed', tbl);
END
$$;
COMMENT ON FUNCTION flp.unprotect(regclass) IS
	'stops governing a table and forgets every setting of it (excluded fields, masks, permissions)';

CREATE OR REPLACE FUNCTION flp_internal.same_kind(a oid, b oid) RETURNS boolean
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
COMMENT ON FUNCTION flp_internal.same_kind(oid, oid) IS
	'internal: whether a mask function''s type fits a field''s type';

CREATE OR REPLACE FUNCTION flp_internal.replace_secret() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM flp.mask_secret;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp_internal.replace_secret() IS
	'internal trigger: a new key replaces the old one (pg_restore loads the dumped key)';

CREATE OR REPLACE FUNCTION flp_internal.require_trusted_function(fn regprocedure, what text) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_require_trusted_function_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.require_trusted_function(regprocedure, text) IS
	'internal: refuses a function that may not run on hidden values in subjects'' sessions (owned by a superuser, not volatile, no name resolution through search_path)';

CREATE OR REPLACE FUNCTION flp_internal.ref_check() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_ref_check' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.ref_check() IS
	'internal: trigger of a reference between catalog tables (the referenced row must exist)';

CREATE OR REPLACE FUNCTION flp_internal.ref_action() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_ref_action' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.ref_action() IS
	'internal: trigger of a reference between catalog tables (cascade or refuse a change of the referenced row)';

CREATE OR REPLACE FUNCTION flp_internal.record_visible_key(tbl regclass, record_key anyelement) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_record_visible_key' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp_internal.record_visible_key(regclass, anyelement) IS
	'internal: flp.record_visible(tbl, record_key::text) for a key converted to text by its output function';

CREATE OR REPLACE FUNCTION flp_internal.assignments_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_assignments_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.assignments_changed() IS
	'trigger: at commit, tells every session that record assignments changed';

CREATE OR REPLACE FUNCTION flp_internal.eval_rule(tbl regclass, key_field name, record_key text, predicate text,
							   role regrole) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_eval_rule' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.eval_rule(regclass, name, text, text, regrole) IS
	'internal: a data rule''s predicate on one row, with flp.attribute() answering for a role';

CREATE OR REPLACE FUNCTION flp_internal.check_data_rule() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_check_data_rule' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.check_data_rule() IS
	'internal trigger: a data rule''s predicate must be one boolean expression over the row, of trusted functions';

CREATE OR REPLACE FUNCTION flp_internal.create_data_policies(rel regclass, root regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_create_data_policies' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.create_data_policies(regclass, regclass) IS
	'internal: creates the flp_data_* policies of root''s data rules on rel, from the predicates'' parse trees';

CREATE OR REPLACE FUNCTION flp_internal.record_key_field(tbl regclass) RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(
		(SELECT s.key_field FROM flp.partner_scope s WHERE s.tbl = $1),
		(SELECT a.attname
		   FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		  WHERE i.indrelid = $1 AND i.indisprimary AND i.indnkeyatts = 1))
$$;
COMMENT ON FUNCTION flp_internal.record_key_field(regclass) IS
	'internal: the field that identifies a record of a governed table';

CREATE OR REPLACE FUNCTION flp_internal.on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM flp_internal.loaded();
END
$$;
COMMENT ON FUNCTION flp_internal.on_ddl_end() IS
	'event trigger: makes table DDL fail where the flp library is not loaded';

CREATE OR REPLACE FUNCTION flp_internal.untrusted_reason(fn regprocedure, allow_volatile boolean) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_untrusted_reason_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp_internal.untrusted_reason(regprocedure, boolean) IS
	'internal: why flp would not run a function on hidden values (NULL: it would); allow_volatile for triggers, defaults and constraints';

CREATE OR REPLACE FUNCTION flp_internal.code_risks(tbl regclass)
	RETURNS TABLE (kind text, object text, risk text, fix text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH code(kind, object, fn) AS (
		SELECT 'constraint function', format('constraint %I of %s', c.conname, c.conrelid::regclass),
			   d.refobjid
		  FROM pg_constraint c JOIN pg_depend d
			ON d.classid = 'pg_constraint'::regclass AND d.objid = c.oid
		   AND d.refclassid = 'pg_proc'::regclass
		 WHERE c.conrelid IN (SELECT flp_internal.tree($1))
	  UNION ALL
		SELECT 'default or generated column function',
			   format('column %I of %s', a.attname, ad.adrelid::regclass), d.refobjid
		  FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
		  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
		   AND d.refclassid = 'pg_proc'::regclass
		 WHERE ad.adrelid IN (SELECT flp_internal.tree($1))
	  UNION ALL
		SELECT 'trigger function', format('trigger %I of %s', t.tgname, t.tgrelid::regclass), t.tgfoid
		  FROM pg_trigger t WHERE t.tgrelid IN (SELECT flp_internal.tree($1)) AND NOT t.tgisinternal
	  UNION ALL
		SELECT 'policy function', format('policy %I of %s', p.polname, p.polrelid::regclass), d.refobjid
		  FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
		   AND d.refclassid = 'pg_proc'::regclass
		 WHERE p.polrelid IN (SELECT flp_internal.tree($1))
	  UNION ALL
		/* operators a policy uses run their functions; casts to a domain run its CHECKs */
		SELECT 'policy function', format('policy %I of %s', p.polname, p.polrelid::regclass), o.oprcode
		  FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
		   AND d.refclassid = 'pg_operator'::regclass
		  JOIN pg_operator o ON o.oid = d.refobjid
		 WHERE p.polrelid IN (SELECT flp_internal.tree($1))
	  UNION ALL
		SELECT 'policy function', format('policy %I of %s (domain %s)', p.polname, p.polrelid::regclass,
										 d.refobjid::regtype), cd.refobjid
		  FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
		   AND d.refclassid = 'pg_type'::regclass
		  JOIN pg_constraint c ON c.contypid = d.refobjid
		  JOIN pg_depend cd ON cd.classid = 'pg_constraint'::regclass AND cd.objid = c.oid
		   AND cd.refclassid = 'pg_proc'::regclass
		 WHERE p.polrelid IN (SELECT flp_internal.tree($1))
	  UNION ALL
		SELECT 'mask function', format('mask of field %I of %s', m.field, m.tbl), m.mask
		  FROM flp.field_mask m WHERE m.tbl = $1
	)
	SELECT c.kind, c.object,
		   format('%s runs on real values in the sessions that use the table, and %s',
				  c.fn::regprocedure, flp_internal.untrusted_reason(c.fn::regprocedure, c.kind <> 'mask function')),
		   CASE WHEN c.kind = 'mask function'
				THEN 'Until it is fixed flp shows the default mask instead. Have a superuser own it, declare it STABLE or IMMUTABLE, and give it SET search_path or a SQL-standard body.'
				ELSE 'Have a superuser own it, and give it SET search_path = pg_catalog (or a SQL-standard body).' END
	  FROM code c
	 WHERE flp_internal.untrusted_reason(c.fn::regprocedure, c.kind <> 'mask function') IS NOT NULL
$$;
COMMENT ON FUNCTION flp_internal.code_risks(regclass) IS
	'internal: functions that run on a governed table''s real values and that flp would not trust';

CREATE OR REPLACE FUNCTION flp_internal.refuse_untrusted_policies(tbl regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	r record;
BEGIN
	SELECT * INTO r FROM flp_internal.code_risks(tbl) k WHERE k.kind = 'policy function' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'table "%" has row-level security policies whose code flp does not trust', tbl
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('%s: %s. Every subject that reads the table would run it.', r.object, r.risk),
				  HINT = r.fix;
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.refuse_untrusted_policies(regclass) IS
	'internal: raises 42501 when a governed table has policies whose code flp does not trust';

CREATE OR REPLACE FUNCTION flp.security_check()
	RETURNS TABLE (kind text, object text, risk text, fix text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM flp_internal.require_super_admin('run the security check');
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
	 WHERE c.oid IN (SELECT flp_internal.tree(g.tbl)) AND a.privilege_type IN ('TRIGGER', 'REFERENCES', 'MAINTAIN')
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
	 WHERE c.oid IN (SELECT flp_internal.tree(g.tbl)) AND a.privilege_type IN ('TRIGGER', 'REFERENCES', 'MAINTAIN')
	   AND a.grantee = 0
	UNION ALL
	SELECT 'owner', format('%s owned by %s', c.oid::regclass, c.relowner::regrole),
		   'an owner can change or drop the table, its triggers and its rules, and reads it unmasked through them',
		   format('ALTER TABLE %s OWNER TO <an administrator role>;', c.oid::regclass)
	  FROM flp.governed_table g
	  JOIN pg_class c ON c.oid IN (SELECT flp_internal.tree(g.tbl))
	 WHERE NOT flp.is_super_admin(c.relowner::regrole)
	UNION ALL
	SELECT k.kind, k.object, k.risk, k.fix
	  FROM flp.governed_table g, LATERAL flp_internal.code_risks(g.tbl) k
	UNION ALL
	SELECT DISTINCT 'default function', format('column %I of %s', a.attname, ad.adrelid::regclass),
		   format('its default calls %s: a sequence that function draws from is not recognised as filling the field, so roles it is hidden from may learn its values through that sequence', d.refobjid::regprocedure),
		   'Use a column default nextval(...) or an identity column (flp refuses their sequences to the roles the field is hidden from), or grant no privilege on the function''s sequences.'
	  FROM flp.governed_table g
	  JOIN pg_attrdef ad ON ad.adrelid IN (SELECT flp_internal.tree(g.tbl))
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
	  JOIN pg_index i ON i.indrelid IN (SELECT flp_internal.tree(g.tbl)) AND i.indpred IS NOT NULL
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
	  JOIN pg_class c ON c.oid IN (SELECT flp_internal.tree(g.tbl)) AND c.relkind = 'p'
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

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp_internal.was(before anyelement, after anyelement) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN before IS NULL THEN '' WHEN before = after THEN ' (no change)'
				ELSE format(' (was %s)', before) END
$$;
COMMENT ON FUNCTION flp_internal.was(anyelement, anyelement) IS
	'internal: the end of a management function''s answer: " (was ...)", " (no change)" or nothing for a new setting';
REVOKE ALL ON FUNCTION flp_internal.was(anyelement, anyelement) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.was(anyelement, anyelement) TO flp_admin;

/* -------------------------------------------- functions changed since (sync) */

CREATE OR REPLACE FUNCTION flp_internal.check_tree(tbl regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_check_tree_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.check_tree(regclass) IS
	'internal: refuses a governed tree whose partitions or children have a parent outside it, or compute a generated column from a column the governed table does not';
REVOKE ALL ON FUNCTION flp_internal.check_tree(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.check_tree(regclass) TO flp_admin;

/* ------------------------------------------------------------------ last */

/* every governed table's policies as 0.2.0 compiles them: inheritance rules
 * where data rules restrict a parent, and no bundle name a rename left
 * behind */
SELECT flp_internal.compile_policies(g.tbl) FROM flp.governed_table g;
