/*-------------------------------------------------------------------------
 *
 * walk.c
 *	  Walking a query: its levels and the expression slots of each.
 *
 * The one list of the places of a query level that hold expressions (its
 * "slots"), each with the name of its clause and what the query does with
 * it; the subqueries one level below; a walk over every range table entry
 * of a tree; and the walker and mutator of "the Vars of range table entry N
 * at query level L", in the manner of PostgreSQL's rewriteManip.c.
 *
 * The refusal passes (refuse.c, writes.c) and the masking pass (mask.c) read
 * the same slots: a new expression field of Query is added in
 * flp_query_slots, once, and both see it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * The securityQuals of governed tables that are not their policies: the
 * quals of a security_barrier view that UPDATE or DELETE went through, which
 * PostgreSQL's rewriter adds after the table's policies (policies.c finds
 * them).  They are held to the rules of queries.
 */
bool
flp_is_untrusted_qual(Rewriter *rw, Node *qual)
{
	return list_member_ptr(rw->untrusted, qual);
}

void
flp_note_untrusted_qual(Rewriter *rw, Node *qual)
{
	rw->untrusted = lappend(rw->untrusted, qual);
}

/*
 * Row-level security quals are trusted when they guard a governed table
 * (only its owner, an administrator, can write them).  Policies of other
 * tables -- a subject's own table, say -- are held to the rules of queries:
 * otherwise a subject could write a policy that tests hidden values.  The
 * same goes for views' WITH CHECK OPTION quals.
 */
static bool
trusted_rte_quals(RangeTblEntry *rte)
{
	return rte->rtekind == RTE_RELATION && flp_is_governed(rte->relid, NULL);
}

static bool
trusted_check_option(Query *q, WithCheckOption *wco)
{
	if (wco->kind == WCO_VIEW_CHECK || q->resultRelation == 0)
		return false;
	return trusted_rte_quals(rt_fetch(q->resultRelation, q->rtable));
}

/* What an enumeration of slots calls back with. */
typedef struct SlotVisit
{
	FlpSlotFn	fn;
	void	   *arg;
	FlpSlot		slot;
} SlotVisit;

static void
visit(SlotVisit *sv, Node **expr, const char *clause, FlpSlotUse use)
{
	if (*expr == NULL)
		return;
	sv->slot.expr = expr;
	sv->slot.clause = clause;
	sv->slot.use = use;
	sv->fn(&sv->slot, sv->arg);
}

/* The quals of a jointree: WHERE (or MERGE's ON) and those of each JOIN. */
static void
visit_jointree(SlotVisit *sv, Node *node, const char *where)
{
	if (node == NULL)
		return;
	if (IsA(node, FromExpr))
	{
		FromExpr   *f = (FromExpr *) node;
		ListCell   *lc;

		foreach(lc, f->fromlist)
			visit_jointree(sv, lfirst(lc), where);
		visit(sv, &f->quals, where, FLP_SLOT_FILTER);
	}
	else if (IsA(node, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) node;

		visit_jointree(sv, j->larg, where);
		visit_jointree(sv, j->rarg, where);
		visit(sv, &j->quals, "JOIN", FLP_SLOT_FILTER);
	}
}

/* The expressions of the range table entries of q (not their subqueries). */
static void
visit_rtable(Rewriter *rw, SlotVisit *sv, Query *q)
{
	ListCell   *lc;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		sv->slot.rte = rte;
		switch (rte->rtekind)
		{
			case RTE_FUNCTION:
				visit(sv, (Node **) &rte->functions, "FROM", FLP_SLOT_SOURCE);
				break;
			case RTE_TABLEFUNC:
				visit(sv, (Node **) &rte->tablefunc, "FROM", FLP_SLOT_SOURCE);
				break;
			case RTE_VALUES:
				visit(sv, (Node **) &rte->values_lists, "VALUES", FLP_SLOT_SOURCE);
				break;
			case RTE_JOIN:
				visit(sv, (Node **) &rte->joinaliasvars, "JOIN", FLP_SLOT_ALIASES);
				break;
			case RTE_RELATION:
				visit(sv, (Node **) &rte->tablesample, "TABLESAMPLE", FLP_SLOT_FILTER);
				if (!trusted_rte_quals(rte))
					visit(sv, (Node **) &rte->securityQuals,
						  "a row-level security policy", FLP_SLOT_FILTER);
				else
				{
					ListCell   *lc2;

					foreach(lc2, rte->securityQuals)
						if (flp_is_untrusted_qual(rw, lfirst(lc2)))
							visit(sv, (Node **) &lfirst(lc2), "WHERE", FLP_SLOT_FILTER);
				}
				break;
			default:
				/* the grouping step (18): GROUP BY's expressions, read by Vars */
				if (flp_group_exprs(rte) != NULL)
					visit(sv, (Node **) flp_group_exprs(rte), "GROUP BY", FLP_SLOT_SOURCE);
				break;
		}
		sv->slot.rte = NULL;
	}
}

