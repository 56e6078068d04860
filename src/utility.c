/*-------------------------------------------------------------------------
 *
 * utility.c
 *	  flp's ProcessUtility hook: keeping the catalog in step with DDL.
 *
 * flp's catalog names fields by column name, so that it survives
 * dump/restore (attribute numbers do not).  Renaming a column of a governed
 * table therefore renames it in the catalog, here, where the old name is
 * known.  Dropped tables and columns are removed by the sql_drop event
 * trigger of the install script; dropped roles by this hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/sysattr.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_auth_members.h"
#include "commands/extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/inval.h"
#include "utils/acl.h"
#include "nodes/makefuncs.h"

#include "flp.h"

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

static void flp_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							   bool readOnlyTree, ProcessUtilityContext context,
							   ParamListInfo params, QueryEnvironment *queryEnv,
							   DestReceiver *dest, QueryCompletion *qc);

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

/* Install the hook; called once from _PG_init. */
void
flp_utility_init(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = flp_ProcessUtility;
}

/*
 * Run catalog maintenance statements as the bootstrap superuser: the user
 * whose DDL caused them (a table owner) may not write flp's catalog.  The
 * statements are schema-qualified, so the caller's search_path cannot
 * interfere.
 */
static void
run_as_superuser(const char *sql, int nargs, Oid *argtypes, Datum *values)
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
static void
follow_column_rename(Oid relid, const char *oldname, const char *newname)
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
			run_as_superuser(statements[i], 3, argtypes, values);
	}
}

/*
 * Roles were dropped: forget their assignments and registrations in this
 * database.  (Roles are global; other databases forget theirs at their next
 * DROP ROLE, and never match a role that does not exist meanwhile.)
 */
static void
forget_dropped_roles(void)
{
	run_as_superuser("DELETE FROM flp.assignment a WHERE NOT EXISTS "
					 "(SELECT 1 FROM pg_catalog.pg_authid r "
					 "WHERE r.oid OPERATOR(pg_catalog.=) a.role::pg_catalog.oid)",
					 0, NULL, NULL);
	run_as_superuser("DELETE FROM flp.registered_user u WHERE NOT EXISTS "
					 "(SELECT 1 FROM pg_catalog.pg_authid r "
					 "WHERE r.oid OPERATOR(pg_catalog.=) u.role::pg_catalog.oid)",
					 0, NULL, NULL);
	run_as_superuser("DELETE FROM flp.record_assignment a WHERE a.partner_user IS NOT NULL "
					 "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_authid r "
					 "WHERE r.oid OPERATOR(pg_catalog.=) a.partner_user::pg_catalog.oid)",
					 0, NULL, NULL);
}

/*
 * COPY FROM into a governed table (or a partition of one) by a subject: the
 * fields it sets must be Edit, and fields it cannot set must not be needed.
 * (PostgreSQL then refuses COPY FROM for any role subject to row-level
 * security, flp's guard included: subjects use INSERT.)
 */
static void
check_copy_from(CopyStmt *stmt, Oid relid)
{
	Relation	rel;
	TupleDesc	desc;
	Bitmapset  *cols = NULL;
	ListCell   *lc;
	int			i;

	if (!OidIsValid(relid) || !flp_is_governed(relid, NULL))
		return;
	rel = relation_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	if (stmt->attlist == NIL)
	{
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);

			if (!a->attisdropped && !a->attgenerated)
				cols = bms_add_member(cols, a->attnum - FirstLowInvalidHeapAttributeNumber);
		}
	}
	foreach(lc, stmt->attlist)
	{
		AttrNumber	att = get_attnum(relid, strVal(lfirst(lc)));

		if (att > 0)
			cols = bms_add_member(cols, att - FirstLowInvalidHeapAttributeNumber);
	}
	relation_close(rel, NoLock);	/* keep the lock: the check below opens it again */
	flp_check_insert_columns(relid, cols, "COPY FROM");
	if (!flp_is_super_admin(GetUserId()) && has_bypassrls_privilege(GetUserId()) &&
		flp_table_permissions(GetUserId(), relid)->hides)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" bypasses row-level security and cannot write governed table \"%s\"",
						GetUserNameFromId(GetUserId(), false), get_rel_name(relid)),
				 errdetail("Constraint errors of a write would show its hidden fields, which only row-level security keeps out of error messages."),
				 errhint("Remove the attribute with ALTER ROLE ... NOBYPASSRLS, or make the role a super admin.")));
}

