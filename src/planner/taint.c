/*-------------------------------------------------------------------------
 *
 * taint.c
 *	  Which values of a query are derived from a hidden field.
 *
 * A value is tainted when it is computed from a field hidden from the role,
 * through views, subqueries, CTEs (recursive ones by a fixpoint), set
 * operations, joins, functions and sublinks.  The refusal passes ask for the
 * taint of an expression; the answer names the hidden field it comes from.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"

#include "flp.h"
#include "planner/planner.h"


/* The taint of any output column of a query. */
static const Origin *
any_column(const QueryTaint *qt)
{
	int			i;

	for (i = 1; i <= qt->ncols; i++)
		if (qt->cols[i])
			return qt->cols[i];
	return NULL;
}

/* The level a CTE reference points to, and the CTE. */
static CommonTableExpr *
find_cte(Level *lv, RangeTblEntry *rte, Level **cte_level)
{
	Level	   *l = lv;
	Index		i;
	ListCell   *lc;

	for (i = 0; i < rte->ctelevelsup && l != NULL; i++)
		l = l->up;
	if (l == NULL)
		elog(ERROR, "flp: bad ctelevelsup for CTE \"%s\"", rte->ctename);
	foreach(lc, l->query->cteList)
	{
		CommonTableExpr *cte = lfirst(lc);

		if (strcmp(cte->ctename, rte->ctename) == 0)
		{
			*cte_level = l;
			return cte;
		}
	}
	elog(ERROR, "flp: could not find CTE \"%s\"", rte->ctename);
	return NULL;				/* keep compiler quiet */
}

/* The taint of column attno (0: any column) of a relation. */
static const Origin *
relation_taint(Rewriter *rw, Oid relid, AttrNumber attno)
{
	RelPerms   *rp = flp_rel_perms(rw, relid);
	AttrNumber	att;

	if (rp == NULL || !rp->hides)
		return NULL;
	if (attno > 0)
		return flp_perm_of(rp, attno) == FLP_HIDE ? flp_make_origin(relid, attno) : NULL;
	if (attno == TableOidAttributeNumber && rp->hidden_partkey)
		return flp_make_origin(relid, rp->hidden_partkey);	/* the partition tells the key */
	if (attno < 0)
		return NULL;			/* system columns */
	for (att = 1; att <= rp->p.natts; att++)
		if (flp_perm_of(rp, att) == FLP_HIDE && flp_attname(relid, att))
			return flp_make_origin(relid, att);
	return NULL;
}

/* The taint of output column attno (0: any column) of a query. */
static const Origin *
column_taint(const QueryTaint *qt, AttrNumber attno)
{
	if (attno == 0)
		return any_column(qt);
	return (attno > 0 && attno <= qt->ncols) ? qt->cols[attno] : NULL;
}

/*
 * The taint of column attno (0: any column) of an entry whose columns are a
 * list of expressions: a join's alias variables, a VALUES row, the grouping
 * step's expressions.
 */
static const Origin *
listed_column_taint(Rewriter *rw, Level *lv, List *exprs, AttrNumber attno)
{
	if (attno > 0 && attno <= list_length(exprs))
		return flp_expr_taint(rw, lv, list_nth(exprs, attno - 1));
	return flp_expr_taint(rw, lv, (Node *) exprs);
}

/* The taint of column attno (0: any column) of a range table entry at lv. */
static const Origin *
rte_taint(Rewriter *rw, Level *lv, RangeTblEntry *rte, AttrNumber attno)
{
	switch (rte->rtekind)
	{
		case RTE_RELATION:
			return relation_taint(rw, rte->relid, attno);
		case RTE_SUBQUERY:
			if (flp_is_published(rw, rte->subquery))
				return NULL;	/* evaluated as its owner sees the fields */
			return column_taint(flp_query_taint(rw, rte->subquery, lv), attno);
		case RTE_CTE:
			{
				Level	   *cl;
				CommonTableExpr *cte = find_cte(lv, rte, &cl);

				return column_taint(flp_query_taint(rw, (Query *) cte->ctequery, cl), attno);
			}
		case RTE_JOIN:
			return listed_column_taint(rw, lv, rte->joinaliasvars, attno);
		case RTE_FUNCTION:
			return flp_expr_taint(rw, lv, (Node *) rte->functions);
		case RTE_TABLEFUNC:
			return flp_expr_taint(rw, lv, (Node *) rte->tablefunc);
		case RTE_VALUES:
			{
				ListCell   *lc;
				const Origin *o;

				foreach(lc, rte->values_lists)
				{
					if ((o = listed_column_taint(rw, lv, lfirst(lc), attno)) != NULL)
						return o;
				}
				return NULL;
			}
		default:
			/* the grouping step (18): its columns are GROUP BY's expressions */
			if (flp_group_exprs(rte) != NULL)
				return listed_column_taint(rw, lv, *flp_group_exprs(rte), attno);
			return NULL;
	}
}

