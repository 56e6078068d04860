/*-------------------------------------------------------------------------
 *
 * policies.c
 *	  flp's guard and policies in a query: found, removed or folded.
 *
 * Finds the governed relations of a query tree, removes flp's fail-closed guard
 * policy (it matters only where the planner hook is not active), folds the
 * functions that describe the current user in flp's policies to constants, and
 * tells a write's own policies from the quals of a security_barrier view it
 * went through.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rowsecurity.h"
#include "utils/builtins.h"
#include "utils/rls.h"

#include "flp.h"
#include "planner/planner.h"

/* Is this qual flp's guard, or the constant true of flp_open? */
bool
flp_is_guard_qual(Node *qual, Oid guard)
{
	if (qual == NULL)
		return true;
	if (IsA(qual, FuncExpr) && ((FuncExpr *) qual)->funcid == guard)
		return true;
	if (IsA(qual, Const) && ((Const *) qual)->consttype == BOOLOID &&
		!((Const *) qual)->constisnull && DatumGetBool(((Const *) qual)->constvalue))
		return true;
	return false;
}

/*
 * How many leading securityQuals of the target of q are its row-level
 * security policies (for the view owner the rewriter used, or for the
 * reader); the rest came from a security_barrier view.
 */
static int
policy_prefix(Query *q, Index rti, RangeTblEntry *rte)
{
	Oid			users[2];
	int			best = 0;
	int			i;

	users[0] = flp_rte_check_as_user(q, rte);
	users[1] = InvalidOid;
	for (i = 0; i < 2; i++)
	{
		List	   *quals = NIL;
		List	   *checks = NIL;
		bool		hasRowSecurity = false;
		bool		hasSubLinks = false;
		Oid			save = flp_rte_check_as_user(q, rte);
		int			k = 0;

		if (check_enable_rls(rte->relid, users[i], true) != RLS_ENABLED)
			continue;
		/* (an error aborts the whole statement: no need to restore on error) */
		flp_rte_set_check_as_user(q, rte, users[i]);
		get_row_security_policies(q, rte, rti, &quals, &checks,
								  &hasRowSecurity, &hasSubLinks);
		flp_rte_set_check_as_user(q, rte, save);
		while (k < list_length(quals) && k < list_length(rte->securityQuals) &&
			   equal(list_nth(quals, k), list_nth(rte->securityQuals, k)))
			k++;
		if (k == list_length(quals))
			best = Max(best, k);
	}
	return best;
}

/* Mark the quals of a write's governed target that are not its policies. */
static void
classify_target_quals(Rewriter *rw, Query *q, Oid guard)
{
	RangeTblEntry *rte;
	ListCell   *lc;
	int			k;
	int			i;

	if (q->resultRelation == 0)
		return;
	rte = rt_fetch(q->resultRelation, q->rtable);
	if (rte->rtekind != RTE_RELATION || rte->securityQuals == NIL ||
		!flp_is_governed(rte->relid, NULL))
		return;
	/*
	 * Where every qual is flp's guard or a constant true (the common case of
	 * a governed table with no policy of its own), none can see a column:
	 * skip computing the policies again.
	 */
	foreach(lc, rte->securityQuals)
		if (!flp_is_guard_qual(lfirst(lc), guard))
			break;
	if (lc == NULL)
		return;
	k = policy_prefix(q, q->resultRelation, rte);
	for (i = k; i < list_length(rte->securityQuals); i++)
		flp_note_untrusted_qual(rw, list_nth(rte->securityQuals, i));
}

/*
 * In flp's own policies, the functions that describe the current user
 * (flp.is_partner_user(), flp.current_partner(), flp.is_subject(),
 * flp.has_bundle('...')) become constants at plan time: the plan is for this
 * role only, so the planner can simplify the policy away for internal users
 * and give partner users' record lookups plain constants.
 */
static Node *fold_policy_mutator(Node *node, const FlpCatalog *c);