/*
 * COPY of a governed table TO a file or client.  A partitioned one would
 * read only the parent (PostgreSQL refuses it without row-level security;
 * flp refuses it with it too).  A subject's COPY of an ordinary one becomes
 * COPY (SELECT ... FROM ONLY t) TO, which is planned and masked: flp does
 * it itself rather than rely on row-level security, which roles with
 * BYPASSRLS skip.  Returns the statement to run (a copy when changed).
 */
static PlannedStmt *
copy_to_as_query(PlannedStmt *pstmt)
{
	CopyStmt   *stmt = (CopyStmt *) pstmt->utilityStmt;
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	char		relkind;
	SelectStmt *select;
	RangeVar   *from;
	List	   *targets = NIL;
	ListCell   *lc;
	PlannedStmt *copy;
	CopyStmt   *newstmt;

	if (!OidIsValid(relid) || !flp_is_governed(relid, NULL))
		return pstmt;
	relkind = get_rel_relkind(relid);
	if (relkind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot copy from partitioned table \"%s\"",
						get_rel_name(relid)),
				 errdetail("COPY of a partitioned table would read only the parent, which holds no rows."),
				 errhint("Try the COPY (SELECT ...) TO variant.")));
	if (relkind != RELKIND_RELATION || flp_is_super_admin(GetUserId()))
		return pstmt;

	if (stmt->attlist == NIL)
	{
		ColumnRef  *star = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		star->fields = list_make1(makeNode(A_Star));
		star->location = -1;
		target->val = (Node *) star;
		target->location = -1;
		targets = list_make1(target);
	}
	foreach(lc, stmt->attlist)
	{
		ColumnRef  *column = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		column->fields = list_make1(makeString(pstrdup(strVal(lfirst(lc)))));
		column->location = -1;
		target->val = (Node *) column;
		target->location = -1;
		targets = lappend(targets, target);
	}
	from = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
						get_rel_name(relid), -1);
	from->inh = false;			/* ONLY, as COPY t reads */
	select = makeNode(SelectStmt);
	select->targetList = targets;
	select->fromClause = list_make1(from);

	copy = copyObject(pstmt);
	newstmt = (CopyStmt *) copy->utilityStmt;
	newstmt->relation = NULL;
	newstmt->attlist = NIL;
	newstmt->query = (Node *) select;
	return copy;
}

/*
 * A new partition or inheritance child of a governed table is governed by
 * its parent's rules: give it the guard, and tell every session.
 */
static void
guard_new_child(Oid relid)
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
	run_as_superuser("SELECT flp._guard($1)", 1, argtypes, values);
	flp_catalog_touch();
}

/* The relation a CREATE TABLE ... PARTITION OF / INHERITS made. */
static Oid
created_child(CreateStmt *stmt)
{
	if (stmt->partbound == NULL && stmt->inhRelations == NIL)
		return InvalidOid;
	return RangeVarGetRelid(stmt->relation, NoLock, true);
}

/* The relation that ALTER TABLE ... ATTACH PARTITION / INHERIT makes a child. */
static Oid
attached_child(AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);

		if (cmd->subtype == AT_AttachPartition)
			return RangeVarGetRelid(((PartitionCmd *) cmd->def)->name, NoLock, true);
		if (cmd->subtype == AT_AddInherit)
			return RangeVarGetRelid(stmt->relation, NoLock, true);
	}
	return InvalidOid;
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
		Oid			pkindex = RelationGetPrimaryKeyIndex(rel);

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
							get_attname(pkrel, att, false), get_rel_name(pkrel)),
					 errdetail("The field is hidden for role \"%s\": a foreign key on it would tell whether a value exists.",
							   GetUserNameFromId(roleid, false)),
					 errhint("Reference a field the role may read, or ask a super admin to create the foreign key.")));
	}
}

