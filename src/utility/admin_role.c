/*-------------------------------------------------------------------------
 *
 * admin_role.c
 *	  Who may grant, rename or drop flp's administrator role.
 *
 * Membership in flp's administrator role (flp.admin_role) is the power to
 * change every permission: only its administrators (and superusers) grant or
 * revoke it, rename it or drop it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_auth_members.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/syscache.h"

#include "flp.h"
#include "utility/utility.h"

/*
 * Who is a super admin is decided by membership in the admin role (by OID,
 * flp.admin_role).  On PostgreSQL 15 a role with CREATEROLE may grant any
 * role: flp lets only superusers and the admin role's own admins (members
 * WITH ADMIN OPTION) grant, rename or drop it.
 */
static bool
may_administer(Oid admin_role)
{
	return superuser() || flp_direct_admin_option(admin_role, GetUserId());
}

static void
deny_admin_role_change(Oid admin_role, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s role \"%s\"", what,
					GetUserNameFromId(admin_role, false)),
			 errdetail("Its members are flp's super admins: only superusers and its members WITH ADMIN OPTION may change who they are."),
			 errhint("Ask a superuser.")));
}

/*
 * Does a list of role names (strings, RoleSpecs or AccessPrivs) name role --
 * or, with holders, a role that has its privileges (granting that one would
 * make a super admin too)?
 */
static bool
names_role(List *names, Oid role, bool holders)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		Node	   *n = lfirst(lc);
		const char *name = NULL;

		if (IsA(n, String))
			name = strVal(n);
		else if (IsA(n, AccessPriv))
			name = ((AccessPriv *) n)->priv_name;
		else if (IsA(n, RoleSpec) && ((RoleSpec *) n)->roletype == ROLESPEC_CSTRING)
			name = ((RoleSpec *) n)->rolename;
		if (name != NULL && OidIsValid(get_role_oid(name, true)) &&
			(get_role_oid(name, true) == role ||
			 (holders && has_privs_of_role(get_role_oid(name, true), role))))
			return true;
	}
	return false;
}

void
flp_check_admin_role_changes(Node *parsetree)
{
	const FlpCatalog *c = flp_catalog();
	Oid			admin = c ? c->admin_role : InvalidOid;
	ListCell   *lc;

	if (!OidIsValid(admin) || may_administer(admin))
		return;
	if (IsA(parsetree, GrantRoleStmt) && ((GrantRoleStmt *) parsetree)->is_grant &&
		names_role(((GrantRoleStmt *) parsetree)->granted_roles, admin, true))
		deny_admin_role_change(admin, "grant");
	else if (IsA(parsetree, CreateRoleStmt))
	{
		foreach(lc, ((CreateRoleStmt *) parsetree)->options)
		{
			DefElem    *opt = lfirst(lc);

			if (strcmp(opt->defname, "addroleto") == 0 && names_role((List *) opt->arg, admin, true))
				deny_admin_role_change(admin, "grant");
		}
	}
	else if (IsA(parsetree, AlterRoleStmt) &&
			 OidIsValid(get_rolespec_oid(((AlterRoleStmt *) parsetree)->role, true)) &&
			 has_privs_of_role(get_rolespec_oid(((AlterRoleStmt *) parsetree)->role, true), admin))
	{
		foreach(lc, ((AlterRoleStmt *) parsetree)->options)
			if (strcmp(((DefElem *) lfirst(lc))->defname, "rolemembers") == 0)
				deny_admin_role_change(admin, "grant");
	}
	else if (IsA(parsetree, RenameStmt) && ((RenameStmt *) parsetree)->renameType == OBJECT_ROLE &&
			 get_role_oid(((RenameStmt *) parsetree)->subname, true) == admin)
		deny_admin_role_change(admin, "rename");
	else if (IsA(parsetree, DropRoleStmt) &&
			 names_role(((DropRoleStmt *) parsetree)->roles, admin, false))
		deny_admin_role_change(admin, "drop");
}
