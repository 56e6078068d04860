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
 * subquery, when the planner asks needs_fmgr_hook right before it parses
 * the body (inline_set_returning_function).  At that moment, during a
 * planning flp has looked at, flp analyses the body itself as the planner is
 * about to (same catalog, search path and locks: nothing runs between the two),
 * and answers "inline it" only for a body that reads no governed table and no
 * statistics catalog (also through views and row-level security policies),
 * and calls nothing flp refuses: such a body changes nothing flp decides.
 * Every other one stays a call, planned and masked on its own.  The answer
 * is not kept: user code may run while a query is planned (an IMMUTABLE
 * function folded to a constant can change the search path or replace a
 * view), so an analysis made before planning began would not tell what the
 * planner reads when it inlines.  The argument types of a polymorphic
 * function come from its calls in the query, noted before planning; a
 * polymorphic function called otherwise stays a call.  Outside planning
 * every set-returning SQL function is kept.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/functions.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

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

/* Does an analysed body read a governed table or a statistics catalog? */
static bool
reads_governed(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, reads_governed, context,
								 QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		return rte->rtekind == RTE_RELATION &&
			(flp_is_governed(rte->relid, NULL) || flp_is_statistics_catalog(rte->relid));
		/* (false: walks on into the entry) */
	}
	return expression_tree_walker(node, reads_governed, context);
}

/*
 * The body of a set-returning SQL function, parsed, analysed and rewritten
 * as the planner does it (for the call fexpr: the argument types of a
 * polymorphic function, which is kept without one), or NULL where the
 * planner would not inline it without looking at the body.
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
		!heap_attisnull(tuple, Anum_pg_proc_proconfig, NULL))
		return NULL;
	if (fexpr == NULL)
	{
		for (int i = 0; i < proc->pronargs; i++)
			if (IsPolymorphicType(proc->proargtypes.values[i]))
				return NULL;
		if (IsPolymorphicType(proc->prorettype))
			return NULL;
	}

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
		SQLFunctionParseInfoPtr pinfo =
			prepare_sql_fn_parse_info(tuple, (Node *) fexpr,
									  fexpr ? fexpr->inputcollid : InvalidOid);
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

/* Do two calls of a function have the same argument and result types? */
static bool
same_types(FuncExpr *a, FuncExpr *b)
{
	ListCell   *la,
			   *lb;

	if (a->funcresulttype != b->funcresulttype || list_length(a->args) != list_length(b->args))
		return false;
	forboth(la, a->args, lb, b->args)
		if (exprType(lfirst(la)) != exprType(lfirst(lb)))
			return false;
	return true;
}

/*
 * The call of fn_oid among the calls noted before planning, whose argument
 * types a polymorphic function's body is analysed with; NULL when there is
 * none, or when calls of it differ in their types.
 */
static FuncExpr *
noted_call(Oid fn_oid, List *calls)
{
	FuncExpr   *found = NULL;
	ListCell   *lc;

	foreach(lc, calls)
	{
		FuncExpr   *call = lfirst(lc);

		if (call->funcid != fn_oid)
			continue;
		if (found != NULL && !same_types(call, found))
			return NULL;
		found = call;
	}
	return found;
}

/*
 * May the planner inline the set-returning SQL function fn_oid now?  Its
 * body analysed as the planner is about to (see the file header), in a
 * memory context of its own, as the planner does.
 */
static bool
inlinable_now(Oid fn_oid, List *calls)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext cxt;
	ErrorContextCallback errcallback;
	Query	   *body;
	bool		free;

	if (!HeapTupleIsValid(tuple))
		return false;
	cxt = AllocSetContextCreate(outer, "flp inlining check", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	errcallback.callback = inlining_error_context;
	errcallback.arg = NameStr(((Form_pg_proc) GETSTRUCT(tuple))->proname);
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	body = analysed_body(tuple, noted_call(fn_oid, calls));
	error_context_stack = errcallback.previous;
	free = body != NULL && !reads_governed((Node *) body, NULL) &&
		!flp_tree_calls_refused((Node *) body);
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cxt);
	ReleaseSysCache(tuple);
	return free;
}

/*
 * Must the function stay a call (not be inlined)?  planning: during a
 * planning flp looked at, whose set-returning calls in FROM are calls
 * (FuncExpr *, noted before planning).
 */
bool
flp_keep_function_call(Oid fn_oid, bool planning, List *calls)
{
	if (flp_catalog() == NULL)
		return false;
	if (flp_oid_memo_answer(&sql_srfs, fn_oid))
		return !planning || !inlinable_now(fn_oid, calls);
	return flp_oid_memo_answer(&kept_calls, fn_oid);
}

/* Register the invalidation of the answers; from _PG_init. */
void
flp_inlining_init(void)
{
	flp_oid_memo_register(&sql_srfs, PROCOID);
	flp_oid_memo_register(&kept_calls, PROCOID);
}
