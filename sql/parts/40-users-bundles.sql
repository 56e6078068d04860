-- sql/parts/40-users-bundles.sql: part of the install script (see the Makefile).
-- Users (licenses, seats), partners, bundles and their permissions,
-- assignments, criteria rules, and the introspection functions
-- (flp.effective, flp.explain, flp.preview, flp.attribute ...).
/* ---------------------------------------------------------------- users */

CREATE FUNCTION flp.register_user(role regrole, license flp.license DEFAULT 'full',
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

CREATE FUNCTION flp.unregister_user(role regrole) RETURNS text
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

CREATE FUNCTION flp.set_seats(license flp.license, seats integer) RETURNS text
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

CREATE FUNCTION flp.add_partner(name text, company_key text DEFAULT NULL) RETURNS text
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

CREATE FUNCTION flp.drop_partner(name text) RETURNS text
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

/* -------------------------------------------------------------- bundles */

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


CREATE FUNCTION flp.create_bundle(name text, kind flp.bundle_kind DEFAULT 'internal',
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

CREATE FUNCTION flp.drop_bundle(name text) RETURNS text
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

CREATE FUNCTION flp.rename_bundle(name text, new_name text) RETURNS text
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

CREATE FUNCTION flp.clone_bundle(name text, new_name text, description text DEFAULT NULL)
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

CREATE FUNCTION flp.set_permission(bundle text, tbl regclass, field name, permission flp.permission)
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

CREATE FUNCTION flp.set_permission(bundle text, tbl regclass, fields name[], permission flp.permission)
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

CREATE FUNCTION flp.clear_permission(bundle text, tbl regclass, field name DEFAULT NULL)
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

/*
 * A notice when an assignment gives a role (or members of a group role)
 * nothing: the bundle is for another license, the user works for a partner,
 * or the role is a super admin.
 */
CREATE FUNCTION flp_internal.notice_ineffective(b flp.bundle, role regrole) RETURNS void
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

CREATE FUNCTION flp.assign(bundle text, role regrole) RETURNS text
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

CREATE FUNCTION flp.unassign(bundle text, role regrole) RETURNS text
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

CREATE FUNCTION flp.add_rule(bundle text, criteria jsonb) RETURNS bigint
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

CREATE FUNCTION flp.drop_rule(id bigint) RETURNS text
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

CREATE FUNCTION flp.attribute(key text) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_attribute' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp.attribute(text) IS
	'the current user''s registered attribute (NULL when absent), for use in data-rule predicates';


