/*-------------------------------------------------------------------------
 *
 * published.c
 *	  Published report views in a subject's query.
 *
 * A view a super admin published (flp.publish_view) is evaluated with its
 * owner's field permissions.  The reader's passes do not look inside it and
 * its output columns are derived from no hidden field for the reader; what it
 * computes is checked and masked for its owner instead (for a super admin:
 * nothing).  The reader's row policies were added inside it before
 * (reader_rls.c), so its rows still follow the reader's row rules.  It is a
 * security barrier for the reader's query: no leaky condition of the reader
 * is pushed down into it, where it would see rows or values the view does
 * not show.
 *
 * A view whose definition or owner changed since it was published, or that
 * runs code flp does not trust (trust.c), is an ordinary view for the reader.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/hsearch.h"

#include "flp.h"
#include "planner/planner.h"

/* Check and mask a published view's query for its owner. */
static void
evaluate_as_owner(Rewriter *rw, Query *sub, Oid viewid, Oid owner)
{
	Rewriter	orw;

	if (flp_is_super_admin(owner))
		return;
	memset(&orw, 0, sizeof(orw));
	orw.roleid = owner;
	orw.untrusted = rw->untrusted;
	flp_deny_as(owner, viewid);
	PG_TRY();
	{
		flp_check_query(&orw, sub, NULL);
		flp_mask_query(&orw, sub);
	}
	PG_FINALLY();
	{
		flp_deny_as(InvalidOid, InvalidOid);
	}
	PG_END_TRY();
	if (orw.memo != NULL)
		hash_destroy(orw.memo);
	rw->srf_calls = list_concat(rw->srf_calls, orw.srf_calls);
}

/* Is the subquery entry a published view in force?  Then take it as one. */
static bool
take_published(Rewriter *rw, RangeTblEntry *rte)
{
	Oid			viewid = flp_subquery_view(rte);
	Oid			owner;

	if (!OidIsValid(viewid) ||
		flp_published_view_problem(viewid, rte->subquery, false, &owner) != NULL)
		return false;
	rte->security_barrier = true;
	rw->published = lappend(rw->published, rte->subquery);
	evaluate_as_owner(rw, rte->subquery, viewid, owner);
	return true;
}

static bool
published_walker(Node *node, Rewriter *rw)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;
		ListCell   *lc;

		foreach(lc, q->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			if (rte->rtekind == RTE_SUBQUERY && !take_published(rw, rte))
				(void) published_walker((Node *) rte->subquery, rw);
		}
		if (!q->hasSubLinks)
		{
			/* without sublinks, only CTEs hold more queries */
			foreach(lc, q->cteList)
				(void) published_walker(((CommonTableExpr *) lfirst(lc))->ctequery, rw);
			return false;
		}
		return query_tree_walker(q, published_walker, rw, QTW_IGNORE_RT_SUBQUERIES);
	}
	return expression_tree_walker(node, published_walker, rw);
}

/*
 * Find the published views of a subject's query, at any level, and take each
 * as one (see the file header); the outermost of nested ones.
 */
void
flp_published_views(Rewriter *rw, Query *q)
{
	(void) published_walker((Node *) q, rw);
}
