-- sql/parts/58-overview.sql: part of the install script (see the Makefile).
-- The configuration at a glance: what each bundle gives each field and why,
-- who holds each bundle, the effective permissions of many roles at once,
-- and what is restricted for the current user.
/* -------------------------------------------------------------- overview */

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
CREATE FUNCTION flp.permission_matrix(roles regrole[] DEFAULT NULL)
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

/*
 * What the current user may do with each column of a table or view -- for
 * BI tools, which ask before they filter or group.  A view's column has the
 * least permission of the governed fields it is computed from (flp.effective).
 */
CREATE FUNCTION flp.column_permissions(rel regclass)
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
 * What the configuration gives roles (by name; names of roles that do not
 * exist are skipped), as rows (role, table, field, value) of a jsonb array:
 * every field's effective permission, and per table the rows (field NULL).
 * By name, so that it compares across a rollback.
 */
CREATE FUNCTION flp_internal.preview_snapshot(names text[]) RETURNS jsonb
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

/*
 * The roles a change may concern, by name: those of flp_internal.matrix_roles, and
 * every role that can log in and read a governed table (no bundle needed to
 * be a subject: the table default applies, and a first data rule hides
 * rows); with the names in also.
 */
CREATE FUNCTION flp_internal.preview_roles(also text[] DEFAULT '{}') RETURNS text[]
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

/* The statements of a change to preview: not NULL, not empty. */
CREATE FUNCTION flp_internal.preview_check(sql text) RETURNS void
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

/* The rows of two snapshots that differ: (role, table, field, before, after). */
CREATE FUNCTION flp_internal.preview_diff(before_snap jsonb, after_snap jsonb)
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

CREATE FUNCTION flp_internal.run_script(sql text) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_run_script' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.run_script(text) IS
	'internal: runs the statements of a text in the current transaction, for flp.preview_change';

/*
 * Preview a change: run its statements in a subtransaction, note what every
 * concerned role (flp_internal.preview_roles, before and after) may do with every
 * field and which rows it sees, roll back, and return the differences.
 * Nothing of the change remains -- not even in the audit log -- except
 * what no rollback undoes (sequence values: data rule ids).  It has no
 * search_path of its own, so that the statements resolve names as the
 * caller's session does; its body calls only flp's functions, by schema.
 */
CREATE FUNCTION flp.preview_change(sql text)
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

REVOKE ALL ON FUNCTION flp_internal.row_access(regrole, regclass), flp_internal.preview_snapshot(text[]),
	flp_internal.run_script(text), flp_internal.matrix_roles(), flp_internal.preview_roles(text[]),
	flp_internal.preview_check(text), flp_internal.preview_diff(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.row_access(regrole, regclass), flp_internal.preview_snapshot(text[]),
	flp_internal.run_script(text), flp_internal.matrix_roles(), flp_internal.preview_roles(text[]),
	flp_internal.preview_check(text), flp_internal.preview_diff(jsonb, jsonb) TO flp_admin;
