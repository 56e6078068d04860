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
 * The effective permission of every field of every governed table for each
 * of roles; NULL: every registered role, every role a bundle is assigned to,
 * and every role that can log in and is a member of one.
 */
CREATE FUNCTION flp.permission_matrix(roles regrole[] DEFAULT NULL)
	RETURNS TABLE (role regrole, tbl regclass, field name, permission flp.permission)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('read the permissions of other roles');
	IF roles IS NULL THEN
		WITH RECURSIVE held(r) AS (
			SELECT u.role::oid FROM flp.registered_user u
		  UNION
			SELECT a.role::oid FROM flp.assignment a
		  UNION
			SELECT m.member FROM pg_auth_members m JOIN held h ON m.roleid = h.r
		)
		SELECT array_agg(h.r::regrole ORDER BY h.r::regrole::text) INTO roles
		  FROM held h JOIN pg_roles x ON x.oid = h.r
		 WHERE (x.rolcanlogin OR EXISTS (SELECT 1 FROM flp.registered_user u WHERE u.role = h.r)
				OR EXISTS (SELECT 1 FROM flp.assignment a WHERE a.role = h.r));
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
