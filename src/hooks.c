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
 * The other hooks: ExecutorRun_hook withholds the message of a data
 * exception raised while a subject's query that reads a published report
 * view runs (messages.c); needs_fmgr_hook keeps SQL functions whose bodies flp
 * must see from being inlined (inlining.c); get_relation_info_hook (build_simple_rel_hook from
 * 19) hides indexes over hidden fields (indexes.c); ProcessUtility_hook
 * checks DDL, COPY and role changes
 * and follows them in flp's catalog (src/utility/); ExplainOneQuery_hook
 * limits what a subject sees of plans (explain.c); shmem_request_hook, once
 * every preloaded library is loaded, names the libraries whose hooks wrap
 * flp's (hook_order.c).
 *
 * Row-level security policies of governed tables are trusted: they are neither
 * analysed nor masked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/explain.h"
#include "miscadmin.h"
#include "optimizer/pathnode.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"

#include "flp.h"
#include "planner/planner.h"
#include "utility/utility.h"

static planner_hook_type prev_planner_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
#if PG_VERSION_NUM >= 190000
static build_simple_rel_hook_type prev_build_simple_rel_hook = NULL;
#else
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;
#endif
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static ExplainOneQuery_hook_type prev_ExplainOneQuery = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;

/*
 * The planning of the query being planned for a subject, while the next
 * planner runs: the relation hook (indexes.c) reuses the permissions it copied.
 * NULL while planning anything else (flp_planner saves and restores it
 * around a nested planning).
 */
static Rewriter *planning_rewriter = NULL;

/*
 * Is a planning flp looked at in progress, and its set-returning calls in
 * FROM, noted before it began (inlining.c asks about inlining them as the
 * planner inlines them); saved and restored like planning_rewriter.
 */
static bool planning_looked_at = false;
static List *planning_srf_calls = NIL;

/* The arguments of one planner call, passed on unchanged to the next planner. */
typedef struct PlannerCall
{
	Query	   *parse;
	const char *query_string;
	int			cursorOptions;
	ParamListInfo boundParams;
	void	   *es;				/* the ExplainState * of 19's planner hook */
} PlannerCall;

#if PG_VERSION_NUM >= 190000
static PlannedStmt *
call_next_planner(PlannerCall *call)
{
	if (prev_planner_hook)
		return prev_planner_hook(call->parse, call->query_string, call->cursorOptions,
								 call->boundParams, call->es);
	return standard_planner(call->parse, call->query_string, call->cursorOptions,
							call->boundParams, call->es);
}
#else
static PlannedStmt *
call_next_planner(PlannerCall *call)
{
	if (prev_planner_hook)
		return prev_planner_hook(call->parse, call->query_string, call->cursorOptions,
								 call->boundParams);
	return standard_planner(call->parse, call->query_string, call->cursorOptions,
							call->boundParams);
}
#endif

/* Call the next planner on a query flp has looked at (and rewritten). */
static PlannedStmt *
plan_looked_at(Rewriter *rw, PlannerCall *call)
{
	planning_looked_at = true;
	planning_srf_calls = rw->srf_calls;
	return call_next_planner(call);
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
	/* published report views: evaluated as their owners see the fields */
	flp_published_views(rw, parse);
	flp_for_each_rte(parse, flp_subject_rte_checks, &sc);
	flp_check_query(rw, parse, NULL);
	flp_mask_query(rw, parse);
	if (rw->memo != NULL)
		hash_destroy(rw->memo);
	rw->memo = NULL;
}

/* Plan a query that touches a governed table (see the file header). */
static PlannedStmt *
plan_governed(Rewriter *rw, PlannerCall *call, GovernedWalk *gw)
{
	PlannedStmt *result;
	uint64		made_with = flp_policy_generation();

	if (!flp_is_super_admin(rw->roleid))
	{
		rewrite_for_subject(rw, call->parse, gw);
		planning_rewriter = rw; /* flp_planner restores it */
	}
	result = plan_looked_at(rw, call);
	planning_rewriter = NULL;
	flp_mark_plan(result, made_with, rw->published != NIL);
	return result;
}

/*
 * Find the governed relations of the query (removing flp's guard and folding
 * its policies on the way), and check what every query of the role is
 * checked for; then plan it.
 */