typedef struct TaintWalk
{
	Rewriter   *rw;
	Level	   *lv;
	const Origin *found;
} TaintWalk;

static bool
taint_walker(Node *node, TaintWalk *tw)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;
		Level	   *l = tw->lv;
		Index		i;

		for (i = 0; i < var->varlevelsup && l != NULL; i++)
			l = l->up;
		if (l == NULL || var->varno < 1 || var->varno > list_length(l->query->rtable))
			return false;		/* not a range table reference (e.g. OUTER) */
		tw->found = rte_taint(tw->rw, l, rt_fetch(var->varno, l->query->rtable),
							  var->varattno);
		return tw->found != NULL;
	}
	if (IsA(node, SubLink))
	{
		SubLink    *sl = (SubLink *) node;

		if (sl->subLinkType != EXISTS_SUBLINK)
		{
			const QueryTaint *qt = flp_query_taint(tw->rw, (Query *) sl->subselect, tw->lv);

			if ((tw->found = any_column(qt)) != NULL)
				return true;
		}
		return taint_walker(sl->testexpr, tw);
	}
	if (IsA(node, Query))
		return false;			/* only reached through SubLink, handled above */
	return expression_tree_walker(node, taint_walker, (void *) tw);
}

/* Finding the view column a tainted value was read through. */
typedef struct ViaWalk
{
	Rewriter   *rw;
	Level	   *lv;
	Oid			viewid;
	AttrNumber	attno;
} ViaWalk;

static bool
via_walker(Node *node, ViaWalk *vw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) && ((Var *) node)->varattno > 0)
	{
		Var		   *var = (Var *) node;
		Level	   *l = vw->lv;
		Index		i;
		RangeTblEntry *rte;

		for (i = 0; i < var->varlevelsup && l != NULL; i++)
			l = l->up;
		if (l == NULL || var->varno < 1 || var->varno > list_length(l->query->rtable))
			return false;
		rte = rt_fetch(var->varno, l->query->rtable);
		/* the grouping step (18): follow its expression to the view's column */
		if (flp_group_exprs(rte) != NULL && var->varattno <= list_length(*flp_group_exprs(rte)))
		{
			ViaWalk		inner = {vw->rw, l, InvalidOid, InvalidAttrNumber};

			if (!via_walker(list_nth(*flp_group_exprs(rte), var->varattno - 1), &inner))
				return false;
			vw->viewid = inner.viewid;
			vw->attno = inner.attno;
			return true;
		}
		vw->viewid = flp_subquery_view(rte);
		vw->attno = var->varattno;
		return OidIsValid(vw->viewid) && rte_taint(vw->rw, l, rte, var->varattno) != NULL;
	}
	if (IsA(node, Query))
		return false;
	return expression_tree_walker(node, via_walker, (void *) vw);
}

/*
 * The column of a view through which an expression at level lv is derived
 * from a hidden field -- the first column of a view's entry the expression
 * reads that is -- so that a refusal names what the user wrote.
 */
bool
flp_view_column_via(Rewriter *rw, Level *lv, Node *expr, Oid *viewid, AttrNumber *attno)
{
	ViaWalk		vw = {rw, lv, InvalidOid, InvalidAttrNumber};

	if (!via_walker(expr, &vw))
		return false;
	*viewid = vw.viewid;
	*attno = vw.attno;
	return true;
}

