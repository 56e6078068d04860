/*-------------------------------------------------------------------------
 *
 * views.c
 *	  The fields of tables a view's column is computed from, for the
 *	  introspection functions (flp.effective, flp.explain on views).
 *
 * A view's column is an expression of its query; its fields are the columns
 * of tables that expression reads -- through other views, subqueries, CTEs,
 * joins' merged columns, and sublinks -- the same fields whose permissions
 * the planner applies when a role reads the view (a hidden one masks the
 * column and refuses filters on it).  A whole-row reference counts every
 * field of its table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "flp.h"

/* Where a walk is: the query of each level up, to resolve Vars. */
typedef struct SourceWalk
{
	List	   *levels;			/* Query *, innermost first */
	List	   *sources;		/* FlpFieldRef * */
	int			depth;			/* views and subqueries entered */
} SourceWalk;

static void query_column_sources(SourceWalk *w, Query *q, AttrNumber attnum);
static bool expr_sources_walker(Node *node, SourceWalk *w);

/* Add a table field, once. */
static void
add_source(SourceWalk *w, Oid relid, AttrNumber attnum)
{
	ListCell   *lc;
	FlpFieldRef *ref;

	foreach(lc, w->sources)
	{
		ref = lfirst(lc);
		if (ref->relid == relid && ref->attnum == attnum)
			return;
	}
	ref = palloc(sizeof(FlpFieldRef));
	ref->relid = relid;
	ref->attnum = attnum;
	w->sources = lappend(w->sources, ref);
}

/* Column attnum of a relation: a table's field, or what a view computes it from. */
static void
relation_column_sources(SourceWalk *w, Oid relid, AttrNumber attnum)
{
	char		relkind = get_rel_relkind(relid);

	if (relkind == RELKIND_VIEW)
	{
		Relation	rel = relation_open(relid, AccessShareLock);
		Query	   *q = copyObject(get_view_query(rel));

		relation_close(rel, AccessShareLock);
		if (attnum == 0)
		{
			ListCell   *lc;

			foreach(lc, q->targetList)
				if (!((TargetEntry *) lfirst(lc))->resjunk)
					query_column_sources(w, q, ((TargetEntry *) lfirst(lc))->resno);
		}
		else
			query_column_sources(w, q, attnum);
		return;
	}
	if (attnum > 0)
	{
		add_source(w, relid, attnum);
		return;
	}
	if (attnum == 0)
	{
		Relation	rel = relation_open(relid, AccessShareLock);
		TupleDesc	desc = RelationGetDescr(rel);

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				add_source(w, relid, TupleDescAttr(desc, i)->attnum);
		relation_close(rel, AccessShareLock);
	}
}

/*
 * A Var of an entry whose columns are listed expressions of its level (a
 * join's alias variables, the grouping step's expressions): their sources.
 */
static void
listed_sources(SourceWalk *w, Var *var, List *exprs)
{
	List	   *saved = w->levels;

	if (var->varattno <= 0 || var->varattno > list_length(exprs))
		return;
	/* the expression is of the entry's level, whatever level var was */
	w->levels = list_copy_tail(w->levels, var->varlevelsup);
	expr_sources_walker(list_nth(exprs, var->varattno - 1), w);
	w->levels = saved;
}

/* The Var of the query levels w->levels (innermost first): its sources. */
static void
var_sources(SourceWalk *w, Var *var)
{
	Query	   *q;
	RangeTblEntry *rte;

	if (var->varlevelsup >= (Index) list_length(w->levels))
		return;
	q = list_nth(w->levels, var->varlevelsup);
	if (var->varno < 1 || var->varno > (int) list_length(q->rtable))
		return;
	rte = rt_fetch(var->varno, q->rtable);
	switch (rte->rtekind)
	{
		case RTE_RELATION:
			relation_column_sources(w, rte->relid, var->varattno);
			break;
		case RTE_SUBQUERY:
			if (var->varattno == 0)
			{
				ListCell   *lc;

				foreach(lc, rte->subquery->targetList)
					if (!((TargetEntry *) lfirst(lc))->resjunk)
						query_column_sources(w, rte->subquery, ((TargetEntry *) lfirst(lc))->resno);
			}
			else
				query_column_sources(w, rte->subquery, var->varattno);
			break;
		case RTE_JOIN:
			listed_sources(w, var, rte->joinaliasvars);
			break;
		case RTE_CTE:
			{
				Index		up = var->varlevelsup + rte->ctelevelsup;
				ListCell   *lc;

				if (up >= (Index) list_length(w->levels))
					break;
				foreach(lc, ((Query *) list_nth(w->levels, up))->cteList)
				{
					CommonTableExpr *cte = lfirst(lc);

					if (strcmp(cte->ctename, rte->ctename) == 0 && IsA(cte->ctequery, Query))
						query_column_sources(w, (Query *) cte->ctequery,
											 var->varattno);
				}
			}
			break;
		default:
			/* the grouping step (18): its columns are GROUP BY's expressions */
			if (flp_group_exprs(rte) != NULL)
				listed_sources(w, var, *flp_group_exprs(rte));
			/* functions, VALUES, ...: no table field */
			break;
	}
}

static bool
expr_sources_walker(Node *node, SourceWalk *w)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		var_sources(w, (Var *) node);
		return false;
	}
	if (IsA(node, SubLink))
	{
		SubLink    *sublink = (SubLink *) node;
		Query	   *sub = (Query *) sublink->subselect;
		ListCell   *lc;

		expr_sources_walker(sublink->testexpr, w);
		/* what the subquery returns */
		foreach(lc, sub->targetList)
			if (!((TargetEntry *) lfirst(lc))->resjunk)
				query_column_sources(w, sub, ((TargetEntry *) lfirst(lc))->resno);
		return false;
	}
	return expression_tree_walker(node, expr_sources_walker, (void *) w);
}

/* Column attnum of query q (a new level below those of w). */
static void
query_column_sources(SourceWalk *w, Query *q, AttrNumber attnum)
{
	TargetEntry *tle;
	List	   *saved = w->levels;

	if (++w->depth > 100)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("views nested too deeply to trace a column's fields")));
	check_stack_depth();
	if (q->setOperations != NULL)
	{
		/* a UNION's column is each branch's column */
		ListCell   *lc;

		w->levels = lcons(q, list_copy(saved));
		foreach(lc, q->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			if (rte->rtekind == RTE_SUBQUERY && rte->subquery != NULL)
				query_column_sources(w, rte->subquery, attnum);
		}
		w->levels = saved;
		return;
	}
	tle = get_tle_by_resno(q->targetList, attnum);
	if (tle == NULL)
		return;
	w->levels = lcons(q, list_copy(saved));
	expr_sources_walker((Node *) tle->expr, w);
	w->levels = saved;
}

/*
 * The table fields column attnum of view viewid is computed from, as a List
 * of FlpFieldRef *, in the order met.
 */
List *
flp_view_column_sources(Oid viewid, AttrNumber attnum)
{
	SourceWalk	w = {NIL, NIL, 0};

	relation_column_sources(&w, viewid, attnum);
	return w.sources;
}