static PlannedStmt *
plan_query(Rewriter *rw, PlannerCall *call)
{
	Query	   *parse = call->parse;
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
			flp_check_counter_calls((Node *) parse);
		/* sequences that fill governed fields (sequences.c): any query may use them */
		if (checks & CHECK_SEQUENCES)
			uses_sequences = flp_check_sequence_use((Node *) parse, rw->roleid);
	}
	if (gw.found)
		result = plan_governed(rw, call, &gw);
	else
		result = plan_looked_at(rw, call);
	if (uses_sequences)
		result->dependsOnRole = true;	/* checked for this role only */
	return result;
}

/* The planner hook: plan_query, with the planning's state saved around it. */
static PlannedStmt *
flp_planner(PlannerCall *call)
{
	PlannedStmt *volatile result = NULL;
	Rewriter	rw;
	Rewriter   *saved_rewriter = planning_rewriter;
	bool		saved_looked_at = planning_looked_at;
	List	   *saved_srf_calls = planning_srf_calls;
	bool		saved_read;

	/* read invalidations once: every lookup while planning uses them */
	AcceptInvalidationMessages();
	saved_read = flp_set_invalidations_read(true);
	planning_rewriter = NULL;
	planning_looked_at = false;
	planning_srf_calls = NIL;
	memset(&rw, 0, sizeof(rw));
	rw.roleid = GetUserId();
	PG_TRY();
	{
		result = plan_query(&rw, call);
	}
	PG_FINALLY();
	{
		planning_rewriter = saved_rewriter;
		planning_looked_at = saved_looked_at;
		planning_srf_calls = saved_srf_calls;
		(void) flp_set_invalidations_read(saved_read);
	}
	PG_END_TRY();
	return result;
}

/* needs_fmgr_hook: see inlining.c. */
static bool
flp_needs_fmgr_hook(Oid fn_oid)
{
	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	return flp_keep_function_call(fn_oid, planning_looked_at, planning_srf_calls);
}

/* What of flp runs only if a library wrapping its relation hook calls it. */
#define RELATION_HOOK_DEPENDS \
	"Indexes over hidden fields are kept from subjects' plans only if it calls the hook it saved."

#if PG_VERSION_NUM >= 190000
/* planner_hook (19: with the EXPLAIN state of an EXPLAIN) */
static PlannedStmt *
flp_planner_hook(Query *parse, const char *query_string, int cursorOptions,
				 ParamListInfo boundParams, ExplainState *es)
{
	PlannerCall call = {parse, query_string, cursorOptions, boundParams, es};

	return flp_planner(&call);
}

/* build_simple_rel_hook (19 has no get_relation_info_hook): see indexes.c. */
static void
flp_build_simple_rel(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	if (prev_build_simple_rel_hook)
		prev_build_simple_rel_hook(root, rel, rte);
	if (rte->rtekind == RTE_RELATION)
		flp_hide_indexes(planning_rewriter, GetUserId(), rte->relid, rel);
}

static void
install_relation_hook(void)
{
	prev_build_simple_rel_hook = build_simple_rel_hook;
	build_simple_rel_hook = flp_build_simple_rel;
}

/* The relation hook, as other libraries may have wrapped it. */
static FlpOwnHook
own_relation_hook(void)
{
	FlpOwnHook	h = {"build_simple_rel_hook", (const void *) build_simple_rel_hook,
	(const void *) flp_build_simple_rel, RELATION_HOOK_DEPENDS};

	return h;
}
#else
/* planner_hook */
static PlannedStmt *
flp_planner_hook(Query *parse, const char *query_string, int cursorOptions,
				 ParamListInfo boundParams)
{
	PlannerCall call = {parse, query_string, cursorOptions, boundParams, NULL};

	return flp_planner(&call);
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

static void
install_relation_hook(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = flp_get_relation_info;
}

/* The relation hook, as other libraries may have wrapped it. */
static FlpOwnHook
own_relation_hook(void)
{
	FlpOwnHook	h = {"get_relation_info_hook", (const void *) get_relation_info_hook,
	(const void *) flp_get_relation_info, RELATION_HOOK_DEPENDS};

	return h;
}
#endif

static void
call_next_run(FLP_RUN_PARAMS)
{
	if (prev_ExecutorRun)
		prev_ExecutorRun(FLP_RUN_ARGS);
	else
		standard_ExecutorRun(FLP_RUN_ARGS);
}

/*
 * ExecutorRun_hook: while a subject's query that reads a published report
 * view runs, a data exception may quote a value as the view's owner sees it;
 * its message is withheld (messages.c) before the error goes on to any
 * exception handler of the reader's.
 */
static void
flp_ExecutorRun(FLP_RUN_PARAMS)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (!flp_plan_reads_published(queryDesc->plannedstmt))
	{
		call_next_run(FLP_RUN_ARGS);
		return;
	}
	PG_TRY();
	{
		call_next_run(FLP_RUN_ARGS);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (!flp_withhold_published_value(edata))
			PG_RE_THROW();
		FlushErrorState();
		ReThrowError(edata);
	}
	PG_END_TRY();
}