static Node *
fold_policy_function(FuncExpr *f, const FlpCatalog *c)
{
	Oid			roleid = GetUserId();

	if (f->funcid == c->is_partner_user_function)
		return (Node *) makeBoolConst(flp_role_partner(roleid) != NULL, false);
	if (f->funcid == c->is_subject_function)
		return (Node *) makeBoolConst(!flp_is_super_admin(roleid), false);
	if (f->funcid == c->current_partner_function)
	{
		const char *partner = flp_role_partner(roleid);

		if (partner == NULL)
			return (Node *) makeNullConst(TEXTOID, -1, DEFAULT_COLLATION_OID);
		return (Node *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
								  PointerGetDatum(cstring_to_text(partner)), false, false);
	}
	if (f->funcid == c->has_bundle_function && list_length(f->args) == 1 &&
		IsA(linitial(f->args), Const) && !((Const *) linitial(f->args))->constisnull)
	{
		char	   *bundle = TextDatumGetCString(((Const *) linitial(f->args))->constvalue);

		return (Node *) makeBoolConst(flp_role_has_bundle(roleid, bundle), false);
	}

	/*
	 * flp.record_visible(tbl, key::text) where the cast is an I/O
	 * conversion: the typed twin converts the key itself, without the
	 * cast's two function lookups at every executor start and its two calls
	 * per row.
	 */
	if (f->funcid == c->record_visible_function && list_length(f->args) == 2 &&
		IsA(lsecond(f->args), CoerceViaIO) &&
		((CoerceViaIO *) lsecond(f->args))->resulttype == TEXTOID)
	{
		CoerceViaIO *cast = (CoerceViaIO *) lsecond(f->args);
		Node	   *key = fold_policy_mutator((Node *) cast->arg, c);

		return (Node *) makeFuncExpr(c->record_visible_key_function, BOOLOID,
									 list_make2(linitial(f->args), key),
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}
	return NULL;
}

/*
 * Fold the functions of fold_policy_function in a policy qual.  The quals
 * are this planning's own copy (the rewriter copied them from the relation
 * cache), so the usual containers are folded in place; other nodes are
 * copied by the tree mutator, as before.
 */
static Node *
fold_policy_mutator(Node *node, const FlpCatalog *c)
{
	ListCell   *lc;
	List	   *args;

	if (node == NULL)
		return NULL;
	switch (nodeTag(node))
	{
		case T_Var:
		case T_Const:
		case T_Param:
			return node;
		case T_FuncExpr:
			{
				Node	   *folded = fold_policy_function((FuncExpr *) node, c);

				if (folded != NULL)
					return folded;
				args = ((FuncExpr *) node)->args;
				break;
			}
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			args = ((OpExpr *) node)->args;
			break;
		case T_BoolExpr:
			args = ((BoolExpr *) node)->args;
			break;
		case T_Query:
			return (Node *) query_tree_mutator((Query *) node, fold_policy_mutator,
											   (void *) c, QTW_DONT_COPY_QUERY);
		default:
			return expression_tree_mutator(node, fold_policy_mutator, (void *) c);
	}
	foreach(lc, args)
		lfirst(lc) = fold_policy_mutator(lfirst(lc), c);
	return node;
}

/*
 * The catalogs that hold statistics of columns' values: pg_statistic (read
 * through pg_stats by any role, for the columns it may select) and
 * pg_statistic_ext (through pg_stats_ext).
 */
bool
flp_is_statistics_catalog(Oid relid)
{
	return relid == StatisticRelationId || relid == StatisticExtRelationId;
}

/* A governed relation's quals: flp's guard removed, its policies folded. */
static void
guard_and_fold(GovernedWalk *gw, RangeTblEntry *rte)
{
	ListCell   *lc;

	foreach(lc, rte->securityQuals)
	{
		Node	   *qual = lfirst(lc);

		if (flp_is_untrusted_qual(gw->rw, qual))
			continue;			/* a view's qual: checked and masked like a WHERE */
		if (flp_is_guard_qual(qual, gw->guard))
			rte->securityQuals = foreach_delete_current(rte->securityQuals, lc);
		else
			lfirst(lc) = fold_policy_mutator(qual, gw->catalog);
	}
}

/* One query level of flp_governed_walker. */
static bool
governed_query(Query *q, GovernedWalk *gw)
{
	ListCell   *lc;

	if (gw->classify)
		classify_target_quals(gw->rw, q, gw->guard);
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if ((wco->kind == WCO_RLS_INSERT_CHECK || wco->kind == WCO_RLS_UPDATE_CHECK ||
			 wco->kind == WCO_RLS_CONFLICT_CHECK) && flp_is_guard_qual(wco->qual, gw->guard))
			q->withCheckOptions = foreach_delete_current(q->withCheckOptions, lc);
	}
	if (q->hasSubLinks)
		return query_tree_walker(q, flp_governed_walker, (void *) gw,
								 QTW_EXAMINE_RTES_BEFORE);

	/*
	 * Without sublinks (the planner trusts this flag too), only the range
	 * table and the CTEs can hold relations and queries: skip the walk
	 * through every expression of the query, and through the rows of VALUES
	 * lists and the alias lists of joins, which hold none.
	 */
	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_VALUES || rte->rtekind == RTE_JOIN)
		{
			if (flp_governed_walker((Node *) rte, gw))
				return true;
		}
		else if (range_table_entry_walker(rte, flp_governed_walker, (void *) gw,
										  QTW_EXAMINE_RTES_BEFORE))
			return true;
	}
	foreach(lc, q->cteList)
		if (flp_governed_walker(((CommonTableExpr *) lfirst(lc))->ctequery, gw))
			return true;
	return false;
}

/*
 * Find the governed relations of a query tree (at any level, also in
 * row-level security quals) and remove flp's guard from their quals and from
 * the queries' WITH CHECK options; note the set-returning calls in FROM the
 * planner may inline (inlining.c).
 */
bool
flp_governed_walker(Node *node, GovernedWalk *gw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return governed_query((Query *) node, gw);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;
		FuncExpr   *call = flp_inlinable_call(rte);

		if (call != NULL)
			gw->rw->srf_calls = list_append_unique_ptr(gw->rw->srf_calls, call);
		else if (rte->rtekind == RTE_RELATION && flp_is_statistics_catalog(rte->relid))
			gw->found = true;	/* pg_stats and pg_stats_ext: filtered for subjects */
		else if (rte->rtekind == RTE_RELATION && flp_is_governed(rte->relid, NULL))
		{
			gw->found = true;
			guard_and_fold(gw, rte);
			/* range_table_entry_walker walks on into the (folded) policies */
		}
		return false;
	}
	return expression_tree_walker(node, flp_governed_walker, (void *) gw);
}
