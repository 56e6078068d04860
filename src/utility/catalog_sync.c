/*-------------------------------------------------------------------------
 *
 * catalog_sync.c
 *	  Keeping flp's catalog in step with DDL.
 *
 * flp's catalog names fields by column name, so that it survives
 * dump/restore (attribute numbers do not).  Renaming a column of a governed
 * table therefore renames it in the catalog, where the old name is known.
 * Dropped tables and columns are removed by the sql_drop event trigger of the
 * install script; dropped roles here.  Catalog maintenance runs as the
 * bootstrap superuser.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "catalog/pg_inherits.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "flp.h"
#include "utility/utility.h"

/*
 * Run catalog maintenance statements as the bootstrap superuser: the user
 * whose DDL caused them (a table owner) may not write flp's catalog.  The
 * statements are schema-qualified, so the caller's search_path cannot
 * interfere.
 */
void
flp_run_as_superuser(const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	Oid			save_userid;
	int			save_sec_context;
	int			rc;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "flp: SPI_connect failed");
	rc = SPI_execute_with_args(sql, nargs, argtypes, values, NULL, false, 0);
	if (rc < 0)
		elog(ERROR, "flp: catalog maintenance failed: %s", SPI_result_code_string(rc));
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * A column of relid was renamed: rename it in every catalog row of relid and
 * of its governed inheritance children (a rename recurses to them).
 */
void
flp_follow_column_rename(Oid relid, const char *oldname, const char *newname)
{
	static const char *const statements[] = {
		"UPDATE flp.excluded_field SET field = $3 "
		"WHERE tbl OPERATOR(pg_catalog.=) $1 AND field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.field_mask SET field = $3 "
		"WHERE tbl OPERATOR(pg_catalog.=) $1 AND field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.field_permission SET field = $3 "
		"WHERE tbl OPERATOR(pg_catalog.=) $1 AND field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.inherited_field SET field = $3 "
		"WHERE tbl OPERATOR(pg_catalog.=) $1 AND field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.inherited_field SET from_field = $3 "
		"WHERE from_tbl OPERATOR(pg_catalog.=) $1 AND from_field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.partner_scope SET key_field = $3 "
		"WHERE tbl OPERATOR(pg_catalog.=) $1 AND key_field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.record_link SET fk_field = $3 "
		"WHERE child OPERATOR(pg_catalog.=) $1 AND fk_field OPERATOR(pg_catalog.=) $2",
		"UPDATE flp.record_link SET parent_key = $3 "
		"WHERE parent OPERATOR(pg_catalog.=) $1 AND parent_key OPERATOR(pg_catalog.=) $2",
	};
	Oid			argtypes[3] = {REGCLASSOID, NAMEOID, NAMEOID};
	List	   *tree = find_all_inheritors(relid, NoLock, NULL);
	ListCell   *lc;

	foreach(lc, tree)
	{
		Oid			rel = lfirst_oid(lc);
		Datum		values[3];
		size_t		i;

		if (!flp_is_governed(rel, NULL))
			continue;
		values[0] = ObjectIdGetDatum(rel);
		values[1] = DirectFunctionCall1(namein, CStringGetDatum(oldname));
		values[2] = DirectFunctionCall1(namein, CStringGetDatum(newname));
		for (i = 0; i < lengthof(statements); i++)
			flp_run_as_superuser(statements[i], 3, argtypes, values);
	}
}

/*
 * Roles were dropped: forget their assignments and registrations in this
 * database.  (Roles are global; other databases forget theirs at their next
 * DROP ROLE, and never match a role that does not exist meanwhile.)
 */
void
flp_forget_dropped_roles(void)
{
	flp_run_as_superuser("DELETE FROM flp.assignment a WHERE NOT EXISTS "
					 "(SELECT 1 FROM pg_catalog.pg_authid r "
					 "WHERE r.oid OPERATOR(pg_catalog.=) a.role::pg_catalog.oid)",
					 0, NULL, NULL);
	flp_run_as_superuser("DELETE FROM flp.registered_user u WHERE NOT EXISTS "
					 "(SELECT 1 FROM pg_catalog.pg_authid r "
					 "WHERE r.oid OPERATOR(pg_catalog.=) u.role::pg_catalog.oid)",
					 0, NULL, NULL);
	flp_run_as_superuser("DELETE FROM flp.record_assignment a WHERE a.partner_user IS NOT NULL "
					 "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_authid r "
					 "WHERE r.oid OPERATOR(pg_catalog.=) a.partner_user::pg_catalog.oid)",
					 0, NULL, NULL);
}
