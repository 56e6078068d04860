-- test/ddl/checks.sql -- assertion helpers of test/shell/75-ddl.sh (run as a
-- superuser after setup.sql).  They run their queries with EXECUTE, that is
-- planned through SPI as the calling role: flp masks and refuses them exactly
-- like top-level queries.  Each check returns 'ok: LABEL' or raises an error
-- (the runner fails on any error); observations that are not failures are
-- returned as 'note: ...' or 'FINDING: ...'.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA ddl_check;
GRANT USAGE ON SCHEMA ddl_check TO PUBLIC;

-- the rows of a query as text: each row's text form, joined by ' | '
CREATE FUNCTION ddl_check.rows(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	got text;
BEGIN
	EXECUTE format('SELECT string_agg(r::text, %L) FROM (%s) r', ' | ', query) INTO got;
	RETURN got;
END
$$;

-- the query's rows are exactly the expected text
CREATE FUNCTION ddl_check.eq(label text, query text, expected text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	got text := ddl_check.rows(query);
BEGIN
	IF got IS DISTINCT FROM expected THEN
		RAISE EXCEPTION 'check "%" failed', label
			USING DETAIL = format('expected: %s' || chr(10) || 'got:      %s', expected, got);
	END IF;
	RETURN 'ok: ' || label;
END
$$;

-- the query fails with SQLSTATE state (42501: refused by flp)
CREATE FUNCTION ddl_check.fails(label text, query text, state text DEFAULT '42501') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	got text;
	msg text;
BEGIN
	BEGIN
		EXECUTE query;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS got = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		IF got = state THEN
			RETURN 'ok: ' || label;
		END IF;
		RAISE EXCEPTION 'check "%" failed: expected SQLSTATE %, got %: %', label, state, got, msg;
	END;
	RAISE EXCEPTION 'check "%" failed: expected SQLSTATE %, the query ran', label, state;
END
$$;

CREATE FUNCTION ddl_check.refused(label text, query text) RETURNS text
LANGUAGE sql AS $$ SELECT ddl_check.fails(label, query, '42501') $$;

-- the query runs
CREATE FUNCTION ddl_check.runs(label text, query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	RETURN 'ok: ' || label;
END
$$;

-- the text form of the default mask of a column: '****' cut to the declared
-- length for text-like types (and domains over them), NULL for the others
CREATE FUNCTION ddl_check.mask_of(tbl regclass, col name) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN bt.typcategory = 'S'
				THEN CASE WHEN bt.oid IN ('varchar'::regtype, 'bpchar'::regtype)
							   AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 4
						  THEN left('****', coalesce(nullif(t.typtypmod, -1), a.atttypmod) - 4)
						  ELSE '****' END
			END
	  FROM pg_attribute a
	  JOIN pg_type t ON t.oid = a.atttypid
	  JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
	 WHERE a.attrelid = tbl AND a.attname = col
$$;

/*
 * The generic sweep, as the calling role, over every table and partition of
 * schema ddl it may read: for each field hidden from it (flp.effective), every
 * value is the mask and a filter on it is refused (WHERE and ORDER BY); for
 * each other field, a filter on it runs; where the role may UPDATE, setting
 * a field runs only if it is edit.
 */
CREATE FUNCTION ddl_check.sweep() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	rel regclass;
	col name;
	perm flp.permission;
	mask text;
	vals text[];
BEGIN
	FOR rel IN SELECT c.oid FROM pg_class c
				WHERE c.relnamespace = 'ddl'::regnamespace AND c.relkind IN ('r', 'p', 'v')
				  AND has_table_privilege(c.oid, 'SELECT')
				ORDER BY c.relname
	LOOP
		RETURN NEXT ddl_check.runs(format('%s: readable', rel), format('SELECT count(*) FROM %s', rel));
		CONTINUE WHEN (SELECT c.relkind FROM pg_class c WHERE c.oid = rel) = 'v';
		FOR col IN SELECT a.attname FROM pg_attribute a
					WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
					ORDER BY a.attnum
		LOOP
			perm := flp.effective(rel, col);
			IF perm = 'hide' THEN
				mask := ddl_check.mask_of(rel, col);
				EXECUTE format('SELECT array_agg(%I::text) FROM %s', col, rel) INTO vals;
				IF EXISTS (SELECT 1 FROM unnest(vals) v WHERE v IS DISTINCT FROM mask) THEN
					RAISE EXCEPTION 'sweep: hidden field %.% is not masked as %', rel, col,
						coalesce(quote_literal(mask), 'NULL')
						USING DETAIL = format('values: %s', vals);
				END IF;
				RETURN NEXT format('ok: %s.%s: masked', rel, col);
				RETURN NEXT ddl_check.refused(format('%s.%s: WHERE refused', rel, col),
											 format('SELECT 1 FROM %s WHERE %I IS NOT NULL', rel, col));
				RETURN NEXT ddl_check.refused(format('%s.%s: ORDER BY refused', rel, col),
											 format('SELECT 1 FROM %s ORDER BY %I', rel, col));
			ELSE
				RETURN NEXT ddl_check.runs(format('%s.%s: %s, filter runs', rel, col, perm),
										   format('SELECT count(*) FROM %s WHERE %I IS NOT NULL', rel, col));
			END IF;
			-- writes: only edit fields may be set (refused at plan time, so
			-- WHERE false changes nothing either way)
			CONTINUE WHEN NOT has_column_privilege(rel, col, 'UPDATE');
			IF perm = 'edit' THEN
				RETURN NEXT ddl_check.runs(format('%s.%s: edit, UPDATE runs', rel, col),
										   format('UPDATE %s SET %I = NULL WHERE false', rel, col));
			ELSE
				RETURN NEXT ddl_check.refused(format('%s.%s: %s, UPDATE refused', rel, col, perm),
											  format('UPDATE %s SET %I = NULL WHERE false', rel, col));
			END IF;
		END LOOP;
	END LOOP;
END
$$;

-- a relation governed by itself or through an ancestor
CREATE FUNCTION ddl_check.governed_or_child(rel regclass) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM flp.governed_table g
					WHERE g.tbl = rel OR g.tbl IN (SELECT flp_internal.ancestors(rel)))
$$;

/*
 * As a super admin: every governed table and each of its partitions is
 * guarded (row-level security enabled and forced, policy flp_guard, a row in
 * flp.guarded_relation).  A guarded relation that is no longer governed is a
 * finding, not a failure.
 */
CREATE FUNCTION ddl_check.guards() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	rel regclass;
	r record;
BEGIN
	FOR rel IN SELECT flp_internal.tree(g.tbl) FROM flp.governed_table g
				WHERE g.tbl::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'ddl'::regnamespace)
				ORDER BY 1::text
	LOOP
		SELECT c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
			   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid
						  AND p.polname = 'flp_guard' AND NOT p.polpermissive) AS guard,
			   EXISTS (SELECT 1 FROM flp.guarded_relation g WHERE g.relid = c.oid) AS recorded
		  INTO r FROM pg_class c WHERE c.oid = rel;
		IF NOT (r.rls AND r.force AND r.guard AND r.recorded) THEN
			RAISE EXCEPTION 'governed relation % is not guarded: %', rel, r;
		END IF;
		RETURN NEXT format('ok: %s guarded', rel);
	END LOOP;
	FOR rel IN SELECT g.relid FROM flp.guarded_relation g
				WHERE NOT ddl_check.governed_or_child(g.relid) ORDER BY 1::text
	LOOP
		RETURN NEXT format('FINDING: %s is still guarded (flp.guarded_relation, policy flp_guard) but no longer governed', rel);
	END LOOP;
