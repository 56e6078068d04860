/*-------------------------------------------------------------------------
 *
 * reader_rls.c
 *	  Row-level security for the reader, also through views.
 *
 * PostgreSQL checks row-level security of a table read through a view as the
 * view's owner.  flp's row policies (partner scoping, data rules) must follow
 * the reader, as its masks do: for a subject, the policies of a governed table
 * that the rewriter left out because of the view owner are added, and those of
 * the tables their sublinks read.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rowsecurity.h"
#include "storage/lmgr.h"
#include "utils/rls.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * PostgreSQL checks row-level security of a table read through a view as the
 * view's owner: a view owned by a superuser (or the table's owner) shows every
 * row to everybody.  flp's row policies (partner scoping, data rules) must
 * follow the reader, as its masks do: for a subject, add the policies of a
 * governed table that the rewriter left out because of the view owner, and
 * those of the tables their sublinks read.
 */
typedef struct RlsWalk
{
	Rewriter   *rw;
	int			depth;
	bool		added;			/* some policy was added */
} RlsWalk;



/* Lock the relations the policies' sublinks read, as the rewriter would. */
static bool
lock_sublink_relations(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		ListCell   *lc;

		foreach(lc, ((Query *) node)->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			if (rte->rtekind == RTE_RELATION)
				LockRelationOid(rte->relid, rte->rellockmode);
		}
		return query_tree_walker((Query *) node, lock_sublink_relations, context, 0);
	}
	return expression_tree_walker(node, lock_sublink_relations, context);
}

/* The queries of the sublinks of an expression, row-level security applied. */
static bool
rls_sublink_walker(Node *node, RlsWalk *walk)
{
	if (node == NULL)
		return false;
	if (IsA(node, SubLink))
	{
		if (flp_apply_reader_rls(walk->rw, (Query *) ((SubLink *) node)->subselect,
								 true, walk->depth + 1))
			walk->added = true;
		return rls_sublink_walker(((SubLink *) node)->testexpr, walk);
	}
	if (IsA(node, Query))
		return false;
	return expression_tree_walker(node, rls_sublink_walker, (void *) walk);
}

/*
 * The policies of governed relation rti of q, for the current user, where
 * they do not apply already: true when some were added.
 */
static bool
add_reader_policies(RlsWalk *walk, Query *q, Index rti, RangeTblEntry *rte, bool fresh)
{
	List	   *quals = NIL;
	List	   *checks = NIL;
	bool		hasRowSecurity = false;
	bool		hasSubLinks = false;
	Oid			owner = flp_rte_check_as_user(q, rte);

	if (!fresh && (!OidIsValid(owner) || owner == GetUserId() ||
				   check_enable_rls(rte->relid, owner, true) == RLS_ENABLED))
		return false;			/* the rewriter applied them for the reader */
	if (check_enable_rls(rte->relid, InvalidOid, true) != RLS_ENABLED)
		return false;

	flp_rte_set_check_as_user(q, rte, InvalidOid);
	PG_TRY();
	{
		get_row_security_policies(q, rte, rti, &quals, &checks,
								  &hasRowSecurity, &hasSubLinks);
	}
	PG_FINALLY();
	{
		flp_rte_set_check_as_user(q, rte, owner);
	}
	PG_END_TRY();

	(void) lock_sublink_relations((Node *) quals, NULL);
	(void) lock_sublink_relations((Node *) checks, NULL);
	(void) rls_sublink_walker((Node *) quals, walk);
	(void) rls_sublink_walker((Node *) checks, walk);
	rte->securityQuals = list_concat(quals, rte->securityQuals);
	if (rti == (Index) q->resultRelation)
		q->withCheckOptions = list_concat(checks, q->withCheckOptions);
	if (hasRowSecurity)
		q->hasRowSecurity = true;
	if (hasSubLinks)
		q->hasSubLinks = true;
	return true;
}

/*
 * For each governed relation of q (and of the queries below it) whose
 * policies do not apply although they apply to the current user, add them;
 * true when some were added.  fresh: q comes from a policy just added, never
 * seen by the rewriter, so every governed relation in it needs its policies.
 */
bool
flp_apply_reader_rls(Rewriter *rw, Query *q, bool fresh, int depth)
{
	Index		rti;
	ListCell   *lc;
	RlsWalk		walk;

	check_stack_depth();
	if (depth > 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("infinite recursion detected in the row-level security policies of governed tables"),
				 errdetail("Row policies of the tables involved refer to each other more than 32 levels deep."),
				 errhint("Change the policies so that they do not refer back to the table they protect.")));
	walk.rw = rw;
	walk.depth = depth;
	walk.added = false;

	foreach(lc, flp_child_queries(rw, q))
		if (flp_apply_reader_rls(rw, lfirst(lc), fresh, depth))
			walk.added = true;

	for (rti = 1; rti <= (Index) list_length(q->rtable); rti++)
	{
		RangeTblEntry *rte = rt_fetch(rti, q->rtable);

		if (rte->rtekind != RTE_RELATION || rte->relkind == RELKIND_COMPOSITE_TYPE ||
			!flp_is_governed(rte->relid, NULL))
			continue;
		if (add_reader_policies(&walk, q, rti, rte, fresh))
			walk.added = true;
	}
	return walk.added;
}