/*
 * ExecutorStart_hook: a plan runs only under the rules it was made with
 * (marks.c), and, while another library's planner hook runs before flp's,
 * only if it was made through flp's (hook_order.c).
 */
static void
flp_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	/* a statement of the client's message (not one a function runs) */
	if (queryDesc->sourceText != NULL && queryDesc->sourceText == debug_query_string)
		flp_audit_note_statement(queryDesc->sourceText, queryDesc->plannedstmt->stmt_location,
								 queryDesc->plannedstmt->stmt_len);
	if (planner_hook != flp_planner_hook)
		flp_refuse_bypassing_plan(queryDesc->plannedstmt, (const void *) planner_hook);
	flp_check_plan_marks(queryDesc->plannedstmt);
	flp_coarsen_predicate_locks(queryDesc->plannedstmt, queryDesc->snapshot);
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
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

/* What the utility hook notes before a statement runs, to follow it after. */
typedef struct FollowUp
{
	Oid			renamed;		/* a column of it was renamed */
	char	   *oldname;
	char	   *newname;
	bool		dropped_roles;
	Oid			detached;		/* a governed child it detaches */
	Oid			detached_from;
	Oid			bulk_load;		/* a catalog table COPY FROM loads */
} FollowUp;

/* RENAME, CREATE TABLE, ALTER TABLE, DROP, policies: checked, noted. */
static void
before_ddl(Node *parsetree, FollowUp *f)
{
	if (IsA(parsetree, RenameStmt))
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;

		if (stmt->renameType == OBJECT_COLUMN && stmt->relation != NULL)
		{
			f->renamed = RangeVarGetRelid(stmt->relation, NoLock, true);
			f->oldname = pstrdup(stmt->subname);
			f->newname = pstrdup(stmt->newname);
		}
		else if (stmt->renameType == OBJECT_POLICY)
			flp_check_guard_changes(parsetree);
	}
	else if (IsA(parsetree, CreateStmt) || IsA(parsetree, AlterTableStmt))
	{
		flp_check_foreign_keys(parsetree);
		if (IsA(parsetree, AlterTableStmt))
		{
			flp_check_attach((AlterTableStmt *) parsetree);
			flp_check_guard_changes(parsetree);
			f->detached = flp_detached_child((AlterTableStmt *) parsetree);
			if (OidIsValid(f->detached))
				f->detached_from = flp_governed_root(f->detached);
		}
	}
	else if (IsA(parsetree, DropStmt) || IsA(parsetree, AlterPolicyStmt) ||
			 IsA(parsetree, CreatePolicyStmt))
		flp_check_guard_changes(parsetree);
}

/* COPY, TRUNCATE, CREATE TRIGGER, EXPLAIN, DROP EXTENSION flp. */
static PlannedStmt *
before_other(PlannedStmt *pstmt, Node *parsetree, FollowUp *f)
{
	if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->is_from &&
		((CopyStmt *) parsetree)->relation != NULL)
	{
		Oid			relid = RangeVarGetRelid(((CopyStmt *) parsetree)->relation, NoLock, true);

		flp_check_copy_from((CopyStmt *) parsetree, relid);
		flp_check_copy_defaults(relid, flp_role_checks(GetUserId()));
		/*
		 * A restore loads the catalog tables in any order (references.c),
		 * and brings its audit trail and policies along: a superuser's COPY
		 * FROM skips the reference checks, the audit and the recompiling of
		 * policies.  Anyone else's COPY is checked and recorded like any
		 * other write (CREATE EXTENSION flp, so a restore, needs a
		 * superuser anyway).
		 */
		if (OidIsValid(relid) && get_rel_namespace(relid) == flp_catalog()->namespace &&
			superuser())
			f->bulk_load = relid;
	}
	else if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->relation != NULL)
		pstmt = flp_copy_to_as_query(pstmt);
	else if (IsA(parsetree, TruncateStmt))
		flp_check_truncate((TruncateStmt *) parsetree);
	else if (IsA(parsetree, VacuumStmt) || IsA(parsetree, ReindexStmt) ||
			 nodeTag(parsetree) == FLP_T_CLUSTER_STMT)
		flp_check_maintenance(parsetree);
	else if (IsA(parsetree, CreateTrigStmt))
		flp_check_trigger((CreateTrigStmt *) parsetree);
	else if (IsA(parsetree, ExplainStmt))
		flp_check_explain_execute((ExplainStmt *) parsetree);
	else if (IsA(parsetree, DropStmt) && flp_drops_flp((DropStmt *) parsetree))
	{
		/* policies use flp.guard(): take them off before the function goes */
		flp_run_as_superuser("SELECT flp_internal.unguard_all()", 0, NULL, NULL);
	}
	return pstmt;
}

