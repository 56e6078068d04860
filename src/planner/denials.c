/*-------------------------------------------------------------------------
 *
 * denials.c
 *	  The errors of a refused query, and the denial log.
 *
 * Every refusal of a hidden or non-Edit field goes through here: one error
 * wording per kind (used where it must not be, written, required by a new row),
 * and, with flp.log_denials on, one LOG line naming role, table, field and
 * clause.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "flp.h"
#include "planner/planner.h"

/* flp.log_denials */
static bool log_denials = false;

/*
 * flp.log_denials: an administrator turns it on to audit who tried to read
 * or change what they may not; every refusal then writes a LOG line with the
 * role, the table, the field and the clause.  Defined from _PG_init.
 */
void
flp_denials_init(void)
{
	DefineCustomBoolVariable("flp.log_denials",
							 "Logs every refusal of flp (role, table, field, clause).",
							 NULL,
							 &log_denials,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}

void
flp_log_denial(const char *role, const char *table, const char *field, const char *what)
{
	if (log_denials)
		ereport(LOG,
				(errmsg("flp denied: role \"%s\", table \"%s\", field \"%s\", %s",
						role, table, field, what),
				 errhidestmt(false)));
}

/*
 * The role whose permissions a refusal applies: the current user, or while a
 * published view is checked for its owner (published.c), the owner.
 */
static Oid	denied_role = InvalidOid;
static Oid	denied_view = InvalidOid;

/* Refusals apply roleid's permissions inside published view viewid (InvalidOid: the current user's). */
void
flp_deny_as(Oid roleid, Oid viewid)
{
	denied_role = roleid;
	denied_view = viewid;
}

/* The name of the role refused, plain (for the log) and as the detail names it. */
static char *
denied_role_name(char **named)
{
	Oid			roleid = OidIsValid(denied_role) ? denied_role : GetUserId();
	char	   *role = GetUserNameFromId(roleid, false);

	*named = OidIsValid(denied_view) ?
		psprintf("\"%s\" (the owner of published view %s, whose permissions apply inside it)",
				 role, flp_table_name(denied_view)) :
		psprintf("\"%s\"", role);
	return role;
}

/* A hidden field used where it must not be: in a filter, or as a source. */
void
flp_deny_use(const Origin *o, const char *clause, bool source)
{
	char	   *named;
	char	   *role = denied_role_name(&named);
	char	   *table = flp_table_name(o->relid);
	char	   *field = get_attname(o->relid, o->attnum, false);

	flp_log_denial(role, table, field,
			   source ? "clause \"written value\"" : psprintf("clause \"%s\"", clause));
	if (source)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for field \"%s\" of table \"%s\"", field, table),
				 errdetail("The field is hidden for role %s and cannot be the source of a written value.",
						   named),
				 errhint("Remove the field from the statement, or ask a super admin to grant Read access."),
				 flp_errtablecol(o->relid, o->attnum)));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for field \"%s\" of table \"%s\"", field, table),
			 errdetail("The field is hidden for role %s and cannot be used in %s.",
					   named, clause),
			 errhint("Remove the field from the query, or ask a super admin to grant Read access."),
			 flp_errtablecol(o->relid, o->attnum)));
}

/*
 * A hidden field used in a filter through a view's column: the refusal names
 * the column the user wrote, then the field it comes from.
 */
void
flp_deny_view_use(const Origin *o, Oid viewid, AttrNumber attno, const char *clause)
{
	char	   *named;
	char	   *role = denied_role_name(&named);
	char	   *table = flp_table_name(o->relid);
	char	   *field = get_attname(o->relid, o->attnum, false);
	char	   *view = flp_table_name(viewid);
	char	   *column = get_attname(viewid, attno, true);

	if (column == NULL)
		return;					/* a column the view no longer has: name the field */
	flp_log_denial(role, table, field, psprintf("clause \"%s\" (column \"%s\" of view \"%s\")",
												clause, column, view));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for column \"%s\" of view \"%s\" (field \"%s\" of table \"%s\")",
					column, view, field, table),
			 errdetail("The field is hidden for role %s and cannot be used in %s.",
					   named, clause),
			 errhint("Remove the column from the query, or ask a super admin to grant Read access to the field."),
			 flp_errtablecol(o->relid, o->attnum)));
}

/* A write to a field that is not Edit. */
void
flp_deny_write(Oid relid, AttrNumber attnum, FlpPermission perm, const char *command)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	char	   *table = flp_table_name(relid);
	char	   *field = get_attname(relid, attnum, false);

	flp_log_denial(role, table, field, psprintf("clause \"%s\"", command));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to change field \"%s\" of table \"%s\"", field, table),
			 errdetail("The field is %s for role \"%s\" and cannot be set by %s.",
					   perm == FLP_READ ? "read-only" : "hidden", role, command),
			 errhint("Remove the field from the statement, or ask a super admin to grant Edit access."),
			 flp_errtablecol(relid, attnum)));
}

/*
 * A new row would need a value for a field the role may not set -- or, where
 * a super admin made mandatory fields count on updates too, a row would be
 * changed by a role that may not edit one of them (update true).
 */
void
flp_deny_required(Oid relid, AttrNumber attnum, FlpPermission perm, bool update)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	char	   *table = flp_table_name(relid);
	char	   *field = get_attname(relid, attnum, false);
	const char *how = perm == FLP_READ ? "read-only" : "hidden";

	flp_log_denial(role, table, field, update ? "clause \"UPDATE\" (mandatory field)" :
				   "clause \"INSERT\" (required field)");
	if (update)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission required for field \"%s\" of table \"%s\"", field, table),
				 errdetail("The field is mandatory (NOT NULL without a default) and %s for role \"%s\", and mandatory fields apply to updates of this table: the role may not change its rows.",
						   how, role),
				 errhint("Ask a super admin to grant Edit access to the field, or to turn this off with flp.set_mandatory_on_update(table, false)."),
				 flp_errtablecol(relid, attnum)));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission required for field \"%s\" of table \"%s\"", field, table),
			 errdetail("The field is NOT NULL without a default, and it is %s for role \"%s\": a new row cannot get a value for it.",
					   how, role),
			 errhint("Ask a super admin to grant Edit access to the field, or give the field a default."),
			 flp_errtablecol(relid, attnum)));
}
