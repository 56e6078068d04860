-- sql/parts/85-audit.sql: part of the install script (see the Makefile).
-- The audit trail of flp's catalog (flp.audit_log), its triggers on every
-- catalog table, and its retention helper.
/* ------------------------------------------------------------ audit trail */

/*
 * Every change of flp's catalog, by a management function or by direct DML,
 * one row per changed row (a TRUNCATE: one row per statement), written by
 * the trigger flp_internal.audit as the owner of this table (src/catalog/audit.c).
 * Super admins read it; no one but a superuser changes it.  Dumped with the
 * database; a restore brings it along and is not recorded itself.  No
 * sequence numbers it: a sequence used in the writer's session would become
 * its lastval().
 */
CREATE TABLE flp.audit_log (
	at timestamptz NOT NULL DEFAULT clock_timestamp(),
	seq bigint NOT NULL DEFAULT 0,
	statement_start timestamptz NOT NULL DEFAULT statement_timestamp(),
	xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
	pid integer NOT NULL DEFAULT pg_backend_pid(),
	session_role name NOT NULL,
	role name NOT NULL,
	tbl text COLLATE "C" NOT NULL,
	operation text COLLATE "C" NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
	old_row jsonb,
	new_row jsonb,
	statement text
);
CREATE INDEX audit_log_at_idx ON flp.audit_log (at);
COMMENT ON TABLE flp.audit_log IS
	'audit trail: every change of flp''s catalog, by management functions or direct DML (read by super admins, changed only by superusers)';
COMMENT ON COLUMN flp.audit_log.at IS 'when the change was made (order the trail by at, seq)';
COMMENT ON COLUMN flp.audit_log.seq IS 'the order of the change among those its session recorded';
COMMENT ON COLUMN flp.audit_log.statement_start IS 'when the statement that made it started';
COMMENT ON COLUMN flp.audit_log.xid IS 'its transaction';
COMMENT ON COLUMN flp.audit_log.pid IS 'the backend (session) that made it';
COMMENT ON COLUMN flp.audit_log.session_role IS 'the session user (who logged in)';
COMMENT ON COLUMN flp.audit_log.role IS 'the current user (after SET ROLE or in a SECURITY DEFINER function)';
COMMENT ON COLUMN flp.audit_log.tbl IS 'the catalog table changed, e.g. field_permission';
COMMENT ON COLUMN flp.audit_log.operation IS 'INSERT, UPDATE, DELETE or TRUNCATE';
COMMENT ON COLUMN flp.audit_log.old_row IS 'the row before (UPDATE, DELETE); flp.mask_secret''s key is left out';
COMMENT ON COLUMN flp.audit_log.new_row IS 'the row after (INSERT, UPDATE); flp.mask_secret''s key is left out';
COMMENT ON COLUMN flp.audit_log.statement IS 'the statement the client sent';
SELECT pg_catalog.pg_extension_config_dump('flp.audit_log', '');
REVOKE ALL ON flp.audit_log FROM PUBLIC, flp_admin;
GRANT SELECT ON flp.audit_log TO flp_admin;

CREATE FUNCTION flp_internal.audit() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_audit' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.audit() IS
	'internal trigger: writes a change of flp''s catalog to flp.audit_log';
REVOKE ALL ON FUNCTION flp_internal.audit() FROM PUBLIC;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['governed_table', 'guarded_relation', 'excluded_field', 'field_mask',
							 'mask_secret', 'inherited_field', 'partner', 'bundle',
							 'table_permission', 'field_permission', 'assignment', 'rule',
							 'registered_user', 'license_seats', 'partner_bundle', 'admin_role',
							 'area_table', 'partner_scope', 'record_assignment', 'record_link',
							 'data_rule', 'published_view']
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER flp_audit AFTER INSERT OR UPDATE OR DELETE ON flp.%I '
			'FOR EACH ROW EXECUTE FUNCTION flp_internal.audit()', t);
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER flp_audit_truncate AFTER TRUNCATE ON flp.%I '
			'FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.audit()', t);
	END LOOP;
END
$$;

/* Retention: superusers delete what is older than a point in time. */
CREATE FUNCTION flp.purge_audit(before timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	n bigint;
BEGIN
	IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) THEN
		RAISE EXCEPTION 'permission denied to purge the audit trail'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only superusers change flp.audit_log.';
	END IF;
	IF before IS NULL THEN
		RAISE EXCEPTION 'before must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	DELETE FROM flp.audit_log a WHERE a.at < before;
	GET DIAGNOSTICS n = ROW_COUNT;
	/* the purge leaves a trace of its own */
	INSERT INTO flp.audit_log (session_role, role, tbl, operation, old_row, statement)
	VALUES (session_user, current_user, 'audit_log', 'DELETE',
			jsonb_build_object('purged_rows', n, 'before', before), current_query());
	RETURN n;
END
$$;
COMMENT ON FUNCTION flp.purge_audit(timestamptz) IS
	'retention of the audit trail: deletes its rows older than a point in time (superusers only); returns how many';
