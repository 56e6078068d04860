-- sql/parts/80-ddl-following.sql: part of the install script (see the Makefile).
-- The event triggers that follow DDL: dropped tables and columns take their
-- catalog rows with them; table DDL fails where the library is not loaded.
/* ------------------------------------------------------ DDL following */

/*
 * Dropped tables and columns take their catalog rows with them.  Renames of
 * tables need nothing (rows hold OIDs); renames of columns are followed by the
 * library's ProcessUtility hook, which knows the old name.
 */
CREATE FUNCTION flp_internal.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	obj record;
	used text;
BEGIN
	FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects()
			   WHERE object_type IN ('table', 'table column', 'view')
	LOOP
		IF obj.object_type = 'view' THEN
			DELETE FROM flp.published_view p WHERE p.view::oid = obj.objid;
		ELSIF obj.object_type = 'table' THEN
			DELETE FROM flp.guarded_relation r WHERE r.relid::oid = obj.objid;
			DELETE FROM flp.inherited_field i WHERE i.from_tbl::oid = obj.objid;
			DELETE FROM flp.governed_table g WHERE g.tbl::oid = obj.objid;
		ELSIF EXISTS (SELECT 1 FROM flp.governed_table g WHERE g.tbl::oid = obj.objid) THEN
			DELETE FROM flp.inherited_field i
			 WHERE i.from_tbl::oid = obj.objid AND i.from_field = obj.address_names[3];
			DELETE FROM flp.excluded_field e
			 WHERE e.tbl::oid = obj.objid AND e.field = obj.address_names[3];
			DELETE FROM flp.field_mask m
			 WHERE m.tbl::oid = obj.objid AND m.field = obj.address_names[3];
			DELETE FROM flp.inherited_field i
			 WHERE i.tbl::oid = obj.objid AND i.field = obj.address_names[3];
			DELETE FROM flp.field_permission p
			 WHERE p.tbl::oid = obj.objid AND p.field = obj.address_names[3];
		END IF;
	END LOOP;
	/* A mask function still in use by a remaining field cannot go. */
	SELECT string_agg(format('%s.%I', m.tbl, m.field), ', ' ORDER BY m.tbl::text, m.field)
	  INTO used
	  FROM flp.field_mask m
	  JOIN pg_event_trigger_dropped_objects() d
		ON d.object_type = 'function' AND d.objid = m.mask::oid;
	IF used IS NOT NULL THEN
		RAISE EXCEPTION 'cannot drop a function that masks fields'
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = format('It is the mask of %s.', used),
				  HINT = 'Reset the masks first with flp.set_mask(tbl, field, NULL).';
	END IF;
END
$$;
COMMENT ON FUNCTION flp_internal.on_sql_drop() IS
	'event trigger: removes the catalog rows of dropped governed tables and columns, and of dropped published views';
REVOKE ALL ON FUNCTION flp_internal.on_sql_drop() FROM PUBLIC;

CREATE EVENT TRIGGER flp_sql_drop ON sql_drop EXECUTE FUNCTION flp_internal.on_sql_drop();

/*
 * Renames of columns, new partitions and new inheritance children are
 * followed by the library's ProcessUtility hook.  A superuser repair session
 * in a server that does not preload flp (session_preload_libraries emptied
 * by PGOPTIONS) has no hook: this trigger loads the library at the end of
 * every CREATE TABLE and ALTER TABLE, which refuses there, so such DDL fails
 * instead of leaving a governed table's fields or partitions untracked.
 * Where flp is loaded the call costs a function call and does nothing.
 */
CREATE FUNCTION flp_internal.on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM flp_internal.loaded();
END
$$;
COMMENT ON FUNCTION flp_internal.on_ddl_end() IS
	'event trigger: makes table DDL fail where the flp library is not loaded';
REVOKE ALL ON FUNCTION flp_internal.on_ddl_end() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.loaded() TO PUBLIC;

CREATE EVENT TRIGGER flp_ddl_end ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
	EXECUTE FUNCTION flp_internal.on_ddl_end();

