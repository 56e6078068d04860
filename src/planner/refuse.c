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

#include "access/htup_details.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

static void
check_expr(Rewriter *rw, Level *lv, Node *expr, const char *clause)
{
	const Origin *o = flp_expr_taint(rw, lv, expr);
	Oid			viewid;
	AttrNumber	attno;

	if (o == NULL)
		return;
	if (flp_view_column_via(rw, lv, expr, &viewid, &attno))
		flp_deny_view_use(o, viewid, attno, clause);
	flp_deny_use(o, clause, false);
}

/* What the callbacks of one level's check need. */
typedef struct LevelCheck
{
	Rewriter   *rw;
	Level	   *lv;
} LevelCheck;

/* A slot that decides which rows: nothing in it may be derived from a hidden field. */
static void
check_filter_slot(FlpSlot *slot, void *arg)
{
	LevelCheck *lc = (LevelCheck *) arg;

	if (slot->use == FLP_SLOT_FILTER)
		check_expr(lc->rw, lc->lv, *slot->expr, slot->clause);
}

static void
check_sortgroup(Query *q, List *clauses, const char *clause, void *arg)
{
	LevelCheck *check = (LevelCheck *) arg;
	ListCell   *lc;

	foreach(lc, clauses)
	{
		TargetEntry *tle = get_sortgroupclause_tle(lfirst(lc), q->targetList);

		/* a set operation's output comes from every branch, not the first */
		if (q->setOperations)
		{
			const QueryTaint *qt = flp_query_taint(check->rw, q, check->lv->up);

			if (tle->resno >= 1 && tle->resno <= qt->ncols && qt->cols[tle->resno])
				flp_deny_use(qt->cols[tle->resno], clause, false);
		}
		check_expr(check->rw, check->lv, (Node *) tle->expr, clause);
	}
}

/* FILTER (WHERE ...) of aggregates and window functions at this level. */
static bool
filter_walker(Node *node, LevelCheck *check)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))		/* of this level or an outer one */
		check_expr(check->rw, check->lv, (Node *) ((Aggref *) node)->aggfilter, "FILTER");
	else if (IsA(node, WindowFunc))
		check_expr(check->rw, check->lv, (Node *) ((WindowFunc *) node)->aggfilter, "FILTER");
	if (IsA(node, Query) || IsA(node, SubLink))
	{
		if (IsA(node, SubLink))
			return filter_walker(((SubLink *) node)->testexpr, check);
		return false;
	}
	return expression_tree_walker(node, filter_walker, (void *) check);
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
check_filters(FlpSlot *slot, void *arg)
{
	if (slot->use != FLP_SLOT_ALIASES)	/* plain Vars */
		(void) filter_walker(*slot->expr, (LevelCheck *) arg);
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
	LevelCheck	check;
	ListCell   *lc;

	check_stack_depth();
	lv.query = q;
	lv.up = up;
	check.rw = rw;
	check.lv = &lv;

	flp_query_slots(rw, q, check_filter_slot, &check);
	flp_query_orderings(q, check_sortgroup, &check);
	if (filters_possible(&lv))
		flp_query_slots(rw, q, check_filters, &check);
	if (q->onConflict && OidIsValid(q->onConflict->constraint))
		check_arbiter_constraint(rw, &lv, q->onConflict->constraint);
	flp_check_writes(rw, &lv);

	foreach(lc, flp_child_queries(rw, q))
		flp_check_query(rw, lfirst(lc), &lv);
}
