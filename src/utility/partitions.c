/*-------------------------------------------------------------------------
 *
 * partitions.c
 *	  Partitions and children of governed tables.
 *
 * A partition or inheritance child of a governed table follows the rules of
 * its governed parent: it gets flp's guard when it is created or attached, and
 * one detached keeps being governed on its own.  Attaching a table that flp
 * protects itself under another parent is refused.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "utility/utility.h"

/*
 * A new partition or inheritance child of a governed table is governed by
 * its parent's rules: give it the guard, and tell every session.
 */
void
flp_guard_new_child(Oid relid)
{
	Oid			root;
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		values[1];

	if (!OidIsValid(relid))
		return;
	flp_flush_caches();
	root = flp_governed_root(relid);
	if (!OidIsValid(root) || root == relid)
		return;
	values[0] = ObjectIdGetDatum(relid);
	flp_run_as_superuser("SELECT flp_internal.guard($1)", 1, argtypes, values);
	flp_catalog_touch();
}

/* The relation a CREATE TABLE ... PARTITION OF / INHERITS made. */
Oid
flp_created_child(CreateStmt *stmt)
{
	if (stmt->partbound == NULL && stmt->inhRelations == NIL)
		return InvalidOid;
	return RangeVarGetRelid(stmt->relation, NoLock, true);
}

/*
 * The parent and the child of one ALTER TABLE command that attaches
 * (ATTACH PARTITION, INHERIT) or detaches (DETACH PARTITION, NO INHERIT);
 * false for other commands.
 */
static bool
command_relations(AlterTableStmt *stmt, AlterTableCmd *cmd, bool attach,
				  Oid *parent, Oid *child)
{
	Oid			named = RangeVarGetRelid(stmt->relation, NoLock, true);

	if ((attach && cmd->subtype == AT_AttachPartition) ||
		(!attach && (cmd->subtype == AT_DetachPartition ||
					 cmd->subtype == AT_DetachPartitionFinalize)))
	{
		*parent = named;
		*child = RangeVarGetRelid(((PartitionCmd *) cmd->def)->name, NoLock, true);
		return true;
	}
	if ((attach && cmd->subtype == AT_AddInherit) ||
		(!attach && cmd->subtype == AT_DropInherit))
	{
		*parent = RangeVarGetRelid((RangeVar *) cmd->def, NoLock, true);
		*child = named;
		return true;
	}
	return false;
}

/* The relation that ALTER TABLE ... ATTACH PARTITION / INHERIT makes a child. */
Oid
flp_attached_child(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			parent;
	Oid			child;

	foreach(lc, stmt->cmds)
		if (command_relations(stmt, lfirst(lc), true, &parent, &child))
			return child;
	return InvalidOid;
}

/*
 * A governed table must not become a partition or child of a table that is
 * not governed: its rows would be read unmasked through the parent.
 */
void
flp_check_attach(AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		Oid			parent = InvalidOid;
		Oid			child = InvalidOid;

		if (!command_relations(stmt, lfirst(lc), true, &parent, &child) ||
			!OidIsValid(child) || !OidIsValid(parent) || flp_governed_root(child) != child)
			continue;
		if (!flp_is_governed(parent, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("governed table \"%s\" cannot become a partition or child of table \"%s\", which is not governed",
							flp_table_name(child), flp_table_name(parent)),
					 errdetail("Its rows would be read unmasked through the parent."),
					 errhint("Govern the parent first, or unprotect the table.")));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is governed on its own and cannot become a partition or child of governed table \"%s\"",
						flp_table_name(child), flp_table_name(parent)),
				 errdetail("Partitions and children follow the rules of their governed parent."),
				 errhint("Unprotect the table first.")));
	}
}

/* The governed partition or child that ALTER TABLE ... DETACH / NO INHERIT releases. */
Oid
flp_detached_child(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			parent;
	Oid			child;

	foreach(lc, stmt->cmds)
		if (command_relations(stmt, lfirst(lc), false, &parent, &child) &&
			OidIsValid(child) && flp_is_governed(child, NULL) &&
			flp_governed_root(child) != child)
			return child;
	return InvalidOid;
}

/*
 * A partition or child leaving its governed parent keeps its hidden values
 * hidden: it becomes a governed table of its own, every field hidden but the
 * parent's excluded ones, until a super admin grants it (fail closed).
 */
void
flp_govern_detached(Oid relid, Oid parent)
{
	Oid			argtypes[2] = {REGCLASSOID, REGCLASSOID};
	Datum		values[2];

	if (!OidIsValid(relid) || !SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return;
	values[0] = ObjectIdGetDatum(relid);
	values[1] = ObjectIdGetDatum(parent);
	flp_run_as_superuser("SELECT flp_internal.govern_detached($1, $2)", 2, argtypes, values);
	ereport(NOTICE,
			(errmsg("table \"%s\" left governed table \"%s\" and is now governed on its own",
					get_rel_name(relid), get_rel_name(parent)),
			 errdetail("Its fields are hidden from subjects until a super admin grants them.")));
}
