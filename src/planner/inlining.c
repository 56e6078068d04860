/*-------------------------------------------------------------------------
 *
 * inlining.c
 *	  Which SQL functions the planner may inline into a rewritten query.
 *
 * The planner inlines LANGUAGE sql functions after flp has rewritten the
 * query, splicing their bodies in unchecked.  A function for which
 * needs_fmgr_hook answers true is never inlined: it stays a function call,
 * and its body is planned, through flp's planner hook, on its own.
 *
 * Scalar SQL functions are inlined only when their body reads no table
 * (PostgreSQL's own rule), with arguments already masked; flp keeps those
 * that call what it refuses (sequences.c).
 *
 * A set-returning SQL function called alone in FROM is inlined as a
 * subquery.  Before the planner runs, flp analyses the body of each such
 * call of the query as the planner will (same conditions, same search path,
 * the same locks then held): a body that reads no governed table and no
 * statistics catalog (also through views and row-level security policies),
 * and calls nothing flp refuses, changes nothing flp decides, and is free to
 * be inlined in this planning; every other one stays a call.  The answer
 * holds for the pg_proc row that was analysed: a function replaced since is
 * kept.  Outside planning every set-returning SQL function is kept.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/functions.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

/* How deep flp follows set-returning calls in the bodies it analyses. */
#define MAX_BODY_DEPTH 4

/* A set-returning SQL function free to inline: its pg_proc row as analysed. */
typedef struct FreeFunction
{
	Oid			fn_oid;
	TransactionId xmin;
	ItemPointerData tid;
} FreeFunction;

/* What the walk of an analysed body finds. */
typedef struct BodyWalk
{
	bool		governed;		/* reads a governed table or statistics */
	List	   *calls;			/* FuncExpr * of its own set-returning calls in FROM */
} BodyWalk;

/* The questions, asked once per function until pg_proc changes. */
static bool
is_sql_srf(Oid fn_oid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	bool		answer = false;

	if (HeapTupleIsValid(tuple))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

		answer = proc->prolang == SQLlanguageId && proc->proretset;
		ReleaseSysCache(tuple);
	}
	return answer;
}

static bool
scalar_call_kept(Oid fn_oid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	bool		kept = false;

	if (HeapTupleIsValid(tuple))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

		kept = proc->prolang == SQLlanguageId && !proc->proretset &&
			flp_sql_function_calls_refused(tuple);
		ReleaseSysCache(tuple);
	}
	return kept;
}

static FlpOidMemo sql_srfs = {"flp set-returning sql functions", is_sql_srf};
static FlpOidMemo kept_calls = {"flp sql functions", scalar_call_kept};

static bool
body_walker(Node *node, BodyWalk *bw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, body_walker, (void *) bw,
								 QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;
		FuncExpr   *call = flp_inlinable_call(rte);

		if (rte->rtekind == RTE_RELATION &&
			(flp_is_governed(rte->relid, NULL) || flp_is_statistics_catalog(rte->relid)))
		{
			bw->governed = true;
			return true;
		}
		if (call != NULL)
			bw->calls = lappend(bw->calls, call);
		return false;			/* walks on into the entry */
	}
	return expression_tree_walker(node, body_walker, (void *) bw);
}

/*
 * The body of a set-returning SQL function, parsed, analysed and rewritten
 * for the call fexpr as the planner does it, or NULL where the planner would
 * not inline it before looking at the body.
 */
static Query *
analysed_body(HeapTuple tuple, FuncExpr *fexpr)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);
	bool		isnull;
	Datum		body;
	List	   *queries;

	if (proc->prolang != SQLlanguageId || proc->prokind != PROKIND_FUNCTION ||
		proc->proisstrict || proc->provolatile == PROVOLATILE_VOLATILE ||
		proc->prorettype == VOIDOID || proc->prosecdef || !proc->proretset ||
		list_length(fexpr->args) != proc->pronargs ||
		!heap_attisnull(tuple, Anum_pg_proc_proconfig, NULL))
		return NULL;

	body = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosqlbody, &isnull);
	if (!isnull)
	{
		Node	   *n = stringToNode(TextDatumGetCString(body));

		queries = IsA(n, List) ? linitial_node(List, castNode(List, n)) : list_make1(n);
		if (list_length(queries) != 1)
			return NULL;
		AcquireRewriteLocks(linitial_node(Query, queries), true, false);
		queries = pg_rewrite_query(linitial_node(Query, queries));
	}
	else
	{
		char	   *src = TextDatumGetCString(SysCacheGetAttr(PROCOID, tuple,
															  Anum_pg_proc_prosrc, &isnull));
		SQLFunctionParseInfoPtr pinfo = prepare_sql_fn_parse_info(tuple, (Node *) fexpr,
																  fexpr->inputcollid);
		List	   *raw = pg_parse_query(src);

		if (list_length(raw) != 1)
			return NULL;
		queries = pg_analyze_and_rewrite_withcb(linitial(raw), src,
												(ParserSetupHook) sql_fn_parser_setup,
												pinfo, NULL);
	}
	if (list_length(queries) != 1)
		return NULL;
	return linitial_node(Query, queries);
}

