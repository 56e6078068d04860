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
 *	  3. the plan is marked as role-dependent and dependent on flp's catalog, so
 *	     that no cached plan is reused by another role or after a change, and
 *	     flp_ExecutorStart refuses a plan whose rules changed since.
 *
 * Row-level security policies of governed tables are trusted: they are neither
 * analysed nor masked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/sysattr.h"
#include "catalog/heap.h"
#include "utils/acl.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "optimizer/plancat.h"
#include "partitioning/partdesc.h"
#include "utils/partcache.h"
#include "parser/parse_coerce.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "rewrite/rewriteManip.h"
#include "rewrite/rowsecurity.h"
#include "storage/lmgr.h"
#include "utils/rls.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "catalog/pg_collation.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "access/parallel.h"
#include "executor/executor.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

/* GUC */
bool		flp_log_denials = false;
bool		flp_maintenance = false;

static planner_hook_type prev_planner_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;

/*
 * Cache ids of the PlanInvalItems marking flp's plans (no syscache has
 * them): the generation of flp's rules a plan was made under, and the serial
 * number of a plan not started yet (used once started); see
 * flp_ExecutorStart.
 */
#define FLP_PLAN_MARK (-0x464c50)
#define FLP_PLAN_FRESH (-0x464c51)
#define FLP_PLAN_STARTED (-0x464c52)

/* The serial number of the plan flp made last in this backend. */
static uint32 last_plan_serial = 0;

/*
 * The rewriter of the query being planned for a subject, while the next
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

/*
 * planner_hook: rewrite a query that touches a governed table, then plan it
 * with the next hook (or the standard planner), and mark the plan.
 */
static PlannedStmt *plan_governed(Query *parse, const char *query_string, int cursorOptions,
								  ParamListInfo boundParams, GovernedWalk *gwp);

static PlannedStmt *
flp_planner(Query *parse, const char *query_string, int cursorOptions,
			ParamListInfo boundParams)
{
	const FlpCatalog *c;
	GovernedWalk gw;
	PlannedStmt *volatile result = NULL;
	bool		uses_sequences;
	List	   *saved_untrusted = flp_untrusted_quals;
	Rewriter   *saved_rewriter = planning_rewriter;
	bool		saved_read = flp_invalidations_read;

	/* read invalidations once: every lookup while planning uses them */
	AcceptInvalidationMessages();
	flp_invalidations_read = true;
	planning_rewriter = NULL;
	flp_untrusted_quals = NIL;
	PG_TRY();
	{
		c = flp_catalog();
		gw.found = false;
		if (c != NULL)
		{
			gw.catalog = c;
			gw.guard = c->guard_function;
			gw.classify = true;
			(void) flp_governed_walker((Node *) parse, &gw);
			gw.classify = false;
		}
		uses_sequences = false;
		if (c != NULL)
		{
			int			checks = flp_role_checks(GetUserId());

			/* activity counters (explain.c), for subjects whom row rules scope */
			if (checks & CHECK_COUNTERS)
				flp_check_counter_calls(parse);
			/* sequences that fill governed fields (sequences.c): any query may use them */
			if (checks & CHECK_SEQUENCES)
				uses_sequences = flp_check_sequence_use(parse, GetUserId());
		}
		if (gw.found)
			result = plan_governed(parse, query_string, cursorOptions, boundParams, &gw);
		else
			result = call_next_planner(parse, query_string, cursorOptions, boundParams);
		if (uses_sequences)
			result->dependsOnRole = true;	/* checked for this role only */
	}
	PG_FINALLY();
	{
		flp_untrusted_quals = saved_untrusted;
		planning_rewriter = saved_rewriter;
		flp_invalidations_read = saved_read;
	}
	PG_END_TRY();
	return result;
}

static PlannedStmt *
plan_governed(Query *parse, const char *query_string, int cursorOptions,
			  ParamListInfo boundParams, GovernedWalk *gwp)
{
	GovernedWalk gw = *gwp;
	const FlpCatalog *c;
	PlannedStmt *result;
	Oid			roleid;
	bool		restricted;
	PlanInvalItem *mark;
	uint64		made_with = flp_policy_generation();
	Rewriter	rw;

	roleid = GetUserId();
	restricted = !flp_is_super_admin(roleid);
	if (restricted)
	{
		uint64		added = flp_reader_rls_added;

		/* the reader's row policies, also through views of other owners */
		flp_apply_reader_rls(parse, false, 0);
		if (flp_reader_rls_added != added)
		{
			/* fold or drop flp's own policies among those just added */
			gw.found = false;
			(void) flp_governed_walker((Node *) parse, &gw);
		}
	}
	memset(&rw, 0, sizeof(rw));
	rw.roleid = roleid;
	if (restricted)
	{
		SubjectChecks sc = {roleid, (flp_role_checks(roleid) & CHECK_BYPASSRLS) != 0, NIL};

		flp_for_each_rte(parse, flp_subject_rte_checks, &sc);
		flp_check_query(&rw, parse, NULL);
		flp_mask_query(&rw, parse);
		if (rw.memo != NULL)
			hash_destroy(rw.memo);
		rw.memo = NULL;
		planning_rewriter = &rw;	/* flp_planner restores it */
	}

	result = call_next_planner(parse, query_string, cursorOptions, boundParams);
	planning_rewriter = NULL;

	/*
	 * Never reuse this plan for another role (super admins included: their
	 * plan is unmasked), and replan after any change of flp's catalog.
	 */
	result->dependsOnRole = true;
	c = flp_catalog();
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
	return result;
}

