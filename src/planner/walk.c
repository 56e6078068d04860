/*-------------------------------------------------------------------------
 *
 * walk.c
 *	  Walking a query: its levels and the expression slots of each.
 *
 * The one list of the places of a query level that hold expressions, the
 * subqueries one level below, and a walk over every range table entry of a
 * tree.  A new expression field of Query is added here, once.
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

/*
 * The securityQuals of governed tables that are not their policies: the
 * quals of a security_barrier view that UPDATE or DELETE went through, which
 * PostgreSQL's rewriter adds after the table's policies.  Set while planning.
 */
List *flp_untrusted_quals = NIL;

bool
flp_is_untrusted_qual(Node *qual)
{
	return list_member_ptr(flp_untrusted_quals, qual);
}

/*
 * Row-level security quals are trusted when they guard a governed table
 * (only its owner, an administrator, can write them).  Policies of other
 * tables -- a subject's own table, say -- are held to the rules of queries:
 * otherwise a subject could write a policy that tests hidden values.  The
 * same goes for views' WITH CHECK OPTION quals.
 */
bool
flp_trusted_rte_quals(RangeTblEntry *rte)
{
	return rte->rtekind == RTE_RELATION && flp_is_governed(rte->relid, NULL);
}

bool
flp_trusted_check_option(Query *q, WithCheckOption *wco)
{
	if (wco->kind == WCO_VIEW_CHECK || q->resultRelation == 0)
		return false;
	return flp_trusted_rte_quals(rt_fetch(q->resultRelation, q->rtable));
}


void
flp_for_level_expressions(Query *q, level_expr_fn fn, void *arg)
{
	ListCell   *lc;

	fn((Node *) q->targetList, arg);
	fn((Node *) q->returningList, arg);
	fn((Node *) q->jointree, arg);
	fn(q->havingQual, arg);
	fn(q->limitOffset, arg);
	fn(q->limitCount, arg);
	if (q->onConflict)
	{
		fn((Node *) q->onConflict->arbiterElems, arg);
		fn(q->onConflict->arbiterWhere, arg);
		fn((Node *) q->onConflict->onConflictSet, arg);
		fn(q->onConflict->onConflictWhere, arg);
	}
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		fn(ma->qual, arg);
		fn((Node *) ma->targetList, arg);
	}
	foreach(lc, q->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		fn(wc->startOffset, arg);
		fn(wc->endOffset, arg);
	}
	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		switch (rte->rtekind)
		{
			case RTE_FUNCTION:
				fn((Node *) rte->functions, arg);
				break;
			case RTE_TABLEFUNC:
				fn((Node *) rte->tablefunc, arg);
				break;
			case RTE_VALUES:
				fn((Node *) rte->values_lists, arg);
				break;
			case RTE_RELATION:
				fn((Node *) rte->tablesample, arg);
				if (!flp_trusted_rte_quals(rte))
					fn((Node *) rte->securityQuals, arg);
				else
				{
					ListCell   *lc2;

					foreach(lc2, rte->securityQuals)
						if (flp_is_untrusted_qual(lfirst(lc2)))
							fn(lfirst(lc2), arg);
				}
				break;
			default:
				break;
		}
	}
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if (!flp_trusted_check_option(q, wco))
			fn(wco->qual, arg);
	}
}

/* Collect the SubLinks of an expression (not those nested in them). */
static bool
sublink_collector(Node *node, List **sublinks)
{
	if (node == NULL)
		return false;
	if (IsA(node, SubLink))
	{
		*sublinks = lappend(*sublinks, node);
		/* the test expression may hold more sublinks at this level */
		return sublink_collector(((SubLink *) node)->testexpr, sublinks);
	}
	if (IsA(node, Query))
		return false;
	return expression_tree_walker(node, sublink_collector, (void *) sublinks);
}

static void
collect_sublinks(Node *expr, void *arg)
{
	(void) sublink_collector(expr, (List **) arg);
}

/* The subqueries one level below q: range table, CTEs, sublinks. */
List *
flp_child_queries(Query *q)
{
	List	   *result = NIL;
	List	   *sublinks = NIL;
	ListCell   *lc;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_SUBQUERY)
			result = lappend(result, rte->subquery);
	}
	foreach(lc, q->cteList)
		result = lappend(result, ((CommonTableExpr *) lfirst(lc))->ctequery);
	/* the planner, too, looks for sublinks only where this says there are */
	if (q->hasSubLinks)
		flp_for_level_expressions(q, collect_sublinks, &sublinks);
	foreach(lc, sublinks)
		result = lappend(result, ((SubLink *) lfirst(lc))->subselect);
	return result;
}


typedef struct RteWalk
{
	RteCallback fn;
	void	   *arg;
} RteWalk;

static bool
rte_walker(Node *node, RteWalk *w)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;
		Index		rti;

		for (rti = 1; rti <= (Index) list_length(q->rtable); rti++)
		{
			RangeTblEntry *rte = rt_fetch(rti, q->rtable);

			w->fn(q, rti, rte, w->arg);
			/* without sublinks only subqueries and CTEs hold more levels */
			if (!q->hasSubLinks && rte->rtekind == RTE_SUBQUERY)
				(void) rte_walker((Node *) rte->subquery, w);
		}
		if (!q->hasSubLinks)
		{
			ListCell   *lc;

			foreach(lc, q->cteList)
				(void) rte_walker(((CommonTableExpr *) lfirst(lc))->ctequery, w);
			return false;
		}
		return query_tree_walker(q, rte_walker, w, 0);
	}
	return expression_tree_walker(node, rte_walker, w);
}

void
flp_for_each_rte(Query *query, RteCallback fn, void *arg)
{
	RteWalk		w = {fn, arg};

	(void) rte_walker((Node *) query, &w);
}
