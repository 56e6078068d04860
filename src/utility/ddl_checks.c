/*-------------------------------------------------------------------------
 *
 * ddl_checks.c
 *	  DDL refused or watched on governed tables.
 *
 * What a table owner could otherwise do around flp: foreign keys onto
 * hidden fields, switching off the row-level security that guards a governed
 * table, dropping, renaming or writing flp's policies, triggers by
 * non-super-admins, TRUNCATE of scoped tables; and a warning when a governed
 * table is given to an owner who is not a super admin.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "flp.h"
#include "utility/utility.h"

/*
 * flp.maintenance: set only by flp's own functions (SET clause) while they
 * change flp's policies and row-level security settings, which flp otherwise
 * refuses to change.  Not for administrators.
 */
static bool maintenance = false;

/* Define flp.maintenance; called once from _PG_init. */
void
flp_maintenance_init(void)
{
	DefineCustomBoolVariable("flp.maintenance",
							 "Set by flp's own functions while they change its policies.",
							 NULL,
							 &maintenance,
							 false,
							 PGC_SUSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);
}

/*
 * A foreign key onto a field hidden from its creator would tell, at every
 * insert, whether a value exists (PostgreSQL checks foreign keys as the
 * referenced table's owner, unmasked): refuse it.
 */
static void
check_foreign_key(Constraint *con)
{
	Oid			roleid = GetUserId();
	Oid			pkrel;
	List	   *attnums = NIL;
	ListCell   *lc;

	if (con == NULL || !IsA(con, Constraint) || con->contype != CONSTR_FOREIGN)
		return;
	pkrel = RangeVarGetRelid(con->pktable, NoLock, true);
	if (!OidIsValid(pkrel) || !flp_is_governed(pkrel, NULL) || flp_is_super_admin(roleid))
		return;
	foreach(lc, con->pk_attrs)
		attnums = lappend_int(attnums, get_attnum(pkrel, strVal(lfirst(lc))));
	if (con->pk_attrs == NIL)
	{
		Relation	rel = relation_open(pkrel, AccessShareLock);
		Oid			pkindex = flp_primary_key_index(rel);

		relation_close(rel, AccessShareLock);
		if (OidIsValid(pkindex))
		{
			HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkindex));

			if (HeapTupleIsValid(tuple))
			{
				Form_pg_index index = (Form_pg_index) GETSTRUCT(tuple);
				int			i;

				for (i = 0; i < index->indnkeyatts; i++)
					attnums = lappend_int(attnums, index->indkey.values[i]);
				ReleaseSysCache(tuple);
			}
		}
	}
	foreach(lc, attnums)
	{
		AttrNumber	att = lfirst_int(lc);

		if (att > 0 && flp_field_permission(roleid, pkrel, att) == FLP_HIDE)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to reference field \"%s\" of table \"%s\"",
							get_attname(pkrel, att, false), flp_table_name(pkrel)),
					 errdetail("The field is hidden for role \"%s\": a foreign key on it would tell whether a value exists.",
							   GetUserNameFromId(roleid, false)),
					 errhint("Reference a field the role may read, or ask a super admin to create the foreign key."),
					 flp_errtablecol(pkrel, att)));
	}
}

/* The foreign keys a CREATE TABLE or ALTER TABLE statement adds. */
void
flp_check_foreign_keys(Node *parsetree)
{
	ListCell   *lc;
	ListCell   *lc2;

	if (IsA(parsetree, CreateStmt))
	{
		foreach(lc, ((CreateStmt *) parsetree)->tableElts)
		{
			Node	   *elt = lfirst(lc);

			if (IsA(elt, Constraint))
				check_foreign_key((Constraint *) elt);
			else if (IsA(elt, ColumnDef))
				foreach(lc2, ((ColumnDef *) elt)->constraints)
					check_foreign_key(lfirst(lc2));
		}
		foreach(lc, ((CreateStmt *) parsetree)->constraints)
			check_foreign_key(lfirst(lc));
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);

			if (cmd->subtype == AT_AddConstraint)
				check_foreign_key((Constraint *) cmd->def);
			else if (cmd->subtype == AT_AddColumn && IsA(cmd->def, ColumnDef))
				foreach(lc2, ((ColumnDef *) cmd->def)->constraints)
					check_foreign_key(lfirst(lc2));
		}
	}
}

