/* flp 0.1.0 -> 0.2.0 (ALTER EXTENSION flp UPDATE) */

\echo Use "ALTER EXTENSION flp UPDATE" to load this file. \quit

/*
 * Every change of sql/parts/ since 0.1.0, in the order of the parts.  The
 * result must equal a fresh install of 0.2.0 object for object
 * (test/shell/67-upgrade.sh compares test/upgrade/schema.sql's listing of
 * both).
 */

/* ------------------------------------ 30-governed-tables: field arrays */

CREATE FUNCTION flp.exclude_field(tbl regclass, fields name[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	f name;
BEGIN
	IF fields IS NULL OR cardinality(fields) = 0 OR array_position(fields, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'fields must be a non-empty array without nulls'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	FOREACH f IN ARRAY fields LOOP
		PERFORM flp.exclude_field(tbl, f);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp.exclude_field(regclass, name[]) IS
	'excludes several fields of a table at once (all or none)';

/* ----------------------------- 40-users-bundles: field arrays, rename, clone */

CREATE FUNCTION flp.set_permission(bundle text, tbl regclass, fields name[], permission flp.permission)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	f name;
BEGIN
	IF fields IS NULL OR cardinality(fields) = 0 OR array_position(fields, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'fields must be a non-empty array without nulls'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Use flp.set_permission(bundle, table, NULL, permission) for the table level.';
	END IF;
	FOREACH f IN ARRAY fields LOOP
		PERFORM flp.set_permission(bundle, tbl, f, permission);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp.set_permission(text, regclass, name[], flp.permission) IS
	'sets a bundle''s permission on several fields of a table at once (all or none)';


CREATE FUNCTION flp.rename_bundle(name text, new_name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp._require_super_admin('rename a bundle');
	PERFORM flp._require_bundle(name);
	IF new_name IS NULL THEN
		RAISE EXCEPTION 'new_name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF new_name = '' OR new_name <> btrim(new_name) THEN
		RAISE EXCEPTION 'invalid bundle name "%"', new_name
			USING ERRCODE = 'invalid_name',
				  DETAIL = 'A bundle name is not empty and has no leading or trailing spaces.';
	END IF;
	IF new_name = name THEN
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM flp.bundle b WHERE b.name = $2) THEN
		RAISE EXCEPTION 'bundle "%" already exists', new_name USING ERRCODE = 'duplicate_object';
	END IF;
	/* settings, assignments, rules, partner assignments and data rules follow
	 * the name (flp._ref_action); the data rules' policies are compiled again
	 * (flp._rules_changed) */
	UPDATE flp.bundle b SET name = new_name WHERE b.name = $1;
END
$$;
COMMENT ON FUNCTION flp.rename_bundle(text, text) IS
	'renames a bundle; its permissions, assignments, rules and data rules follow the new name';

CREATE FUNCTION flp.clone_bundle(name text, new_name text, description text DEFAULT NULL)
	RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	b flp.bundle;
BEGIN
	PERFORM flp._require_super_admin('clone a bundle');
	b := flp._require_bundle(name, false);
	PERFORM flp.create_bundle(new_name, b.kind, b.license, coalesce(description, b.description));
	IF b.system THEN
		/* Default_Partner_Bundle grants the tables of the partner areas at edit */
		INSERT INTO flp.table_permission (bundle, tbl, permission)
		SELECT DISTINCT new_name, a.tbl, 'edit'::flp.permission FROM flp.area_table a;
	ELSE
		INSERT INTO flp.table_permission (bundle, tbl, permission)
		SELECT new_name, p.tbl, p.permission FROM flp.table_permission p WHERE p.bundle = $1;
	END IF;
	INSERT INTO flp.field_permission (bundle, tbl, field, permission)
	SELECT new_name, p.tbl, p.field, p.permission FROM flp.field_permission p
	 WHERE p.bundle = $1
	   AND EXISTS (SELECT 1 FROM flp.table_permission t WHERE t.bundle = $2 AND t.tbl = p.tbl);
	INSERT INTO flp.data_rule (tbl, predicate, access, bundle)
	SELECT r.tbl, r.predicate, r.access, new_name FROM flp.data_rule r WHERE r.bundle = $1 ORDER BY r.id;
END
$$;
COMMENT ON FUNCTION flp.clone_bundle(text, text, text) IS
	'creates a bundle with the kind, license, table and field permissions and data rules of another (not its assignments or rules)';

/* ------------------------------------------- 60-policies: rules changed */

CREATE FUNCTION flp._rules_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_rules_changed' LANGUAGE C;
COMMENT ON FUNCTION flp._rules_changed() IS
	'internal trigger: recompiles the policies of the table whose data rule, record link or partner scope changed';
REVOKE ALL ON FUNCTION flp._rules_changed() FROM PUBLIC;
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp._rules_changed('tbl');
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp._rules_changed('child');
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp._rules_changed('tbl');
/* policies compiled by 0.1.0 keep bundle names that a rename left behind: compile them again */
SELECT flp._compile_policies(g.tbl) FROM flp.governed_table g;