/*
 * Call fn on every expression slot of one query level: never on trusted
 * row-level security quals, never inside the subqueries of the range table or
 * the CTEs (they are levels of their own), but on the sublinks the slots hold.
 *
 * This is the one list of a Query's expression fields: a field missing here
 * would be neither refused nor masked.  Not listed, because they are no
 * expressions of their own: the sort and group clauses (they point into the
 * target list; flp_query_orderings lists them).
 */
void
flp_query_slots(Rewriter *rw, Query *q, FlpSlotFn fn, void *arg)
{
	SlotVisit	sv;
	bool		writes = q->commandType == CMD_INSERT || q->commandType == CMD_UPDATE;
	ListCell   *lc;

	memset(&sv, 0, sizeof(sv));
	sv.fn = fn;
	sv.arg = arg;
	sv.slot.query = q;
	visit(&sv, (Node **) &q->targetList, writes ? "SET" : "SELECT",
		  writes ? FLP_SLOT_WRITTEN : FLP_SLOT_SHOWN);
	visit(&sv, (Node **) &q->returningList, "RETURNING", FLP_SLOT_SHOWN);
	visit_jointree(&sv, (Node *) q->jointree,
				   q->commandType == CMD_MERGE ? "MERGE ON" : "WHERE");
	if (flp_merge_join_condition(q) != NULL)
		visit(&sv, flp_merge_join_condition(q), "MERGE ON", FLP_SLOT_FILTER);
	visit(&sv, &q->havingQual, "HAVING", FLP_SLOT_FILTER);
	visit(&sv, &q->limitOffset, "OFFSET", FLP_SLOT_SOURCE);
	visit(&sv, &q->limitCount, "LIMIT", FLP_SLOT_SOURCE);
	if (q->onConflict)
	{
		OnConflictExpr *oc = q->onConflict;

		visit(&sv, (Node **) &oc->arbiterElems, "ON CONFLICT", FLP_SLOT_FILTER);
		visit(&sv, &oc->arbiterWhere, "ON CONFLICT", FLP_SLOT_FILTER);
		visit(&sv, (Node **) &oc->onConflictSet, "ON CONFLICT DO UPDATE", FLP_SLOT_WRITTEN);
		/* (19: DO SELECT has a WHERE too) */
		visit(&sv, &oc->onConflictWhere, oc->action == ONCONFLICT_UPDATE ?
			  "ON CONFLICT DO UPDATE WHERE" : "ON CONFLICT DO SELECT WHERE", FLP_SLOT_FILTER);
	}
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		visit(&sv, &ma->qual, "MERGE WHEN", FLP_SLOT_FILTER);
		visit(&sv, (Node **) &ma->targetList, "MERGE", FLP_SLOT_WRITTEN);
	}
	foreach(lc, q->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		visit(&sv, &wc->startOffset, "a window frame", FLP_SLOT_SOURCE);
		visit(&sv, &wc->endOffset, "a window frame", FLP_SLOT_SOURCE);
	}
	visit_rtable(rw, &sv, q);
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if (!trusted_check_option(q, wco))
			visit(&sv, &wco->qual,
				  wco->kind == WCO_VIEW_CHECK ? "a view's CHECK OPTION" :
				  "a row-level security policy", FLP_SLOT_FILTER);
	}
}

/*
 * Call fn on each list of sort or group clauses of q, with its clause name:
 * they hold no expressions but point into the target list.
 */