/* The governed table of a statement that names one, if its owner runs it. */
static Oid
owned_governed(RangeVar *rv)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);

	/* (others get PostgreSQL's own "must be owner" first) */
	if (!OidIsValid(relid) || !flp_is_governed(relid, NULL) ||
		!flp_relation_owned_by(relid, GetUserId()))
		return InvalidOid;
	return relid;
}

/* ALTER TABLE ... DISABLE / NO FORCE ROW LEVEL SECURITY */
static void
check_rls_switch(AlterTableStmt *stmt)
{
	Oid			relid = owned_governed(stmt->relation);
	ListCell   *lc;

	if (!OidIsValid(relid))
		return;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);

		if (cmd->subtype == AT_DisableRowSecurity || cmd->subtype == AT_NoForceRowSecurity)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("row-level security of governed table \"%s\" cannot be switched off",
							flp_table_name(relid)),
					 errdetail("flp relies on it to keep hidden values out of COPY, error messages and statistics."),
					 errhint("Use flp.unprotect() to stop governing the table.")));
	}
}

static void
deny_flp_policy_change(const char *policy)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("policy \"%s\" belongs to flp", policy),
			 errhint("flp keeps its policies in step with its catalog; use flp's functions.")));
}

/* DROP POLICY flp_... ON a governed table */
static void
check_policy_drop(DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		List	   *names = lfirst(lc);
		char	   *policy = strVal(llast(names));
		RangeVar   *rv = makeRangeVarFromNameList(list_truncate(list_copy(names),
															   list_length(names) - 1));

		if (strncmp(policy, "flp_", 4) == 0 && OidIsValid(owned_governed(rv)))
			deny_flp_policy_change(policy);
	}
}

/* ALTER POLICY ... RENAME from or to flp_... */
static void
check_policy_rename(RenameStmt *stmt)
{
	Oid			relid;

	if (strncmp(stmt->subname, "flp_", 4) != 0 && strncmp(stmt->newname, "flp_", 4) != 0)
		return;
	relid = owned_governed(stmt->relation);
	if (OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("policy names starting with \"flp_\" belong to flp on governed table \"%s\"",
						flp_table_name(relid)),
				 errdetail("flp recognises its policies by that prefix, so none of them is renamed and no other policy takes it."),
				 errhint("Give your own policies other names; use flp's functions for flp's policies.")));
}

/*
 * CREATE or ALTER POLICY on a governed table.  A policy runs in the session
 * of every subject that reads the table (partner users reading a linked
 * child too), with whatever its operators, casts and domains call: only
 * superusers write policies of governed tables.
 */
static void
check_policy_definition(Node *parsetree)
{
	bool		create = IsA(parsetree, CreatePolicyStmt);
	RangeVar   *table = create ? ((CreatePolicyStmt *) parsetree)->table :
		((AlterPolicyStmt *) parsetree)->table;
	char	   *policy = create ? ((CreatePolicyStmt *) parsetree)->policy_name :
		((AlterPolicyStmt *) parsetree)->policy_name;
	Oid			relid = RangeVarGetRelid(table, NoLock, true);

	if (!OidIsValid(relid) || !flp_is_governed(relid, NULL))
		return;
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers may create or alter policies of governed tables"),
				 errdetail("A policy runs in the session of every subject that reads the table, with the code its functions, operators and domains call."),
				 errhint("Ask a superuser; flp's own row rules (partner scope, data rules) need no policy of yours.")));
	/* superusers: pg_restore recreates flp's policies by name */
	if (strncmp(policy, "flp_", 4) == 0 && !create &&
		flp_relation_owned_by(relid, GetUserId()))
		deny_flp_policy_change(policy);
}

/*
 * flp's row-level security on governed tables is what keeps COPY, error
 * details and statistics from showing hidden values, and what makes a server
 * without flp fail closed: it is not switched off nor its policies dropped
 * behind flp's back (flp.unprotect does that).
 */
