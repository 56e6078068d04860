/*-------------------------------------------------------------------------
 *
 * copy.c
 *	  COPY of governed tables: TO as a masked query, FROM checked.
 *
 * COPY reads and writes tables without the planner, so it would bypass
 * flp's masks and write checks: COPY t TO by a subject runs as the query
 * COPY (SELECT ... FROM t) TO, which the planner hook masks, and COPY t FROM
 * is refused for fields the role may not set.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/sysattr.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "flp.h"
#include "utility/utility.h"

/*
 * COPY FROM into a governed table (or a partition of one) by a subject: the
 * fields it sets must be Edit, and fields it cannot set must not be needed.
 * (PostgreSQL then refuses COPY FROM for any role subject to row-level
 * security, flp's guard included: subjects use INSERT.)
 */
void
flp_check_copy_from(CopyStmt *stmt, Oid relid)
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
						GetUserNameFromId(GetUserId(), false), flp_table_name(relid)),
				 errdetail("Constraint errors of a write would show its hidden fields, which only row-level security keeps out of error messages."),
				 errhint("Remove the attribute with ALTER ROLE ... NOBYPASSRLS, or make the role a super admin."),
				 flp_errtablecol(relid, 0)));
}

/*
 * COPY of a governed table TO a file or client.  A partitioned one would
 * read only the parent (PostgreSQL refuses it without row-level security;
 * flp refuses it with it too).  A subject's COPY of an ordinary one becomes
 * COPY (SELECT ... FROM ONLY t) TO, which is planned and masked: flp does
 * it itself rather than rely on row-level security, which roles with
 * BYPASSRLS skip.  Returns the statement to run (a copy when changed).
 */
PlannedStmt *
flp_copy_to_as_query(PlannedStmt *pstmt)
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
						flp_table_name(relid)),
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
