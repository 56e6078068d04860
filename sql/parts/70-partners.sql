-- sql/parts/70-partners.sql: part of the install script (see the Makefile).
-- Partner areas and partner bundles, partner scope and record assignments,
-- inheritance rules between records, data rules, and flp.explain_record.
/* ------------------------------------------------------------ partners */

CREATE FUNCTION flp.define_area(area text, tables regclass[]) RETURNS text
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

CREATE FUNCTION flp.assign_partner_bundle(partner text, bundle text) RETURNS text
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

CREATE FUNCTION flp.partner_scope(tbl regclass, key_field name) RETURNS text
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

CREATE FUNCTION flp_internal.require_scope(partner text, tbl regclass, partner_user regrole) RETURNS void
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

/* A record key: not NULL (22004), short enough for the catalog's index (22023). */
CREATE FUNCTION flp_internal.require_record_key(record_key text) RETURNS void
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
REVOKE ALL ON FUNCTION flp_internal.require_record_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.require_record_key(text) TO flp_admin;

CREATE FUNCTION flp.assign_record(partner text, tbl regclass, record_key text,
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

CREATE FUNCTION flp.unassign_record(partner text, tbl regclass, record_key text,
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

CREATE FUNCTION flp.link_records(child regclass, fk_field name, parent regclass) RETURNS text
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

CREATE FUNCTION flp.unlink_records(child regclass) RETURNS text
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

CREATE FUNCTION flp.unscope(tbl regclass) RETURNS text
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

/* -------------------------------------------------------- data rules */

CREATE FUNCTION flp.add_data_rule(tbl regclass, predicate text, access flp.permission DEFAULT 'read',
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

CREATE FUNCTION flp.drop_data_rule(id bigint) RETURNS text
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

/* ------------------------------------------------- explaining records */

/* The record key field of a governed table: its scope key, or its one-column primary key. */
CREATE FUNCTION flp_internal.record_key_field(tbl regclass) RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(
		(SELECT s.key_field FROM flp.partner_scope s WHERE s.tbl = $1),
		(SELECT a.attname
		   FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		  WHERE i.indrelid = $1 AND i.indisprimary AND i.indnkeyatts = 1))
$$;
COMMENT ON FUNCTION flp_internal.record_key_field(regclass) IS
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