static void
inlining_error_context(void *arg)
{
	errcontext("SQL function \"%s\" while flp checked it for inlining", (char *) arg);
}

static bool
already_free(List *free, Oid fn_oid)
{
	ListCell   *lc;

	foreach(lc, free)
		if (((FreeFunction *) lfirst(lc))->fn_oid == fn_oid)
			return true;
	return false;
}

/*
 * Add the function of fexpr to *free if its body may be inlined (see the
 * file header), and the set-returning calls of its body that may, down to
 * MAX_BODY_DEPTH.  Analysed in a memory context of its own, as the planner
 * does.
 */
static void
consider_call(FuncExpr *fexpr, int depth, List **free, MemoryContext outer)
{
	HeapTuple	tuple;
	Query	   *body;
	BodyWalk	bw = {false, NIL};
	ErrorContextCallback errcallback;
	ListCell   *lc;

	if (already_free(*free, fexpr->funcid) ||
		contain_volatile_functions((Node *) fexpr->args) ||
		contain_subplans((Node *) fexpr->args) ||
		!flp_may_execute_function(fexpr->funcid, GetUserId()))
		return;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fexpr->funcid));
	if (!HeapTupleIsValid(tuple))
		return;
	errcallback.callback = inlining_error_context;
	errcallback.arg = NameStr(((Form_pg_proc) GETSTRUCT(tuple))->proname);
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	body = analysed_body(tuple, fexpr);
	error_context_stack = errcallback.previous;
	if (body != NULL && !body_walker((Node *) body, &bw) &&
		!flp_tree_calls_refused((Node *) body))
	{
		MemoryContext cxt = MemoryContextSwitchTo(outer);
		FreeFunction *f = palloc(sizeof(FreeFunction));

		f->fn_oid = fexpr->funcid;
		f->xmin = HeapTupleHeaderGetRawXmin(tuple->t_data);
		f->tid = tuple->t_self;
		*free = lappend(*free, f);
		MemoryContextSwitchTo(cxt);
	}
	ReleaseSysCache(tuple);
	if (depth < MAX_BODY_DEPTH)
		foreach(lc, bw.calls)
			consider_call(lfirst(lc), depth + 1, free, outer);
}

/*
 * The set-returning SQL functions free to be inlined into the planning of
 * a query whose set-returning calls in FROM are calls (FuncExpr *).
 */
List *
flp_inlinable_functions(List *calls)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext cxt;
	List	   *free = NIL;
	ListCell   *lc;

	if (calls == NIL)
		return NIL;
	cxt = AllocSetContextCreate(outer, "flp inlining check", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	foreach(lc, calls)
		consider_call(lfirst(lc), 0, &free, outer);
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cxt);
	return free;
}

/* Is fn_oid free in this planning, with the pg_proc row it was analysed by? */
static bool
free_now(Oid fn_oid, List *free)
{
	ListCell   *lc;

	foreach(lc, free)
	{
		FreeFunction *f = lfirst(lc);
		HeapTuple	tuple;
		bool		same;

		if (f->fn_oid != fn_oid)
			continue;
		tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
		if (!HeapTupleIsValid(tuple))
			return false;
		same = HeapTupleHeaderGetRawXmin(tuple->t_data) == f->xmin &&
			ItemPointerEquals(&tuple->t_self, &f->tid);
		ReleaseSysCache(tuple);
		return same;
	}
	return false;
}

/*
 * Must the function stay a call (not be inlined)?  free: the set-returning
 * functions free in the planning in progress (flp_inlinable_functions), NIL
 * outside planning.
 */
bool
flp_keep_function_call(Oid fn_oid, List *free)
{
	if (flp_catalog() == NULL)
		return false;
	if (flp_oid_memo_answer(&sql_srfs, fn_oid))
		return !free_now(fn_oid, free);
	return flp_oid_memo_answer(&kept_calls, fn_oid);
}

/* Register the invalidation of the answers; from _PG_init. */
void
flp_inlining_init(void)
{
	flp_oid_memo_register(&sql_srfs, PROCOID);
	flp_oid_memo_register(&kept_calls, PROCOID);
}
