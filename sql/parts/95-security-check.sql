-- sql/parts/95-security-check.sql: part of the install script (see the Makefile).
-- The security check: code flp would not trust on governed tables, and
-- flp.security_check(), what can read around flp in this database.
/* -------------------------------------------------- the security check */

CREATE FUNCTION flp_internal.untrusted_reason(fn regprocedure, allow_volatile boolean) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_untrusted_reason_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp_internal.untrusted_reason(regprocedure, boolean) IS
	'internal: why flp would not run a function on hidden values (NULL: it would); allow_volatile for triggers, defaults and constraints';
REVOKE ALL ON FUNCTION flp_internal.untrusted_reason(regprocedure, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.untrusted_reason(regprocedure, boolean) TO flp_admin;

/*
 * Functions that run on the real values of a governed table in whatever
 * session writes or reads it: those of its CHECK constraints, defaults,
 * generated columns, triggers and policies, and its masks.  One row each
 * that flp would not trust (see flp_internal.require_trusted_function).
 */
CREATE FUNCTION flp_internal.code_risks(tbl regclass)
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
REVOKE ALL ON FUNCTION flp_internal.code_risks(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.code_risks(regclass) TO flp_admin;

/*
 * Policies of a governed table run in the sessions of every subject that
 * reads it -- partner users reading a linked child read its parent too.  A
 * role that is not a superuser may not give a governed table policies whose
 * code flp does not trust (checked after CREATE and ALTER POLICY by flp's
 * ProcessUtility hook, and by flp.protect and flp.link_records).
 */
CREATE FUNCTION flp_internal.refuse_untrusted_policies(tbl regclass) RETURNS void
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
REVOKE ALL ON FUNCTION flp_internal.refuse_untrusted_policies(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.refuse_untrusted_policies(regclass) TO flp_admin;

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

