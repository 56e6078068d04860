/*-------------------------------------------------------------------------
 *
 * marks.c
 *	  Plan marks: no plan of flp is reused by another role or after a change.
 *
 * A plan of a query that touches a governed table depends on the role (its
 * masks are that role's) and on flp's catalog.  It is marked so that the
 * plan cache replans it for another role or after a change of the catalog,
 * and it carries the generation of flp's rules it was made under, checked
 * again when it starts (below).  A plan that reads a governed table without
 * the mark was not made through flp's planner hook: hook_order.c refuses it
 * while another library's planner hook runs before flp's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "utils/inval.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * Cache ids of the PlanInvalItems marking flp's plans (no syscache has
 * them): the generation of flp's rules a plan was made under, and the serial
 * number of a plan not started yet (used once started); see
 * flp_check_plan_marks.
 */
#define FLP_PLAN_MARK (-0x464c50)
#define FLP_PLAN_FRESH (-0x464c51)
#define FLP_PLAN_STARTED (-0x464c52)
#define FLP_PLAN_PUBLISHED (-0x464c53)	/* a subject's plan reads a published view */

/* The serial number of the plan flp made last in this backend. */
static uint32 last_plan_serial = 0;

/*
 * Mark a plan of a query that touches a governed table, made under the
 * generation made_with of flp's rules (flp_policy_generation()); published:
 * a subject's plan that reads a published report view (hooks.c withholds the
 * data exceptions it raises).
 */
void
flp_mark_plan(PlannedStmt *result, uint64 made_with, bool published)
{
	const FlpCatalog *c = flp_catalog();
	PlanInvalItem *mark;

	/*
	 * Never reuse this plan for another role (super admins included: their
	 * plan is unmasked), and replan after any change of flp's catalog.
	 */
	result->dependsOnRole = true;
	if (c != NULL)
		result->relationOids = lappend_oid(result->relationOids, c->governed_table);

	/* and never run it once what it was made with has changed (below) */
	mark = makeNode(PlanInvalItem);
	mark->cacheId = FLP_PLAN_MARK;
	mark->hashValue = (uint32) made_with;
	result->invalItems = lappend(result->invalItems, mark);
	mark = makeNode(PlanInvalItem);
	mark->cacheId = FLP_PLAN_FRESH;
	mark->hashValue = ++last_plan_serial;
	result->invalItems = lappend(result->invalItems, mark);
	if (published)
	{
		mark = makeNode(PlanInvalItem);
		mark->cacheId = FLP_PLAN_PUBLISHED;
		result->invalItems = lappend(result->invalItems, mark);
	}
}

/* Is the plan a subject's that reads a published report view? */
bool
flp_plan_reads_published(PlannedStmt *pstmt)
{
	ListCell   *lc;

	if (pstmt == NULL || !pstmt->dependsOnRole)
		return false;
	foreach(lc, pstmt->invalItems)
		if (((PlanInvalItem *) lfirst(lc))->cacheId == FLP_PLAN_PUBLISHED)
			return true;
	return false;
}

/*
 * flp_check_plan_marks, from ExecutorStart_hook: run a plan of flp only
 * under the rules it was made with.  A cached plan is re-validated when it is fetched, but PostgreSQL
 * reads other sessions' invalidations only when it takes a new lock: a plan
 * already run in the same transaction (a PL/pgSQL statement, a driver's
 * named statement Bound again, a plan fetched before another message read
 * the invalidation) would otherwise run under rules revoked since.  Read
 * them here; if flp's catalog or role memberships changed after the plan was
 * made, refuse it with a serialization failure: the statement run again is
 * planned anew.  The plan carries the generation it was made under as a
 * PlanInvalItem with a cache id no syscache has, which the plan cache
 * ignores and copies keep.
 *
 * A plan started right after flp made it -- its first start, with no other
 * plan made since -- belongs to the statement that planned it (a simple
 * query, a Bind, an EXECUTE, a cursor, a PL/pgSQL statement: PostgreSQL runs
 * a plan right after making it), and the planner hook read the
 * invalidations when it began: a change that commits between its planning
 * and its start committed while the statement ran, and does not refuse it
 * (parallel restores run into this).  Every other start is checked: a plan
 * run before, and a plan whose first start comes after another plan was
 * made (one not started when its statement failed, say).
 */
void
flp_check_plan_marks(PlannedStmt *pstmt)
{
	ListCell   *lc;
	PlanInvalItem *made = NULL;
	bool		fresh = false;

	if (!pstmt->dependsOnRole || IsParallelWorker())
		return;
	foreach(lc, pstmt->invalItems)
	{
		PlanInvalItem *item = lfirst(lc);

		if (item->cacheId == FLP_PLAN_MARK)
			made = item;
		else if (item->cacheId == FLP_PLAN_FRESH)
		{
			fresh = item->hashValue == last_plan_serial;
			item->cacheId = FLP_PLAN_STARTED;
		}
	}
	if (made == NULL || fresh)
		return;
	AcceptInvalidationMessages();
	if (made->hashValue != (uint32) flp_policy_generation())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("field-level permissions changed after this statement was planned"),
				 errdetail("A change of flp's rules or of role memberships was committed while the plan was cached."),
				 errhint("Run the statement again: it is planned under the current rules.")));
}

/*
 * The first governed relation (or partition or child of one) that a plan
 * reads, if the plan carries no mark of flp, so was not made through flp's
 * planner hook, which marks every plan of a query that touches a governed
 * table (super admins' too); InvalidOid for a marked plan, a plan of nothing
 * governed, or where nothing can be told (a utility statement, a parallel
 * worker, whose plan comes without its marks, a database without flp).
 * Every relation a plan reads is in its range table, those of its
 * subqueries, views and row-level security policies included.
 */
Oid
flp_unmarked_governed_relation(PlannedStmt *pstmt)
{
	ListCell   *lc;

	if (pstmt->commandType == CMD_UTILITY || IsParallelWorker() ||
		flp_catalog() == NULL)
		return InvalidOid;
	foreach(lc, pstmt->invalItems)
	{
		if (((PlanInvalItem *) lfirst(lc))->cacheId == FLP_PLAN_MARK)
			return InvalidOid;
	}
	foreach(lc, pstmt->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_RELATION && flp_is_governed(rte->relid, NULL))
			return rte->relid;
	}
	return InvalidOid;
}
