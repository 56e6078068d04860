-- test/upgrade/schema.sql -- everything the flp extension consists of in the
-- current database, one line per fact, sorted: its member objects, each
-- function's full definition and privileges, each table's columns,
-- constraints, indexes, triggers, policies and privileges, views, types,
-- comments, event triggers and what pg_dump dumps of its tables.
-- test/shell/67-upgrade.sh compares this listing of a database upgraded with
-- ALTER EXTENSION flp UPDATE with that of a fresh install.
\pset format unaligned
\pset tuples_only on
\pset pager off

WITH ext AS (
	SELECT oid, extversion, extconfig, extcondition FROM pg_extension WHERE extname = 'flp'
), members AS (
	SELECT d.classid, d.objid, d.objsubid
	  FROM pg_depend d, ext
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), facts(fact) AS (
	SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM members
  UNION ALL
	SELECT 'function ' || p.oid::regprocedure || E'\n' || pg_get_functiondef(p.oid)
	  FROM pg_proc p WHERE p.oid IN (SELECT objid FROM members WHERE classid = 'pg_proc'::regclass)
	   AND p.prokind <> 'a'
  UNION ALL
	SELECT 'function acl ' || p.oid::regprocedure || ' ' || coalesce(p.proacl::text, '(default)')
	  FROM pg_proc p WHERE p.oid IN (SELECT objid FROM members WHERE classid = 'pg_proc'::regclass)
  UNION ALL
	SELECT format('relation %s kind %s rls %s force %s acl %s options %s', c.oid::regclass, c.relkind,
				  c.relrowsecurity, c.relforcerowsecurity, coalesce(c.relacl::text, '(default)'),
				  coalesce(c.reloptions::text, '-'))
	  FROM pg_class c WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
	SELECT format('column %s.%s %s %s notnull %s default %s identity %s generated %s collation %s acl %s',
				  c.oid::regclass, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
				  a.attnotnull, coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-'),
				  a.attidentity, a.attgenerated, coalesce(co.collname, '-'),
				  coalesce(a.attacl::text, '-'))
	  FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	  LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
	 WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
	   AND c.relkind IN ('r', 'v', 'm', 'p')
  UNION ALL
	SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
	  FROM pg_constraint c
	 WHERE c.conrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
	SELECT 'index ' || pg_get_indexdef(i.indexrelid)
	  FROM pg_index i WHERE i.indrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid)
	  FROM pg_trigger t
	 WHERE t.tgrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
	   AND NOT t.tgisinternal
  UNION ALL
	SELECT format('policy %s %s %s %s using %s check %s', p.polrelid::regclass, p.polname, p.polcmd,
				  p.polpermissive, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
	  FROM pg_policy p
	 WHERE p.polrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
	SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid))
	  FROM pg_class c
	 WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass) AND c.relkind IN ('v', 'm')
  UNION ALL
	SELECT format('sequence %s %s start %s increment %s', s.seqrelid::regclass, format_type(s.seqtypid, NULL),
				  s.seqstart, s.seqincrement)
	  FROM pg_sequence s WHERE s.seqrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
	SELECT format('enum %s %s %s', e.enumtypid::regtype, e.enumsortorder, e.enumlabel)
	  FROM pg_enum e WHERE e.enumtypid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
  UNION ALL
	SELECT format('type %s kind %s acl %s', t.oid::regtype, t.typtype, coalesce(t.typacl::text, '(default)'))
	  FROM pg_type t WHERE t.oid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
  UNION ALL
	SELECT format('comment %s: %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
	  FROM pg_description d
	 WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM members)
  UNION ALL
	SELECT format('event trigger %s on %s tags %s function %s enabled %s', e.evtname, e.evtevent,
				  e.evttags, e.evtfoid::regprocedure, e.evtenabled)
	  FROM pg_event_trigger e WHERE e.oid IN (SELECT objid FROM members WHERE classid = 'pg_event_trigger'::regclass)
  UNION ALL
	SELECT format('schema %s acl %s', n.nspname, coalesce(n.nspacl::text, '(default)'))
	  FROM pg_namespace n WHERE n.nspname = 'flp'
  UNION ALL
	SELECT format('dumped %s where %s', c.cfg::regclass, coalesce(nullif(ext.extcondition[c.n], ''), '-'))
	  FROM ext, unnest(ext.extconfig) WITH ORDINALITY AS c(cfg, n)
  UNION ALL
	SELECT 'version ' || extversion FROM ext
)
SELECT fact FROM facts ORDER BY fact COLLATE "C";