/* The hidden field an expression at level lv is derived from, or NULL. */
const Origin *
flp_expr_taint(Rewriter *rw, Level *lv, Node *expr)
{
	TaintWalk	tw;

	if (expr == NULL || IsA(expr, Const))
		return NULL;			/* most rows of a VALUES list */
	tw.rw = rw;
	tw.lv = lv;
	tw.found = NULL;
	(void) taint_walker(expr, &tw);
	return tw.found;
}

/* The leaves of a set operation tree. */
static void
setop_leaves(Node *node, List **leaves)
{
	if (IsA(node, RangeTblRef))
		*leaves = lappend_int(*leaves, ((RangeTblRef *) node)->rtindex);
	else if (IsA(node, SetOperationStmt))
	{
		setop_leaves(((SetOperationStmt *) node)->larg, leaves);
		setop_leaves(((SetOperationStmt *) node)->rarg, leaves);
	}
}

/* Compute the taint of q's output columns into qt, once. */
static bool
query_taint_pass(Rewriter *rw, Query *q, Level *up, QueryTaint *qt)
{
	Level		lv;
	bool		changed = false;
	ListCell   *lc;

	lv.query = q;
	lv.up = up;
	if (q->setOperations)
	{
		List	   *leaves = NIL;

		setop_leaves(q->setOperations, &leaves);
		foreach(lc, leaves)
		{
			RangeTblEntry *rte = rt_fetch(lfirst_int(lc), q->rtable);
			int			i;

			for (i = 1; i <= qt->ncols; i++)
				if (qt->cols[i] == NULL &&
					(qt->cols[i] = rte_taint(rw, &lv, rte, i)) != NULL)
					changed = true;
		}
		return changed;
	}
	foreach(lc, q->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resno < 1 || tle->resno > qt->ncols || qt->cols[tle->resno] != NULL)
			continue;
		if ((qt->cols[tle->resno] = flp_expr_taint(rw, &lv, (Node *) tle->expr)) != NULL)
			changed = true;
	}
	/* RETURNING of a data-modifying CTE is its output */
	foreach(lc, q->returningList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resno < 1 || tle->resno > qt->ncols || qt->cols[tle->resno] != NULL)
			continue;
		if ((qt->cols[tle->resno] = flp_expr_taint(rw, &lv, (Node *) tle->expr)) != NULL)
			changed = true;
	}
	return changed;
}

/*
 * The taint of a query's output columns, memoised.  A query that refers to
 * itself (a recursive CTE) is computed to a fixpoint: taint only grows, so
 * this ends after at most one pass per column.
 */
const QueryTaint *
flp_query_taint(Rewriter *rw, Query *q, Level *up)
{
	QueryTaint *qt;
	bool		found;
	int			ncols;

	/* created on first use: most queries have no subquery to memoise */
	if (rw->memo == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Query *);
		ctl.entrysize = sizeof(QueryTaint);
		ctl.hcxt = CurrentMemoryContext;
		rw->memo = hash_create("flp query taint", 32, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	qt = hash_search(rw->memo, &q, HASH_ENTER, &found);
	if (found)
	{
		if (qt->in_progress)
			qt->self_referenced = true;
		return qt;
	}
	ncols = Max(list_length(q->targetList), list_length(q->returningList));
	qt->ncols = ncols;
	qt->cols = palloc0(sizeof(Origin *) * (ncols + 1));
	qt->in_progress = true;
	qt->self_referenced = false;
	rw->created = lappend(rw->created, q);

	for (;;)
	{
		int			mark = list_length(rw->created);
		bool		changed = query_taint_pass(rw, q, up, qt);

		if (!qt->self_referenced || !changed)
			break;
		/* forget what was derived from the incomplete answer, and redo */
		while (list_length(rw->created) > mark)
		{
			Query	   *inner = llast(rw->created);

			hash_search(rw->memo, &inner, HASH_REMOVE, NULL);
			rw->created = list_delete_last(rw->created);
		}
		qt = hash_search(rw->memo, &q, HASH_FIND, NULL);
		qt->self_referenced = false;
	}
	qt->in_progress = false;
	return qt;
}