/* Expressions run outside the planner; changes of flp's administrator role. */
static void
before_expressions_and_roles(Node *parsetree)
{
	if (IsA(parsetree, CallStmt) || IsA(parsetree, ExecuteStmt) ||
		IsA(parsetree, CreateStmt) || IsA(parsetree, AlterTableStmt) ||
		IsA(parsetree, CreateDomainStmt) || IsA(parsetree, AlterDomainStmt) ||
		IsA(parsetree, IndexStmt) || IsA(parsetree, CreateTrigStmt) ||
		IsA(parsetree, CopyStmt))
		flp_check_utility_expressions(parsetree, flp_role_checks(GetUserId()));
	if (IsA(parsetree, GrantRoleStmt) || IsA(parsetree, CreateRoleStmt) ||
		IsA(parsetree, AlterRoleStmt) || IsA(parsetree, DropRoleStmt) ||
		(IsA(parsetree, RenameStmt) && ((RenameStmt *) parsetree)->renameType == OBJECT_ROLE))
		flp_check_admin_role_changes(parsetree);
}

/* After the statement: follow it in flp's catalog. */
static void
after_utility(Node *parsetree, FollowUp *f)
{
	if (OidIsValid(f->renamed))
		flp_follow_column_rename(f->renamed, f->oldname, f->newname);
	if (IsA(parsetree, CreateStmt) || IsA(parsetree, AlterTableStmt))
		flp_follow_tree_changes(parsetree);
	if (IsA(parsetree, AlterTableStmt))
	{
		flp_warn_owner((AlterTableStmt *) parsetree);
		if (OidIsValid(f->detached))
			flp_govern_detached(f->detached, f->detached_from);
	}
	if (f->dropped_roles)
		flp_forget_dropped_roles();
}

/*
 * Is the statement one of those the utility hook checks or follows?  Only
 * for those is flp's catalog looked up: not for ROLLBACK of an aborted
 * transaction, say, when no catalog may be read.
 */
static bool
utility_concerns_flp(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_RenameStmt:
		case T_CreateStmt:
		case T_AlterTableStmt:
		case T_DropStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_CopyStmt:
		case T_TruncateStmt:
		case T_VacuumStmt:
		case T_ReindexStmt:
		case FLP_T_CLUSTER_STMT:
		case T_CreateTrigStmt:
		case T_ExplainStmt:
		case T_CallStmt:
		case T_ExecuteStmt:
		case T_CreateDomainStmt:
		case T_AlterDomainStmt:
		case T_IndexStmt:
		case T_GrantRoleStmt:
		case T_CreateRoleStmt:
		case T_AlterRoleStmt:
		case T_DropRoleStmt:
			return true;
		default:
			return false;
	}
}

/*
 * ProcessUtility_hook: note what a statement will change and refuse what it
 * must not do, let PostgreSQL (or the next hook) run it, then follow it in
 * flp's catalog.  Nothing is checked in a database without flp's catalog.
 */
static void
flp_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	FollowUp	f;

	memset(&f, 0, sizeof(f));
	if (context == PROCESS_UTILITY_TOPLEVEL)
		flp_audit_note_statement(queryString, pstmt->stmt_location, pstmt->stmt_len);
	f.dropped_roles = IsA(parsetree, DropRoleStmt);
	if (IsA(parsetree, ExecuteStmt))
	{
		/* a change committed meanwhile must reach this statement's cached plan */
		AcceptInvalidationMessages();
	}
	if (utility_concerns_flp(parsetree) && flp_catalog() != NULL)
	{
		before_ddl(parsetree, &f);
		pstmt = before_other(pstmt, parsetree, &f);
		before_expressions_and_roles(parsetree);
	}

	if (OidIsValid(f.bulk_load))
		run_bulk_load(f.bulk_load, pstmt, queryString, readOnlyTree, context,
					  params, queryEnv, dest, qc);
	else
		run_next(pstmt, queryString, readOnlyTree, context, params, queryEnv,
				 dest, qc);

	if (utility_concerns_flp(parsetree) && flp_catalog() != NULL)
		after_utility(parsetree, &f);
}