/*
 * ExecutorStart_hook: run a plan of flp only under the rules it was made
 * with.  A cached plan is re-validated when it is fetched, but PostgreSQL
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
static void
flp_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	PlannedStmt *pstmt = queryDesc->plannedstmt;

	if (pstmt->dependsOnRole && !IsParallelWorker())
	{
		ListCell   *lc;
		PlanInvalItem *made = NULL;
		bool		fresh = false;

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
		if (made != NULL && !fresh)
		{
			AcceptInvalidationMessages();
			if (made->hashValue != (uint32) flp_policy_generation())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("field-level permissions changed after this statement was planned"),
						 errdetail("A change of flp's rules or of role memberships was committed while the plan was cached."),
						 errhint("Run the statement again: it is planned under the current rules.")));
		}
	}
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * needs_fmgr_hook: a LANGUAGE sql set-returning function must not be inlined
 * into a query after flp has rewritten it (the planner would splice its body
 * in unchecked); asking for the fmgr hook keeps it a function, which is then
 * planned, through this hook, on its own.  Scalar SQL functions are inlined
 * only when their body reads no table, and their arguments are already
 * masked.
 */
typedef struct FmgrEntry
{
	Oid			fn_oid;
	bool		needed;
} FmgrEntry;

static HTAB *fmgr_cache = NULL;

static void
fmgr_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	if (fmgr_cache)
	{
		hash_destroy(fmgr_cache);
		fmgr_cache = NULL;
	}
}

static bool
flp_needs_fmgr_hook(Oid fn_oid)
{
	FmgrEntry  *entry;
	bool		found;

	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	if (flp_catalog() == NULL)
		return false;
	if (fmgr_cache == NULL)
		fmgr_cache = flp_hash_create("flp sql functions", 64, sizeof(Oid),
									 sizeof(FmgrEntry), CacheMemoryContext);
	entry = hash_search(fmgr_cache, &fn_oid, HASH_ENTER, &found);
	if (!found)
	{
		HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));

		entry->needed = false;
		if (HeapTupleIsValid(tuple))
		{
			Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

			entry->needed = proc->prolang == SQLlanguageId &&
				(proc->proretset || flp_sql_function_calls_refused(tuple));
			ReleaseSysCache(tuple);
		}
	}
	return entry->needed;
}

/*
 * get_relation_info_hook: an index scan returns rows in the order of its
 * keys, so an index whose keys (or INCLUDE columns, expressions, predicate)
 * contain a field hidden from a subject would tell the hidden values' order.
 * The planner does not see such indexes when it plans for a subject.
 */
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

static void
flp_get_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent,
					  RelOptInfo *rel)
{
	Oid			roleid = GetUserId();
	uint8	   *perm;
	int			natts;
	ListCell   *lc;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);
	if (rel->indexlist == NIL)
		return;
	if (planning_rewriter != NULL && planning_rewriter->roleid == roleid)
	{
		/* a subject's query that flp rewrote: its permissions are at hand */
		RelPerms   *rp = flp_rel_perms(planning_rewriter, relationObjectId);

		if (rp == NULL || !rp->hides)
			return;
		natts = rp->p.natts;
		perm = rp->p.permission;
	}
	else
	{
		const FlpTablePermissions *p;

		if (flp_catalog() == NULL || !flp_is_governed(relationObjectId, NULL) ||
			flp_is_super_admin(roleid))
			return;
		p = flp_table_permissions(roleid, relationObjectId);
		if (!p->hides)
			return;
		natts = p->natts;
		perm = palloc(natts + 1);
		memcpy(perm, p->permission, natts + 1);
	}

	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *index = lfirst(lc);
		bool		hidden = false;
		int			i;

		/* key and INCLUDE columns first; expressions and predicates seldom */
		for (i = 0; !hidden && i < index->ncolumns; i++)
		{
			AttrNumber	att = index->indexkeys[i];

			hidden = att > 0 && att <= natts && perm[att] == FLP_HIDE;
		}
		if (!hidden && (index->indexprs != NIL || index->indpred != NIL))
		{
			Bitmapset  *cols = NULL;

			pull_varattnos((Node *) index->indexprs, rel->relid, &cols);
			pull_varattnos((Node *) index->indpred, rel->relid, &cols);
			i = -1;
			while (!hidden && (i = bms_next_member(cols, i)) >= 0)
			{
				AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

				hidden = att > 0 && att <= natts && perm[att] == FLP_HIDE;
			}
		}
		if (hidden)
			rel->indexlist = foreach_delete_current(rel->indexlist, lc);
	}
}

/* Install the hooks; called once from _PG_init. */
void
flp_rewrite_init(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = flp_get_relation_info;
	prev_planner_hook = planner_hook;
	planner_hook = flp_planner;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = flp_needs_fmgr_hook;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = flp_ExecutorStart;
	CacheRegisterSyscacheCallback(PROCOID, fmgr_cache_reset, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, flp_mask_cache_reset, (Datum) 0);
}
