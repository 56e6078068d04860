/*-------------------------------------------------------------------------
 *
 * hooks.c
 *	  The planner, executor-start, fmgr and relation-info hooks of flp.
 *
 * flp's planner_hook sees every query after PostgreSQL's rewriter: views are
 * subqueries, row-level security policies are in securityQuals and
 * withCheckOptions, CTEs and sublinks are still in place.  For a query that
 * touches a governed table it runs the passes of src/planner/ in order:
 *
 *	  1. policies.c removes flp's own fail-closed guard policy and folds flp's
 *	     policy functions to constants, for every role;
 *	  2. for a subject (not a super admin): reader_rls.c adds the reader's row
 *	     policies where a view's owner hid them; relations.c checks each entry
 *	     (guard present, statistics filtered, BYPASSRLS); refuse.c and writes.c
 *	     refuse what taint.c finds derived from a hidden field in a filter or
 *	     written position, and writes to fields that are not Edit; mask.c masks
 *	     hidden fields at the source;
 *	  3. marks.c marks the plan as role-dependent and dependent on flp's
 *	     catalog, so that no cached plan is reused by another role or after
 *	     a change, and flp_ExecutorStart refuses a plan whose rules changed
 *	     since.
 *
 * The other hooks: needs_fmgr_hook keeps some SQL functions from being
 * inlined (inlining.c); get_relation_info_hook hides indexes over hidden
 * fields (indexes.c).  The utility and EXPLAIN hooks are in utility.c and
 * explain.c.
 *
 * Row-level security policies of governed tables are trusted: they are neither
 * analysed nor masked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

static planner_hook_type prev_planner_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

/*
 * The planning of the query being planned for a subject, while the next
 * planner runs: flp_get_relation_info reuses the permissions it copied.
 * NULL while planning anything else (flp_planner saves and restores it
 * around a nested planning).
 */
static Rewriter *planning_rewriter = NULL;

static PlannedStmt *
call_next_planner(Query *parse, const char *query_string, int cursorOptions,
				  ParamListInfo boundParams)
{
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/* Rewrite a subject's query that touches a governed table (the passes). */
static void
rewrite_for_subject(Rewriter *rw, Query *parse, GovernedWalk *gw)
{
	SubjectChecks sc = {rw->roleid, (flp_role_checks(rw->roleid) & CHECK_BYPASSRLS) != 0, NIL};

	/* the reader's row policies, also through views of other owners */
	if (flp_apply_reader_rls(rw, parse, false, 0))
	{
		/* fold or drop flp's own policies among those just added */
		gw->found = false;
		(void) flp_governed_walker((Node *) parse, gw);
	}
	flp_for_each_rte(parse, flp_subject_rte_checks, &sc);
	flp_check_query(rw, parse, NULL);
	flp_mask_query(rw, parse);
	if (rw->memo != NULL)
		hash_destroy(rw->memo);
	rw->memo = NULL;
}

/* Plan a query that touches a governed table (see the file header). */
static PlannedStmt *
plan_governed(Rewriter *rw, Query *parse, const char *query_string, int cursorOptions,
			  ParamListInfo boundParams, GovernedWalk *gw)
{
	PlannedStmt *result;
	uint64		made_with = flp_policy_generation();

	if (!flp_is_super_admin(rw->roleid))
	{
		rewrite_for_subject(rw, parse, gw);
		planning_rewriter = rw; /* flp_planner restores it */
	}
	result = call_next_planner(parse, query_string, cursorOptions, boundParams);
	planning_rewriter = NULL;
	flp_mark_plan(result, made_with);
	return result;
}

/*
 * Find the governed relations of the query (removing flp's guard and folding
 * its policies on the way), and check what every query of the role is
 * checked for; then plan it.
 */
static PlannedStmt *
plan_query(Rewriter *rw, Query *parse, const char *query_string, int cursorOptions,
		   ParamListInfo boundParams)
{
	const FlpCatalog *c = flp_catalog();
	GovernedWalk gw;
	PlannedStmt *result;
	bool		uses_sequences = false;

	gw.found = false;
	if (c != NULL)
	{
		int			checks;

		gw.rw = rw;
		gw.catalog = c;
		gw.guard = c->guard_function;
		gw.classify = true;
		(void) flp_governed_walker((Node *) parse, &gw);
		gw.classify = false;

		checks = flp_role_checks(rw->roleid);
		/* activity counters (explain.c), for subjects whom row rules scope */
		if (checks & CHECK_COUNTERS)
			flp_check_counter_calls(parse);
		/* sequences that fill governed fields (sequences.c): any query may use them */
		if (checks & CHECK_SEQUENCES)
			uses_sequences = flp_check_sequence_use(parse, rw->roleid);
	}
	if (gw.found)
		result = plan_governed(rw, parse, query_string, cursorOptions, boundParams, &gw);
	else
		result = call_next_planner(parse, query_string, cursorOptions, boundParams);
	if (uses_sequences)
		result->dependsOnRole = true;	/* checked for this role only */
	return result;
}

/* planner_hook: plan_query, with the planning's state saved around it. */
static PlannedStmt *
flp_planner(Query *parse, const char *query_string, int cursorOptions,
			ParamListInfo boundParams)
{
	PlannedStmt *volatile result = NULL;
	Rewriter	rw;
	Rewriter   *saved_rewriter = planning_rewriter;
	bool		saved_read = flp_invalidations_read;

	/* read invalidations once: every lookup while planning uses them */
	AcceptInvalidationMessages();
	flp_invalidations_read = true;
	planning_rewriter = NULL;
	memset(&rw, 0, sizeof(rw));
	rw.roleid = GetUserId();
	PG_TRY();
	{
		result = plan_query(&rw, parse, query_string, cursorOptions, boundParams);
	}
	PG_FINALLY();
	{
		planning_rewriter = saved_rewriter;
		flp_invalidations_read = saved_read;
	}
	PG_END_TRY();
	return result;
}

/* ExecutorStart_hook: a plan runs only under the rules it was made with (marks.c). */
static void
flp_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	flp_check_plan_marks(queryDesc->plannedstmt);
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* needs_fmgr_hook: see inlining.c. */
static bool
flp_needs_fmgr_hook(Oid fn_oid)
{
	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	return flp_keep_function_call(fn_oid);
}

/* get_relation_info_hook: see indexes.c. */
static void
flp_get_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent,
					  RelOptInfo *rel)
{
	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);
	flp_hide_indexes(planning_rewriter, GetUserId(), relationObjectId, rel);
}

/* Install the planner and executor hooks; called once from _PG_init. */
void
flp_hooks_init(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = flp_get_relation_info;
	prev_planner_hook = planner_hook;
	planner_hook = flp_planner;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = flp_needs_fmgr_hook;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = flp_ExecutorStart;
	flp_inlining_init();
	flp_mask_values_init();
}