#if PG_VERSION_NUM < 170000
/*
 * PostgreSQL's own way of planning and showing one query, which 17 exports
 * as standard_ExplainOneQuery (before, ExplainOneQuery did it inline).
 */
static void
standard_ExplainOneQuery(Query *query, int cursorOptions, IntoClause *into,
						 ExplainState *es, const char *queryString,
						 ParamListInfo params, QueryEnvironment *queryEnv)
{
	PlannedStmt *plan;
	instr_time	planstart;
	instr_time	planduration;
	BufferUsage bufusage_start;
	BufferUsage bufusage;

	if (es->buffers)
		bufusage_start = pgBufferUsage;
	INSTR_TIME_SET_CURRENT(planstart);
	plan = pg_plan_query(query, queryString, cursorOptions, params);
	INSTR_TIME_SET_CURRENT(planduration);
	INSTR_TIME_SUBTRACT(planduration, planstart);
	if (es->buffers)
	{
		memset(&bufusage, 0, sizeof(BufferUsage));
		BufferUsageAccumDiff(&bufusage, &pgBufferUsage, &bufusage_start);
	}
	ExplainOnePlan(plan, into, es, queryString, params, queryEnv, &planduration,
				   es->buffers ? &bufusage : NULL);
}
#endif

/*
 * ExplainOneQuery_hook: what a subject may see of the plan (explain.c), then
 * the next hook or PostgreSQL's own way of planning and showing one query.
 */
static void
flp_ExplainOneQuery(Query *query, int cursorOptions, IntoClause *into,
					ExplainState *es, const char *queryString,
					ParamListInfo params, QueryEnvironment *queryEnv)
{
	flp_restrict_explain(query, es);
	if (prev_ExplainOneQuery)
		prev_ExplainOneQuery(query, cursorOptions, into, es, queryString, params, queryEnv);
	else
		standard_ExplainOneQuery(query, cursorOptions, into, es, queryString, params,
								 queryEnv);
}

/*
 * shmem_request_hook: the postmaster calls it once every preloaded library
 * is loaded, so the hooks are as they stay; name the libraries whose hooks
 * run before flp's (hook_order.c).
 */
static void
flp_shmem_request(void)
{
	FlpOwnHook	hooks[] = {
		{"planner_hook", (const void *) planner_hook, (const void *) flp_planner_hook,
		"It sees each query before flp rewrites it, and flp masks and refuses only if it calls the planner hook it saved; "
		"flp refuses to run a plan of a governed table that did not pass through its planner hook."},
		{"ExecutorStart_hook", (const void *) ExecutorStart_hook, (const void *) flp_ExecutorStart,
		"flp's refusal of plans made under rules that changed since, or made without flp's planner hook, "
		"runs only if it calls the hook it saved."},
		{"ProcessUtility_hook", (const void *) ProcessUtility_hook, (const void *) flp_ProcessUtility,
		"flp's checks of COPY, DDL and role changes run only if it calls the hook it saved."},
		{"ExplainOneQuery_hook", (const void *) ExplainOneQuery_hook, (const void *) flp_ExplainOneQuery,
		"flp's limits on what subjects see of EXPLAIN apply only if it calls the hook it saved."},
		{"needs_fmgr_hook", (const void *) needs_fmgr_hook, (const void *) flp_needs_fmgr_hook,
		"SQL functions are kept from being inlined into subjects' queries only if it calls the hook it saved."},
		own_relation_hook(),
	};

	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	flp_warn_outer_hooks(hooks, lengthof(hooks));
}

/* Errors about to be reported: flp's management errors mended (messages.c). */
static void
flp_emit_log(ErrorData *edata)
{
	flp_mend_error(edata);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* Install the hooks; called once from _PG_init. */
void
flp_hooks_init(void)
{
	install_relation_hook();
	prev_planner_hook = planner_hook;
	planner_hook = flp_planner_hook;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = flp_needs_fmgr_hook;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = flp_ExecutorStart;
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = flp_ExecutorRun;
	prev_ExplainOneQuery = ExplainOneQuery_hook;
	ExplainOneQuery_hook = flp_ExplainOneQuery;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = flp_ProcessUtility;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = flp_shmem_request;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = flp_emit_log;
	flp_inlining_init();
	flp_mask_values_init();
}