END
$$;

/*
 * As a super admin: flp's catalog names only tables and columns that exist
 * and roles that exist.  Record assignments of dropped partner users are a
 * finding, not a failure.
 */
CREATE FUNCTION ddl_check.catalog() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	bad text;
BEGIN
	WITH fields(kind, tbl, field) AS (
		SELECT 'excluded', tbl, field FROM flp.excluded_field
		UNION ALL SELECT 'mask', tbl, field FROM flp.field_mask
		UNION ALL SELECT 'field permission', tbl, field FROM flp.field_permission
		UNION ALL SELECT 'inherited', tbl, field FROM flp.inherited_field
		UNION ALL SELECT 'inherited source', from_tbl, from_field FROM flp.inherited_field
		UNION ALL SELECT 'scope key', tbl, key_field FROM flp.partner_scope
		UNION ALL SELECT 'link fk', child, fk_field FROM flp.record_link
	)
	SELECT string_agg(format('%s %s.%s', kind, tbl::oid, field), ', ') INTO bad
	  FROM fields f
	 WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = f.tbl
						  AND a.attname = f.field AND a.attnum > 0 AND NOT a.attisdropped);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'flp catalog names fields that do not exist: %', bad;
	END IF;
	RETURN NEXT 'ok: catalog fields exist';
	WITH tables(kind, tbl) AS (
		SELECT 'governed', tbl::oid FROM flp.governed_table
		UNION ALL SELECT 'guarded', relid::oid FROM flp.guarded_relation
		UNION ALL SELECT 'table permission', tbl::oid FROM flp.table_permission
		UNION ALL SELECT 'area', tbl::oid FROM flp.area_table
		UNION ALL SELECT 'data rule', tbl::oid FROM flp.data_rule
		UNION ALL SELECT 'record', tbl::oid FROM flp.record_assignment
	)
	SELECT string_agg(format('%s %s', kind, tbl), ', ') INTO bad
	  FROM tables t WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.tbl);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'flp catalog names tables that do not exist: %', bad;
	END IF;
	RETURN NEXT 'ok: catalog tables exist';
	SELECT string_agg(format('%s %s', kind, r), ', ') INTO bad
	  FROM (SELECT 'assignment' AS kind, role::oid AS r FROM flp.assignment
			UNION ALL SELECT 'registered user', role::oid FROM flp.registered_user) x
	 WHERE NOT EXISTS (SELECT 1 FROM pg_roles o WHERE o.oid = x.r);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'flp catalog names roles that do not exist: %', bad;
	END IF;
	RETURN NEXT 'ok: catalog roles exist';
	IF EXISTS (SELECT 1 FROM flp.record_assignment a WHERE a.partner_user IS NOT NULL
				  AND NOT EXISTS (SELECT 1 FROM pg_roles o WHERE o.oid = a.partner_user)) THEN
		RETURN NEXT 'FINDING: flp.record_assignment keeps records assigned to a partner user that was dropped';
	END IF;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ddl_check TO PUBLIC;
