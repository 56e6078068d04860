/*-------------------------------------------------------------------------
 *
 * refuse.c
 *	  Pass 1: refuse hidden fields in filter positions.
 *
 * A value derived from a hidden field must not decide which rows a query
 * returns or how they are grouped or ordered: WHERE, JOIN, HAVING, GROUP BY,
 * ORDER BY, DISTINCT ON, window clauses, FILTER, ON CONFLICT, MERGE conditions,
 * TABLESAMPLE and the quals of untrusted policies and check options.  Each
 * query level is checked, then the levels below it.
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

static void
check_expr(Rewriter *rw, Level *lv, Node *expr, const char *clause)
{
	const Origin *o = flp_expr_taint(rw, lv, expr);

	if (o)
		flp_deny_use(o, clause, false);
}

/* WHERE and the quals of every JOIN of a jointree. */
static void
check_jointree(Rewriter *rw, Level *lv, Node *node, const char *where)
{
	if (node == NULL)
		return;
	if (IsA(node, FromExpr))
	{
		FromExpr   *f = (FromExpr *) node;
		ListCell   *lc;

		foreach(lc, f->fromlist)
			check_jointree(rw, lv, lfirst(lc), where);
		check_expr(rw, lv, f->quals, where);
	}
	else if (IsA(node, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) node;

		check_jointree(rw, lv, j->larg, where);
		check_jointree(rw, lv, j->rarg, where);
		check_expr(rw, lv, j->quals, "JOIN");
	}
}

static void
check_sortgroup(Rewriter *rw, Level *lv, List *clauses, const char *clause)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		TargetEntry *tle = get_sortgroupclause_tle(lfirst(lc), lv->query->targetList);

		/* a set operation's output comes from every branch, not the first */
		if (lv->query->setOperations)
		{
			const QueryTaint *qt = flp_query_taint(rw, lv->query, lv->up);

			if (tle->resno >= 1 && tle->resno <= qt->ncols && qt->cols[tle->resno])
				flp_deny_use(qt->cols[tle->resno], clause, false);
		}
		check_expr(rw, lv, (Node *) tle->expr, clause);
	}
}

/* FILTER (WHERE ...) of aggregates and window functions at this level. */
typedef struct FilterWalk
{
	Rewriter   *rw;
	Level	   *lv;
} FilterWalk;

static bool
filter_walker(Node *node, FilterWalk *fw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))		/* of this level or an outer one */
		check_expr(fw->rw, fw->lv, (Node *) ((Aggref *) node)->aggfilter, "FILTER");
	else if (IsA(node, WindowFunc))
		check_expr(fw->rw, fw->lv, (Node *) ((WindowFunc *) node)->aggfilter, "FILTER");
	if (IsA(node, Query) || IsA(node, SubLink))
	{
		if (IsA(node, SubLink))
			return filter_walker(((SubLink *) node)->testexpr, fw);
		return false;
	}
	return expression_tree_walker(node, filter_walker, (void *) fw);
}

/*
 * Can an expression of this level hold a FILTER clause?  Only an aggregate
 * of this level or of an enclosing one (an outer aggregate sits in the
 * subquery that names it), or a window function of this level, has one.
 */
static bool
filters_possible(Level *lv)
{
	Level	   *l;

	if (lv->query->hasWindowFuncs)
		return true;
	for (l = lv; l != NULL; l = l->up)
		if (l->query->hasAggs)
			return true;
	return false;
}

static void
check_filters(Node *expr, void *arg)
{
	(void) filter_walker(expr, (FilterWalk *) arg);
}