void
flp_check_guard_changes(Node *parsetree)
{
	if (maintenance)
		return;					/* flp's own functions at work */
	if (IsA(parsetree, AlterTableStmt))
		check_rls_switch((AlterTableStmt *) parsetree);
	else if (IsA(parsetree, DropStmt) && ((DropStmt *) parsetree)->removeType == OBJECT_POLICY)
		check_policy_drop((DropStmt *) parsetree);
	else if (IsA(parsetree, RenameStmt) &&
			 ((RenameStmt *) parsetree)->renameType == OBJECT_POLICY)
		check_policy_rename((RenameStmt *) parsetree);
	else if (IsA(parsetree, CreatePolicyStmt) || IsA(parsetree, AlterPolicyStmt))
		check_policy_definition(parsetree);
}

/* ALTER TABLE ... OWNER TO a role that is not a super admin. */
void
flp_warn_owner(AlterTableStmt *stmt)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	ListCell   *lc;

	if (!OidIsValid(relid) || !flp_is_governed(relid, NULL))
		return;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);

		if (cmd->subtype == AT_ChangeOwner && cmd->newowner)
		{
			Oid			owner = get_rolespec_oid(cmd->newowner, true);

			if (OidIsValid(owner) && !flp_is_super_admin(owner))
				ereport(WARNING,
						(errmsg("governed table \"%s\" is now owned by role \"%s\", which is not a super admin",
								get_rel_name(relid), GetUserNameFromId(owner, false)),
						 errdetail("A table's owner can change or drop it, its policies and its triggers.")));
		}
	}
}

/* Is this DROP EXTENSION flp? */
bool
flp_drops_flp(DropStmt *stmt)
{
	ListCell   *lc;

	if (stmt->removeType != OBJECT_EXTENSION)
		return false;
	foreach(lc, stmt->objects)
	{
		Oid			extoid;

		if (strcmp(strVal(lfirst(lc)), "flp") != 0)
			continue;
		/* only its owner: others get PostgreSQL's error, having locked nothing */
		extoid = get_extension_oid("flp", true);
		return OidIsValid(extoid) && flp_extension_owned_by(extoid, GetUserId());
	}
	return false;
}

/*
 * A trigger sees the rows it fires for unmasked (NEW, OLD, transition
 * tables): only super admins create triggers on governed tables, whoever
 * holds the TRIGGER privilege.
 */
void
flp_check_trigger(CreateTrigStmt *stmt)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

	if (OidIsValid(relid) && flp_is_governed(relid, NULL) && !flp_is_super_admin(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to create a trigger on governed table \"%s\"",
						flp_table_name(relid)),
				 errdetail("A trigger reads the rows it fires for, hidden fields included, unmasked."),
				 errhint("Ask a super admin to create it, and grant TRIGGER on governed tables to no one else."),
				 flp_errtablecol(relid, 0)));
}

/*
 * TRUNCATE skips row-level security: a subject may not truncate a governed
 * table whose rows flp's row rules scope (it would remove rows it cannot see).
 */
void
flp_check_truncate(TruncateStmt *stmt)
{
	ListCell   *lc;

	if (flp_is_super_admin(GetUserId()))
		return;
	foreach(lc, stmt->relations)
	{
		Oid			relid = RangeVarGetRelid(lfirst(lc), NoLock, true);
		List	   *tree;
		ListCell   *lc2;

		if (!OidIsValid(relid))
			continue;
		/* the table, and (without ONLY) its partitions and children */
		tree = ((RangeVar *) lfirst(lc))->inh ? find_all_inheritors(relid, NoLock, NULL) :
			list_make1_oid(relid);
		/* and CASCADE truncates the tables that reference them, and so on */
		if (stmt->behavior == DROP_CASCADE)
		{
			List	   *more = tree;

			while ((more = list_difference_oid(heap_truncate_find_FKs(more), tree)) != NIL)
				tree = list_concat_unique_oid(tree, more);
		}
		foreach(lc2, tree)
		{
			Oid			child = lfirst_oid(lc2);

			if (flp_is_governed(child, NULL) && flp_has_row_rules(child))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to truncate governed table \"%s\"",
								flp_table_name(child)),
						 errdetail("Its rows are scoped by flp's row rules, which TRUNCATE would skip."),
						 errhint("Use DELETE, which removes only the rows the role may change."),
						 flp_errtablecol(child, 0)));
		}
	}
}