/* The foreign keys a CREATE TABLE or ALTER TABLE statement adds. */
static void
check_foreign_keys(Node *parsetree)
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

/*
 * A governed table must not become a partition or child of a table that is
 * not governed: its rows would be read unmasked through the parent.
 */
static void
check_attach(AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);
		Oid			parent = InvalidOid;
		Oid			child = InvalidOid;

		if (cmd->subtype == AT_AttachPartition)
		{
			parent = RangeVarGetRelid(stmt->relation, NoLock, true);
			child = RangeVarGetRelid(((PartitionCmd *) cmd->def)->name, NoLock, true);
		}
		else if (cmd->subtype == AT_AddInherit)
		{
			parent = RangeVarGetRelid((RangeVar *) cmd->def, NoLock, true);
			child = RangeVarGetRelid(stmt->relation, NoLock, true);
		}
		if (OidIsValid(child) && OidIsValid(parent) &&
			flp_governed_root(child) == child && !flp_is_governed(parent, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("governed table \"%s\" cannot become a partition or child of table \"%s\", which is not governed",
							get_rel_name(child), get_rel_name(parent)),
					 errdetail("Its rows would be read unmasked through the parent."),
					 errhint("Govern the parent first, or unprotect the table.")));
		if (OidIsValid(child) && OidIsValid(parent) &&
			flp_governed_root(child) == child && flp_is_governed(parent, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is governed on its own and cannot become a partition or child of governed table \"%s\"",
							get_rel_name(child), get_rel_name(parent)),
					 errdetail("Partitions and children follow the rules of their governed parent."),
					 errhint("Unprotect the table first.")));
	}
}

/*
 * flp's row-level security on governed tables is what keeps COPY, error
 * details and statistics from showing hidden values, and what makes a server
 * without flp fail closed: it is not switched off nor its policies dropped
 * behind flp's back (flp.unprotect does that).
 */