/* ON CONFLICT ON CONSTRAINT c: the columns of its index are arbiters. */
static void
check_arbiter_constraint(Rewriter *rw, Level *lv, Oid constraint)
{
	Query	   *q = lv->query;
	RangeTblEntry *rte = rt_fetch(q->resultRelation, q->rtable);
	RelPerms   *rp = flp_rel_perms(rw, rte->relid);
	Oid			indexid = get_constraint_index(constraint);
	HeapTuple	tuple;
	AttrNumber	hidden = InvalidAttrNumber;
	int			i;

	if (rp == NULL || !rp->hides || !OidIsValid(indexid))
		return;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tuple))
		return;
	{
		Form_pg_index index = (Form_pg_index) GETSTRUCT(tuple);

		for (i = 0; i < index->indnatts && hidden == InvalidAttrNumber; i++)
			if (index->indkey.values[i] > 0 &&
				flp_perm_of(rp, index->indkey.values[i]) == FLP_HIDE)
				hidden = index->indkey.values[i];
	}
	ReleaseSysCache(tuple);
	if (hidden != InvalidAttrNumber)
		flp_deny_use(flp_make_origin(rte->relid, hidden), "ON CONFLICT", false);
}

/*
 * Pass 1: refuse a hidden field (or anything derived from one) in a filter
 * position, as the source of a written value, and writes to fields that are
 * not Edit; in q and every query below it.
 */
void
flp_check_query(Rewriter *rw, Query *q, Level *up)
{
	Level		lv;
	FilterWalk	fw;
	ListCell   *lc;

	check_stack_depth();
	lv.query = q;
	lv.up = up;

	check_jointree(rw, &lv, (Node *) q->jointree,
				   q->commandType == CMD_MERGE ? "MERGE ON" : "WHERE");
	check_expr(rw, &lv, q->havingQual, "HAVING");
	check_sortgroup(rw, &lv, q->groupClause, "GROUP BY");
	check_sortgroup(rw, &lv, q->sortClause, "ORDER BY");
	if (q->hasDistinctOn)
		check_sortgroup(rw, &lv, q->distinctClause, "DISTINCT ON");
	foreach(lc, q->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		check_sortgroup(rw, &lv, wc->partitionClause, "PARTITION BY");
		check_sortgroup(rw, &lv, wc->orderClause, "a window's ORDER BY");
	}
	fw.rw = rw;
	fw.lv = &lv;
	if (filters_possible(&lv))
		flp_for_level_expressions(q, check_filters, &fw);
	if (q->onConflict)
	{
		check_expr(rw, &lv, (Node *) q->onConflict->arbiterElems, "ON CONFLICT");
		check_expr(rw, &lv, q->onConflict->arbiterWhere, "ON CONFLICT");
		check_expr(rw, &lv, q->onConflict->onConflictWhere, "ON CONFLICT DO UPDATE WHERE");
	}
	foreach(lc, q->mergeActionList)
		check_expr(rw, &lv, ((MergeAction *) lfirst(lc))->qual, "MERGE WHEN");
	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_RELATION && rte->tablesample)
			check_expr(rw, &lv, (Node *) rte->tablesample, "TABLESAMPLE");
		if (rte->rtekind == RTE_RELATION && !flp_trusted_rte_quals(rte))
			check_expr(rw, &lv, (Node *) rte->securityQuals, "a row-level security policy");
		else if (rte->rtekind == RTE_RELATION)
		{
			ListCell   *lc2;

			foreach(lc2, rte->securityQuals)
				if (flp_is_untrusted_qual(lfirst(lc2)))
					check_expr(rw, &lv, lfirst(lc2), "WHERE");
		}
	}
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if (!flp_trusted_check_option(q, wco))
			check_expr(rw, &lv, wco->qual,
					   wco->kind == WCO_VIEW_CHECK ? "a view's CHECK OPTION" :
					   "a row-level security policy");
	}
	if (q->onConflict && OidIsValid(q->onConflict->constraint))
		check_arbiter_constraint(rw, &lv, q->onConflict->constraint);
	flp_check_writes(rw, &lv);

	foreach(lc, flp_child_queries(q))
		flp_check_query(rw, lfirst(lc), &lv);
}
