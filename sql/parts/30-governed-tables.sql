-- sql/parts/30-governed-tables.sql: part of the install script (see the Makefile).
-- Governing tables (flp.protect, flp.unprotect, excluded fields), the masks
-- (the built-in ones, flp.mask_hash and its key, flp.set_mask) and inherited
-- fields.
-- flp.mask_secret's column numbers are in src/catalog_columns.h too.
/* ------------------------------------------------------ governed tables */

/*
 * Only ordinary and partitioned tables outside flp's schema can be governed,
 * whether by flp.protect() or by direct DML on flp.governed_table: flp's
 * policies read governed tables in subjects' sessions (flp_link), where a
 * view would run its owner's functions.
 */
/*
 * A governed table's partitions and children have parents only in its tree
 * and compute generated columns from what it does (src/utility/trees.c).
 */
CREATE FUNCTION flp_internal.check_tree(tbl regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_check_tree_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.check_tree(regclass) IS
	'internal: refuses a governed tree whose partitions or children have a parent outside it, or compute a generated column from a column the governed table does not';
REVOKE ALL ON FUNCTION flp_internal.check_tree(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.check_tree(regclass) TO flp_admin;

CREATE FUNCTION flp_internal.require_governable(tbl regclass) RETURNS void
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

CREATE FUNCTION flp_internal.check_governed_table() RETURNS trigger
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
CREATE TRIGGER flp_check_governed_table BEFORE INSERT OR UPDATE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp_internal.check_governed_table();

CREATE FUNCTION flp.protect(tbl regclass, default_permission flp.permission DEFAULT 'hide',
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

CREATE FUNCTION flp.unprotect(tbl regclass) RETURNS text
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

/*
 * Mandatory fields on updates: off by default, a role that may not edit a
 * NOT NULL field without a default may still change the other fields of a
 * row (PostgreSQL's column privileges behave so); on, it may not change the
 * table's rows at all, as in CRM products where a record cannot be saved
 * without every mandatory field.
 */
CREATE FUNCTION flp.set_mandatory_on_update(tbl regclass, enabled boolean DEFAULT true)
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

CREATE FUNCTION flp.exclude_field(tbl regclass, field name) RETURNS text
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

CREATE FUNCTION flp.exclude_field(tbl regclass, fields name[]) RETURNS text
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

CREATE FUNCTION flp.include_field(tbl regclass, field name) RETURNS text
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

/* Are two types the same, or both string types (domains over them too)? */
CREATE FUNCTION flp_internal.same_kind(a oid, b oid) RETURNS boolean
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

/* ---------------------------------------------------------- built-in masks */

CREATE FUNCTION flp.mask_email(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN strpos(value, '@') > 1
			THEN left(value, 1) || '***' || substr(value, strpos(value, '@'))
			ELSE '****' END;
COMMENT ON FUNCTION flp.mask_email(text) IS
	'mask: keeps the first letter and the domain of an e-mail address (j***@example.com)';

CREATE FUNCTION flp.mask_last4(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN length(value) > 4 THEN '****' || right(value, 4) ELSE '****' END;
COMMENT ON FUNCTION flp.mask_last4(text) IS
	'mask: keeps the last four characters (****6789)';

CREATE TABLE flp.mask_secret (
	onerow boolean PRIMARY KEY DEFAULT true CHECK (onerow),
	secret text NOT NULL
);
COMMENT ON TABLE flp.mask_secret IS
	'the key of flp.mask_hash, made at install; readable by superusers only';
COMMENT ON COLUMN flp.mask_secret.onerow IS 'there is one row';
COMMENT ON COLUMN flp.mask_secret.secret IS 'the key';
INSERT INTO flp.mask_secret (secret)
SELECT string_agg(gen_random_uuid()::text, '') FROM generate_series(1, 4);
REVOKE ALL ON flp.mask_secret FROM PUBLIC;
/* pg_dump keeps the key, so hashes stay stable across dump and restore: the
 * restored row replaces the one made by CREATE EXTENSION. */
SELECT pg_catalog.pg_extension_config_dump('flp.mask_secret', '');
CREATE FUNCTION flp_internal.replace_secret() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM flp.mask_secret;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION flp_internal.replace_secret() IS
	'internal trigger: a new key replaces the old one (pg_restore loads the dumped key)';
CREATE TRIGGER flp_replace_secret BEFORE INSERT ON flp.mask_secret
	FOR EACH ROW EXECUTE FUNCTION flp_internal.replace_secret();

CREATE FUNCTION flp.mask_hash(value text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN (SELECT encode(sha256(convert_to(s.secret || value, 'UTF8')), 'hex')
		  FROM flp.mask_secret s);
COMMENT ON FUNCTION flp.mask_hash(text) IS
	'mask: a stable keyed hash (the same value gives the same hash), for joining pseudonymised data';

CREATE FUNCTION flp_internal.require_trusted_function(fn regprocedure, what text) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_require_trusted_function_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.require_trusted_function(regprocedure, text) IS
	'internal: refuses a function that may not run on hidden values in subjects'' sessions (owned by a superuser, not volatile, no name resolution through search_path)';
REVOKE ALL ON FUNCTION flp_internal.require_trusted_function(regprocedure, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.require_trusted_function(regprocedure, text) TO flp_admin;

/*
 * A mask, whether stored by flp.set_mask() or by direct DML on
 * flp.field_mask, must fit the field and be code flp lets run in subjects'
 * sessions: it runs there on the hidden value.
 */
CREATE FUNCTION flp_internal.check_field_mask() RETURNS trigger
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
REVOKE ALL ON FUNCTION flp_internal.check_field_mask() FROM PUBLIC;
CREATE TRIGGER flp_check_field_mask BEFORE INSERT OR UPDATE ON flp.field_mask
	FOR EACH ROW EXECUTE FUNCTION flp_internal.check_field_mask();

CREATE FUNCTION flp.set_mask(tbl regclass, field name, mask regprocedure) RETURNS text
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

CREATE FUNCTION flp.inherit_field(tbl regclass, field name, from_tbl regclass, from_field name)
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