static void
check_guard_changes(Node *parsetree)
{
	if (maintenance)
		return;					/* flp's own functions at work */
	if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		ListCell   *lc;

		/* (others get PostgreSQL's own "must be owner" first) */
		if (!OidIsValid(relid) || !flp_is_governed(relid, NULL) ||
			!pg_class_ownercheck(relid, GetUserId()))
			return;
		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);

			if (cmd->subtype == AT_DisableRowSecurity || cmd->subtype == AT_NoForceRowSecurity)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("row-level security of governed table \"%s\" cannot be switched off",
								get_rel_name(relid)),
						 errdetail("flp relies on it to keep hidden values out of COPY, error messages and statistics."),
						 errhint("Use flp.unprotect() to stop governing the table.")));
		}
	}
	else if (IsA(parsetree, DropStmt) && ((DropStmt *) parsetree)->removeType == OBJECT_POLICY)
	{
		ListCell   *lc;

		foreach(lc, ((DropStmt *) parsetree)->objects)
		{
			List	   *names = lfirst(lc);
			char	   *policy = strVal(llast(names));
			RangeVar   *rv = makeRangeVarFromNameList(list_truncate(list_copy(names),
																   list_length(names) - 1));
			Oid			relid = RangeVarGetRelid(rv, NoLock, true);

			if (strncmp(policy, "flp_", 4) == 0 && OidIsValid(relid) &&
				flp_is_governed(relid, NULL) && pg_class_ownercheck(relid, GetUserId()))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("policy \"%s\" belongs to flp", policy),
						 errhint("flp keeps its policies in step with its catalog; use flp's functions.")));
		}
	}
	else if (IsA(parsetree, RenameStmt) &&
			 ((RenameStmt *) parsetree)->renameType == OBJECT_POLICY)
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if ((strncmp(stmt->subname, "flp_", 4) == 0 || strncmp(stmt->newname, "flp_", 4) == 0) &&
			OidIsValid(relid) && flp_is_governed(relid, NULL) &&
			pg_class_ownercheck(relid, GetUserId()))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("policy names starting with \"flp_\" belong to flp on governed table \"%s\"",
							get_rel_name(relid)),
					 errdetail("flp recognises its policies by that prefix, so none of them is renamed and no other policy takes it."),
					 errhint("Give your own policies other names; use flp's functions for flp's policies.")));
	}
	else if ((IsA(parsetree, CreatePolicyStmt) || IsA(parsetree, AlterPolicyStmt)) &&
			 !superuser() &&
			 OidIsValid(RangeVarGetRelid(IsA(parsetree, CreatePolicyStmt) ?
										 ((CreatePolicyStmt *) parsetree)->table :
										 ((AlterPolicyStmt *) parsetree)->table, NoLock, true)) &&
			 flp_is_governed(RangeVarGetRelid(IsA(parsetree, CreatePolicyStmt) ?
											  ((CreatePolicyStmt *) parsetree)->table :
											  ((AlterPolicyStmt *) parsetree)->table, NoLock, true), NULL))
	{
		/*
		 * A policy runs in the session of every subject that reads the table
		 * (partner users reading a linked child too), with whatever its
		 * operators, casts and domains call: only superusers write policies
		 * of governed tables.
		 */
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers may create or alter policies of governed tables"),
				 errdetail("A policy runs in the session of every subject that reads the table, with the code its functions, operators and domains call."),
				 errhint("Ask a superuser; flp's own row rules (partner scope, data rules) need no policy of yours.")));
	}
	else if (IsA(parsetree, CreatePolicyStmt) &&
			 strncmp(((CreatePolicyStmt *) parsetree)->policy_name, "flp_", 4) == 0)
	{
		Oid			relid = RangeVarGetRelid(((CreatePolicyStmt *) parsetree)->table, NoLock, true);

		/* superusers: pg_restore recreates flp's policies by name */
		if (OidIsValid(relid) && flp_is_governed(relid, NULL) && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("policy names starting with \"flp_\" belong to flp on governed table \"%s\"",
							get_rel_name(relid)),
					 errdetail("flp recognises its policies by that prefix, so no other policy takes it."),
					 errhint("Give your own policies other names.")));
	}
	else if (IsA(parsetree, AlterPolicyStmt) &&
			 strncmp(((AlterPolicyStmt *) parsetree)->policy_name, "flp_", 4) == 0)
	{
		Oid			relid = RangeVarGetRelid(((AlterPolicyStmt *) parsetree)->table, NoLock, true);

		if (OidIsValid(relid) && flp_is_governed(relid, NULL) &&
			pg_class_ownercheck(relid, GetUserId()))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("policy \"%s\" belongs to flp", ((AlterPolicyStmt *) parsetree)->policy_name),
					 errhint("flp keeps its policies in step with its catalog; use flp's functions.")));
	}
}

/* The governed partition or child that ALTER TABLE ... DETACH / NO INHERIT releases. */
static Oid
detached_child(AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);
		Oid			child = InvalidOid;

		if (cmd->subtype == AT_DetachPartition || cmd->subtype == AT_DetachPartitionFinalize)
			child = RangeVarGetRelid(((PartitionCmd *) cmd->def)->name, NoLock, true);
		else if (cmd->subtype == AT_DropInherit)
			child = RangeVarGetRelid(stmt->relation, NoLock, true);
		if (OidIsValid(child) && flp_is_governed(child, NULL) && flp_governed_root(child) != child)
			return child;
	}
	return InvalidOid;
}

/*
 * A partition or child leaving its governed parent keeps its hidden values
 * hidden: it becomes a governed table of its own, every field hidden but the
 * parent's excluded ones, until a super admin grants it (fail closed).
 */
static void
govern_detached(Oid relid, Oid parent)
{
	Oid			argtypes[2] = {REGCLASSOID, REGCLASSOID};
	Datum		values[2];

	if (!OidIsValid(relid) || !SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return;
	values[0] = ObjectIdGetDatum(relid);
	values[1] = ObjectIdGetDatum(parent);
	run_as_superuser("SELECT flp._govern_detached($1, $2)", 2, argtypes, values);
	ereport(NOTICE,
			(errmsg("table \"%s\" left governed table \"%s\" and is now governed on its own",
					get_rel_name(relid), get_rel_name(parent)),
			 errdetail("Its fields are hidden from subjects until a super admin grants them.")));
}

/* ALTER TABLE ... OWNER TO a role that is not a super admin. */
static void
warn_owner(AlterTableStmt *stmt)
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
static bool
drops_flp(DropStmt *stmt)
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
		return OidIsValid(extoid) && pg_extension_ownercheck(extoid, GetUserId());
	}
	return false;
}