void
flp_query_orderings(Query *q, FlpOrderingFn fn, void *arg)
{
	ListCell   *lc;

	fn(q, q->groupClause, "GROUP BY", arg);
	fn(q, q->sortClause, "ORDER BY", arg);
	if (q->hasDistinctOn)
		fn(q, q->distinctClause, "DISTINCT ON", arg);
	foreach(lc, q->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		fn(q, wc->partitionClause, "PARTITION BY", arg);
		fn(q, wc->orderClause, "a window's ORDER BY", arg);
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
collect_sublinks(FlpSlot *slot, void *arg)
{
	if (slot->use != FLP_SLOT_ALIASES)	/* plain Vars */
		(void) sublink_collector(*slot->expr, (List **) arg);
}

/*
 * Is the query a published view's, taken as one for this planning
 * (published.c)?  The reader's passes do not look inside it.
 */
bool
flp_is_published(Rewriter *rw, Query *q)
{
	return list_member_ptr(rw->published, q);
}

/* The subqueries one level below q (but published views): range table, CTEs, sublinks. */
List *
flp_child_queries(Rewriter *rw, Query *q)
{
	List	   *result = NIL;
	List	   *sublinks = NIL;
	ListCell   *lc;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_SUBQUERY && !flp_is_published(rw, rte->subquery))
			result = lappend(result, rte->subquery);
	}
	foreach(lc, q->cteList)
		result = lappend(result, ((CommonTableExpr *) lfirst(lc))->ctequery);
	/* the planner, too, looks for sublinks only where this says there are */
	if (q->hasSubLinks)
		flp_query_slots(rw, q, collect_sublinks, &sublinks);
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

/*
 * Call fn for every range table entry of every query level of query
 * (sublinks, subqueries and CTEs included), with the query and its index
 * there.
 */
void
flp_for_each_rte(Query *query, RteCallback fn, void *arg)
{
	RteWalk		w = {fn, arg};

	(void) rte_walker((Node *) query, &w);
}

/*
 * The Vars of one range table entry: rti of the query levelsup levels above
 * the node walked.  Entering a Query (a sublink's, or a subquery's) moves
 * one level down, so the entry is then one more level up.  A Query given as
 * the node itself is walked at levelsup, not below it.
 */
typedef struct EntryVars
{
	Index		rti;
	Index		levelsup;
	FlpVarTest	test;
	FlpVarMap	map;
	void	   *arg;
} EntryVars;

static bool
entry_vars_walker(Node *node, EntryVars *ev)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		return (Index) var->varno == ev->rti && var->varlevelsup == ev->levelsup &&
			ev->test(var, ev->arg);
	}
	if (IsA(node, Query))
	{
		bool		result;

		ev->levelsup++;
		result = query_tree_walker((Query *) node, entry_vars_walker, (void *) ev, 0);
		ev->levelsup--;
		return result;
	}
	return expression_tree_walker(node, entry_vars_walker, (void *) ev);
}

/* Does test hold for some Var of the entry in node?  (Stops at the first.) */
bool
flp_entry_vars_any(Node *node, Index rti, Index levelsup, FlpVarTest test, void *arg)
{
	EntryVars	ev = {rti, levelsup, test, NULL, arg};

	if (node != NULL && IsA(node, Query))
		return query_tree_walker((Query *) node, entry_vars_walker, (void *) &ev, 0);
	return entry_vars_walker(node, &ev);
}

static Node *
entry_vars_mutator(Node *node, EntryVars *ev)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if ((Index) var->varno != ev->rti || var->varlevelsup != ev->levelsup)
			return node;
		return ev->map(var, ev->arg);
	}
	if (IsA(node, Query))
	{
		Node	   *result;

		ev->levelsup++;
		result = (Node *) query_tree_mutator((Query *) node, entry_vars_mutator,
											 (void *) ev, QTW_DONT_COPY_QUERY);
		ev->levelsup--;
		return result;
	}
	return expression_tree_mutator(node, entry_vars_mutator, (void *) ev);
}

/*
 * Replace each Var of the entry in node by what map returns for it (the Var
 * itself to keep it).  Expressions are copied where they change, as by
 * expression_tree_mutator; Query nodes are changed in place.
 */
Node *
flp_entry_vars_map(Node *node, Index rti, Index levelsup, FlpVarMap map, void *arg)
{
	EntryVars	ev = {rti, levelsup, NULL, map, arg};

	if (node != NULL && IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, entry_vars_mutator,
										   (void *) &ev, QTW_DONT_COPY_QUERY);
	return entry_vars_mutator(node, &ev);
}

/*
 * The set-returning call of a FROM entry the planner would try to inline
 * (inline_set_returning_function: alone, without ORDINALITY), or NULL.
 */
FuncExpr *
flp_inlinable_call(RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc;

	if (rte->rtekind != RTE_FUNCTION || rte->funcordinality ||
		list_length(rte->functions) != 1)
		return NULL;
	rtfunc = linitial(rte->functions);
	if (!IsA(rtfunc->funcexpr, FuncExpr) || !((FuncExpr *) rtfunc->funcexpr)->funcretset)
		return NULL;
	return (FuncExpr *) rtfunc->funcexpr;
}
