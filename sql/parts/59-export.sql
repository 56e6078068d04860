-- sql/parts/59-export.sql: part of the install script (see the Makefile).
-- flp.export_config(): the whole configuration as an SQL script that
-- recreates it with the management functions, for another database or for
-- version control.
/* --------------------------------------------------------------- export */

/*
 * The script is one text (psql -Atc 'SELECT flp.export_config()' >config.sql
 * writes it as it is): BEGIN, a block that checks that every role, table and
 * mask function it names exists (roles are the cluster's, tables the
 * database's: flp creates neither), one block per kind of setting calling the
 * management functions, COMMIT.  Applying it again changes nothing: the
 * functions that set a value set it again (flp.protect, flp.set_permission,
 * flp.register_user ...), and the three that would add a second copy
 * (flp.create_bundle, flp.add_rule, flp.add_data_rule) run only when no
 * equal bundle, rule or data rule exists (equal rules are written once).
 * A bundle's description, which no management function sets, is set by an
 * UPDATE of flp.bundle, as a super admin may.  A bundle of the same name but
 * another kind or license is an error: flp cannot change them.  The script
 * adds and updates, and removes nothing: settings of the target that the
 * export does not name stay.
 *
 * Every name and value is an SQL literal (format %L, regclass and regrole
 * text made with search_path pg_catalog, so schema-qualified), never an
 * identifier or a comment: a crafted bundle name, table name or data-rule
 * predicate stays data.  The blocks are dollar-quoted with a tag that
 * appears nowhere in them.  flp.mask_hash's key (flp.mask_secret) is not
 * exported (a comment says how to copy it), nor the audit trail, the
 * guarded relations (flp.protect makes them) or the role of super admins.
 * Rows naming a role or table that no longer exists are left out.
 */
CREATE FUNCTION flp.export_config() RETURNS text
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