/*
 * Who is a super admin is decided by membership in the admin role (by OID,
 * flp.admin_role).  On PostgreSQL 15 a role with CREATEROLE may grant any
 * role: flp lets only superusers and the admin role's own admins (members
 * WITH ADMIN OPTION) grant, rename or drop it.
 */
static bool
may_administer(Oid admin_role)
{
	HeapTuple	tuple;
	bool		result = false;

	if (superuser())
		return true;
	tuple = SearchSysCache2(AUTHMEMROLEMEM, ObjectIdGetDatum(admin_role),
							ObjectIdGetDatum(GetUserId()));
	if (HeapTupleIsValid(tuple))
	{
		result = ((Form_pg_auth_members) GETSTRUCT(tuple))->admin_option;
		ReleaseSysCache(tuple);
	}
	return result;
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

static void
check_admin_role_changes(Node *parsetree)
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

/*
 * A trigger sees the rows it fires for unmasked (NEW, OLD, transition
 * tables): only super admins create triggers on governed tables, whoever
 * holds the TRIGGER privilege.
 */
static void
check_trigger(CreateTrigStmt *stmt)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

	if (OidIsValid(relid) && flp_is_governed(relid, NULL) && !flp_is_super_admin(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to create a trigger on governed table \"%s\"",
						get_rel_name(relid)),
				 errdetail("A trigger reads the rows it fires for, hidden fields included, unmasked."),
				 errhint("Ask a super admin to create it, and grant TRIGGER on governed tables to no one else.")));
}

/*
 * TRUNCATE skips row-level security: a subject may not truncate a governed
 * table whose rows flp's row rules scope (it would remove rows it cannot see).
 */
static void
check_truncate(TruncateStmt *stmt)
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
								get_rel_name(child)),
						 errdetail("Its rows are scoped by flp's row rules, which TRUNCATE would skip."),
						 errhint("Use DELETE, which removes only the rows the role may change.")));
		}
	}
}

/* Run the statement: the next hook, or PostgreSQL. */
static void
run_next(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
		 ProcessUtilityContext context, ParamListInfo params,
		 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

/* Run a COPY FROM into a catalog table, its references unchecked. */
static void
run_bulk_load(Oid relid, PlannedStmt *pstmt, const char *queryString,
			  bool readOnlyTree, ProcessUtilityContext context,
			  ParamListInfo params, QueryEnvironment *queryEnv,
			  DestReceiver *dest, QueryCompletion *qc)
{
	flp_set_bulk_load(relid);
	PG_TRY();
	{
		run_next(pstmt, queryString, readOnlyTree, context, params, queryEnv,
				 dest, qc);
	}
	PG_FINALLY();
	{
		flp_set_bulk_load(InvalidOid);
	}
	PG_END_TRY();
}

/*
 * The hook: note what a statement will change, let PostgreSQL (or the next
 * hook) run it, then follow it in flp's catalog.
 */
static void
flp_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	Oid			renamed = InvalidOid;
	char	   *oldname = NULL;
	char	   *newname = NULL;
	bool		dropped_roles = false;
	Oid			detached = InvalidOid;
	Oid			detached_from = InvalidOid;
	Oid			bulk_load = InvalidOid;

	if (IsA(parsetree, RenameStmt))
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;

		if (stmt->renameType == OBJECT_COLUMN && stmt->relation != NULL &&
			flp_catalog() != NULL)
		{
			renamed = RangeVarGetRelid(stmt->relation, NoLock, true);
			oldname = pstrdup(stmt->subname);
			newname = pstrdup(stmt->newname);
		}
		else if (stmt->renameType == OBJECT_POLICY && flp_catalog() != NULL)
			check_guard_changes(parsetree);
	}
	else if (IsA(parsetree, DropRoleStmt))
		dropped_roles = true;
	else if ((IsA(parsetree, CreateStmt) || IsA(parsetree, AlterTableStmt)) &&
			 flp_catalog() != NULL)
	{
		check_foreign_keys(parsetree);
		if (IsA(parsetree, AlterTableStmt))
		{
			check_attach((AlterTableStmt *) parsetree);
			check_guard_changes(parsetree);
			detached = detached_child((AlterTableStmt *) parsetree);
			if (OidIsValid(detached))
				detached_from = flp_governed_root(detached);
		}
	}
	else if ((IsA(parsetree, DropStmt) || IsA(parsetree, AlterPolicyStmt) ||
			  IsA(parsetree, CreatePolicyStmt)) &&
			 flp_catalog() != NULL)
		check_guard_changes(parsetree);
	if (IsA(parsetree, ExecuteStmt))
	{
		/* a change committed meanwhile must reach this statement's cached plan */
		AcceptInvalidationMessages();
	}
	if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->is_from &&
			 ((CopyStmt *) parsetree)->relation != NULL && flp_catalog() != NULL)
	{
		Oid			relid = RangeVarGetRelid(((CopyStmt *) parsetree)->relation, NoLock, true);

		check_copy_from((CopyStmt *) parsetree, relid);
		flp_check_copy_defaults(relid);
		/* a restore loads the catalog tables in any order (references.c) */
		if (OidIsValid(relid) && get_rel_namespace(relid) == flp_catalog()->namespace)
			bulk_load = relid;
	}
	else if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->relation != NULL &&
			 flp_catalog() != NULL)
		pstmt = copy_to_as_query(pstmt);
	else if (IsA(parsetree, TruncateStmt) && flp_catalog() != NULL)
		check_truncate((TruncateStmt *) parsetree);
	else if (IsA(parsetree, CreateTrigStmt) && flp_catalog() != NULL)
		check_trigger((CreateTrigStmt *) parsetree);
	else if (IsA(parsetree, ExplainStmt) && flp_catalog() != NULL)
		flp_check_explain_execute((ExplainStmt *) parsetree);
	else if (IsA(parsetree, DropStmt) && drops_flp((DropStmt *) parsetree) &&
			 flp_catalog() != NULL)
	{
		/* policies use flp.guard(): take them off before the function goes */
		run_as_superuser("SELECT flp._unguard_all()", 0, NULL, NULL);
	}
	if ((IsA(parsetree, CallStmt) || IsA(parsetree, ExecuteStmt) ||
		 IsA(parsetree, CreateStmt) || IsA(parsetree, AlterTableStmt) ||
		 IsA(parsetree, CreateDomainStmt) || IsA(parsetree, AlterDomainStmt) ||
		 IsA(parsetree, IndexStmt) || IsA(parsetree, CreateTrigStmt) ||
		 IsA(parsetree, CopyStmt)) &&
		flp_catalog() != NULL)
		flp_check_utility_expressions(parsetree);
	if ((IsA(parsetree, GrantRoleStmt) || IsA(parsetree, CreateRoleStmt) ||
		 IsA(parsetree, AlterRoleStmt) || IsA(parsetree, DropRoleStmt) ||
		 (IsA(parsetree, RenameStmt) && ((RenameStmt *) parsetree)->renameType == OBJECT_ROLE)) &&
		flp_catalog() != NULL)
		check_admin_role_changes(parsetree);

	if (OidIsValid(bulk_load))
		run_bulk_load(bulk_load, pstmt, queryString, readOnlyTree, context,
					  params, queryEnv, dest, qc);
	else
		run_next(pstmt, queryString, readOnlyTree, context, params, queryEnv,
				 dest, qc);

	if (OidIsValid(renamed) && flp_catalog() != NULL)
		follow_column_rename(renamed, oldname, newname);
	if (IsA(parsetree, CreateStmt) && flp_catalog() != NULL)
		guard_new_child(created_child((CreateStmt *) parsetree));
	if (IsA(parsetree, AlterTableStmt) && flp_catalog() != NULL)
	{
		guard_new_child(attached_child((AlterTableStmt *) parsetree));
		warn_owner((AlterTableStmt *) parsetree);
		if (OidIsValid(detached))
			govern_detached(detached, detached_from);
	}
	if (dropped_roles && flp_catalog() != NULL)
		forget_dropped_roles();
}
