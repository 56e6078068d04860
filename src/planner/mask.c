/*-------------------------------------------------------------------------
 *
 * mask.c
 *	  Pass 2: mask hidden fields at the source.
 *
 * Every governed table read by a subject's query becomes a subquery that shows
 * its hidden columns as their masks; the planner pulls it up again, so the plan
 * is the plain one with constants.  Where no reference needs the whole row and
 * no outer join could turn a mask's NULL into a value, the columns are masked in
 * place instead, the cheaper path.  The target of a write is masked in place
 * wherever the statement reads it.
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

/* RETURNING of a write to a governed table: mask its Vars in place. */
typedef struct ReturningMask
{
	Index		rti;
	Index		levelsup;
	RelPerms   *rp;
	Relation	rel;			/* opened for the first whole-row Var */
} ReturningMask;

/* The descriptor of the relation of rm (opened once, closed by mask_in_place). */
static TupleDesc
mask_desc(ReturningMask *rm)
{
	if (rm->rel == NULL)
		rm->rel = relation_open(rm->rp->relid, NoLock);
	return RelationGetDescr(rm->rel);
}

static Node *
returning_mutator(Node *node, ReturningMask *rm)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if ((Index) var->varno != rm->rti || var->varlevelsup != rm->levelsup)
			return node;
		if (var->varattno > 0 && var->varattno <= rm->rp->p.natts &&
			flp_perm_of(rm->rp, var->varattno) == FLP_HIDE)
			return flp_mask_of(var, rm->rp->p.mask[var->varattno]);
		if (var->varattno == TableOidAttributeNumber && rm->rp->hidden_partkey)
		{
			/* the partition would tell the hidden key: show the table written */
			return (Node *) makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
									  ObjectIdGetDatum(rm->rp->relid), false, true);
		}
		if (var->varattno == 0)
		{
			RowExpr    *row = makeNode(RowExpr);
			TupleDesc	desc = mask_desc(rm);
			int			i;

			for (i = 0; i < desc->natts; i++)
			{
				Form_pg_attribute a = TupleDescAttr(desc, i);

				row->args = lappend(row->args,
									flp_column_for_role(rm->rp, rm->rti, i + 1,
													rm->levelsup, a));
				row->colnames = lappend(row->colnames,
										makeString(pstrdup(a->attisdropped ? "" :
														   NameStr(a->attname))));
			}
			row->row_typeid = var->vartype;
			row->row_format = COERCE_IMPLICIT_CAST;
			row->location = -1;
			return (Node *) row;
		}
		return node;
	}
	if (IsA(node, Query))
	{
		Node	   *result;

		rm->levelsup++;
		result = (Node *) query_tree_mutator((Query *) node, returning_mutator,
											 (void *) rm, QTW_DONT_COPY_QUERY);
		rm->levelsup--;
		return result;
	}
	return expression_tree_mutator(node, returning_mutator, (void *) rm);
}

/* Does node read a hidden column, or the whole row, of the relation of rm? */
static bool
needs_mask_walker(Node *node, ReturningMask *rm)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if ((Index) var->varno != rm->rti || var->varlevelsup != rm->levelsup)
			return false;
		return var->varattno == 0 ||
			(var->varattno == TableOidAttributeNumber && rm->rp->hidden_partkey) ||
			(var->varattno > 0 && var->varattno <= rm->rp->p.natts &&
			 flp_perm_of(rm->rp, var->varattno) == FLP_HIDE);
	}
	if (IsA(node, Query))
	{
		bool		result;

		rm->levelsup++;
		result = query_tree_walker((Query *) node, needs_mask_walker, (void *) rm, 0);
		rm->levelsup--;
		return result;
	}
	return expression_tree_walker(node, needs_mask_walker, (void *) rm);
}

/*
 * returning_mutator, but a tree with nothing to mask is kept (not copied).
 * A bare Var (most target list entries) needs no walk first: the mutator
 * returns it as it is unless it is masked.
 */
static Node *
mask_tree(Node *node, ReturningMask *rm)
{
	if (node == NULL)
		return NULL;
	if (!IsA(node, Var) && !needs_mask_walker(node, rm))
		return node;
	return returning_mutator(node, rm);
}

/*
 * The target of INSERT/UPDATE/DELETE/MERGE is not wrapped (it is written
 * to), so its hidden columns are masked in place wherever the statement reads
 * them: RETURNING, and -- once pass 1 has refused them as filters and as
 * written values -- anywhere else they may still hide, such as a correlated
 * sublink in SET, WHERE, ON CONFLICT or a MERGE action.  Only the table's own
 * row-level security quals see real values.
 */
static void
mask_in_place(Query *q, Index rti, RelPerms *rp)
{
	ReturningMask rm;
	RangeTblEntry *rte = rt_fetch(rti, q->rtable);
	ListCell   *lc;

	rm.rti = rti;
	rm.levelsup = 0;
	rm.rp = rp;
	rm.rel = NULL;
	q->returningList = (List *) mask_tree((Node *) q->returningList, &rm);
	foreach(lc, q->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		tle->expr = (Expr *) mask_tree((Node *) tle->expr, &rm);
	}
	/*
	 * Pass 1 refused every qual of this level that reads a hidden column or
	 * the whole row of a governed relation; only a sublink can still hold
	 * one there (the output of an EXISTS, a correlated reference).  Without
	 * sublinks the walk would find nothing.
	 */
	if (q->hasSubLinks)
		q->jointree = (FromExpr *) mask_tree((Node *) q->jointree, &rm);
	q->havingQual = mask_tree(q->havingQual, &rm);
	q->limitOffset = mask_tree(q->limitOffset, &rm);
	q->limitCount = mask_tree(q->limitCount, &rm);
	if (q->onConflict)
	{
		q->onConflict->onConflictSet =
			(List *) mask_tree((Node *) q->onConflict->onConflictSet, &rm);
		q->onConflict->onConflictWhere =
			mask_tree(q->onConflict->onConflictWhere, &rm);
	}
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		ma->qual = mask_tree(ma->qual, &rm);
		ma->targetList = (List *) mask_tree((Node *) ma->targetList, &rm);
	}
	foreach(lc, q->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		wc->startOffset = mask_tree(wc->startOffset, &rm);
		wc->endOffset = mask_tree(wc->endOffset, &rm);
	}
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if (!flp_trusted_check_option(q, wco))
			wco->qual = mask_tree(wco->qual, &rm);
	}
	/* the other entries of the range table: joins, LATERAL subqueries and functions */
	foreach(lc, q->rtable)
	{
		RangeTblEntry *other = lfirst(lc);

		switch (other->rtekind)
		{
			case RTE_JOIN:
				other->joinaliasvars = (List *) mask_tree((Node *) other->joinaliasvars, &rm);
				break;
			case RTE_SUBQUERY:
				rm.levelsup = 1;
				other->subquery = (Query *) query_tree_mutator(other->subquery, returning_mutator,
															   (void *) &rm, QTW_DONT_COPY_QUERY);
				rm.levelsup = 0;
				break;
			case RTE_FUNCTION:
				other->functions = (List *) mask_tree((Node *) other->functions, &rm);
				break;
			case RTE_TABLEFUNC:
				other->tablefunc = (TableFunc *) mask_tree((Node *) other->tablefunc, &rm);
				break;
			case RTE_VALUES:
				other->values_lists = (List *) mask_tree((Node *) other->values_lists, &rm);
				break;
			default:
				break;
		}
	}
	foreach(lc, rte->securityQuals)
		if (flp_is_untrusted_qual(lfirst(lc)))
		{
			Node	   *masked = mask_tree(lfirst(lc), &rm);

			flp_untrusted_quals = lappend(flp_untrusted_quals, masked);
			lfirst(lc) = masked;
		}
	if (rm.rel != NULL)
		relation_close(rm.rel, NoLock);
}

/* Is range table entry rti on the nullable side of an outer join below node? */
static bool
nullable_in(Node *node, Index rti, bool nullable)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblRef))
		return nullable && (Index) ((RangeTblRef *) node)->rtindex == rti;
	if (IsA(node, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) node)->fromlist)
			if (nullable_in(lfirst(lc), rti, nullable))
				return true;
		return false;
	}
	if (IsA(node, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) node;
		bool		left_nullable = nullable || j->jointype == JOIN_RIGHT || j->jointype == JOIN_FULL;
		bool		right_nullable = nullable || j->jointype == JOIN_LEFT || j->jointype == JOIN_FULL;

		return nullable_in(j->larg, rti, left_nullable) || nullable_in(j->rarg, rti, right_nullable);
	}
	return false;
}

/* Whole-row references to rti, at any level below q. */
typedef struct WholeRow
{
	Index		rti;
	Index		levelsup;
} WholeRow;

static bool
wholerow_walker(Node *node, WholeRow *wr)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		return (Index) var->varno == wr->rti && var->varlevelsup == wr->levelsup &&
			var->varattno == 0;
	}
	if (IsA(node, Query))
	{
		bool		result;

		wr->levelsup++;
		result = query_tree_walker((Query *) node, wholerow_walker, (void *) wr, 0);
		wr->levelsup--;
		return result;
	}
	return expression_tree_walker(node, wholerow_walker, (void *) wr);
}

/*
 * Can the hidden columns of relation rti be masked in place, replacing its
 * Vars by masks, instead of wrapping it into a masking subquery?  Only when
 * no reference needs the row as a whole (a whole-row Var) and a constant mask
 * cannot turn a NULL into a value (the outer join's nullable side): the
 * cheaper path for most queries.
 */
static bool
can_mask_in_place(Query *q, Index rti, RelPerms *rp)
{
	WholeRow	wr;

	if (rp->hidden_partkey)
		return false;			/* tableoid must be masked: the subquery does it */
	if (nullable_in((Node *) q->jointree, rti, false))
		return false;

	/*
	 * The parser marks a whole-row reference (at any query level) in the
	 * entry's selectedCols: without that mark, skip the walk.  Either way the
	 * hidden columns are masked: mask_in_place masks a whole-row Var too.
	 */
	if (!bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber,
					   rt_fetch(rti, q->rtable)->selectedCols))
		return true;
	wr.rti = rti;
	wr.levelsup = 0;
	return !query_tree_walker(q, wholerow_walker, (void *) &wr, 0);
}

/* System columns of range table entry rti referenced anywhere in the tree. */
typedef struct SysColumns
{
	Index		rti;
	Index		levelsup;
	Bitmapset  *attnos;			/* -attno */
	AttrNumber *map;			/* set: -attno -> new attno */
} SysColumns;

static bool
syscolumn_walker(Node *node, SysColumns *sc)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if ((Index) var->varno == sc->rti && var->varlevelsup == sc->levelsup &&
			var->varattno < 0)
		{
			if (sc->map)
				var->varattno = sc->map[-var->varattno];
			else
				sc->attnos = bms_add_member(sc->attnos, -var->varattno);
		}
		return false;
	}
	if (IsA(node, Query))
	{
		bool		result;

		sc->levelsup++;
		result = query_tree_walker((Query *) node, syscolumn_walker, (void *) sc, 0);
		sc->levelsup--;
		return result;
	}
	return expression_tree_walker(node, syscolumn_walker, (void *) sc);
}

/*
 * Replace the governed relation at rti of q by a subquery that reads it and
 * shows every hidden column as its mask.  Its row marks, row-level security
 * quals and permission checks move into the subquery with it; references to
 * its system columns are redirected to extra (junk) columns.
 */
static void
wrap_relation(Query *q, Index rti, RelPerms *rp)
{
	RangeTblEntry *rte = rt_fetch(rti, q->rtable);
	RangeTblEntry *inner = copyObject(rte);
	Query	   *sub = makeNode(Query);
	RangeTblRef *rtr;
	Relation	rel = relation_open(rte->relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);
	SysColumns	sc;
	AttrNumber	map[1 - FirstLowInvalidHeapAttributeNumber];
	List	   *tlist = NIL;
	ListCell   *lc;
	int			i;
	int			resno;

	/* the columns, hidden ones masked; dropped ones keep their place */
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		tlist = lappend(tlist,
						makeTargetEntry((Expr *) flp_column_for_role(rp, 1, i + 1, 0, a),
										i + 1,
										pstrdup(a->attisdropped ? "" : NameStr(a->attname)),
										false));
	}

	/* system columns the query uses, as junk columns */
	memset(&sc, 0, sizeof(sc));
	sc.rti = rti;
	(void) query_tree_walker(q, syscolumn_walker, (void *) &sc, 0);
	resno = desc->natts;
	i = -1;
	memset(map, 0, sizeof(map));
	while ((i = bms_next_member(sc.attnos, i)) >= 0)
	{
		const FormData_pg_attribute *sys = SystemAttributeDefinition(-i);

		Expr	   *col;

		map[i] = ++resno;
		if (-i == TableOidAttributeNumber && rp->hidden_partkey)
			col = (Expr *) makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
									 ObjectIdGetDatum(rp->relid), false, true);
		else
			col = (Expr *) makeVar(1, -i, sys->atttypid, sys->atttypmod, sys->attcollation, 0);
		tlist = lappend(tlist, makeTargetEntry(col, resno, pstrdup(NameStr(sys->attname)), true));
	}
	if (sc.attnos)
	{
		sc.map = map;
		(void) query_tree_walker(q, syscolumn_walker, (void *) &sc, 0);
	}
	relation_close(rel, NoLock);

	/* the subquery: SELECT <columns> FROM <the relation, as it was> */
	if (inner->securityQuals)
		ChangeVarNodes((Node *) inner->securityQuals, rti, 1, 0);
	sub->commandType = CMD_SELECT;
	sub->querySource = QSRC_ORIGINAL;
	sub->canSetTag = true;
	sub->rtable = list_make1(inner);
	rtr = makeNode(RangeTblRef);
	rtr->rtindex = 1;
	sub->jointree = makeFromExpr(list_make1(rtr), NULL);
	sub->targetList = tlist;
	sub->hasRowSecurity = q->hasRowSecurity;
	sub->hasSubLinks = checkExprHasSubLink((Node *) inner->securityQuals);
	foreach(lc, q->rowMarks)
	{
		RowMarkClause *rc = lfirst(lc);

		if (rc->rti == rti)
		{
			RowMarkClause *moved = copyObject(rc);

			moved->rti = 1;
			sub->rowMarks = list_make1(moved);
			sub->hasForUpdate = true;
			q->rowMarks = foreach_delete_current(q->rowMarks, lc);
		}
	}

	/* the entry becomes a subquery, as the rewriter does for views */
	rte->rtekind = RTE_SUBQUERY;
	rte->subquery = sub;
	rte->security_barrier = false;
	rte->relid = InvalidOid;
	rte->relkind = 0;
	rte->rellockmode = 0;
	rte->tablesample = NULL;
	rte->inh = false;
	rte->requiredPerms = 0;
	rte->checkAsUser = InvalidOid;
	rte->selectedCols = NULL;
	rte->insertedCols = NULL;
	rte->updatedCols = NULL;
	rte->extraUpdatedCols = NULL;
	rte->securityQuals = NIL;
	if (sc.attnos)
	{
		rte->eref = copyObject(rte->eref);
		i = -1;
		while ((i = bms_next_member(sc.attnos, i)) >= 0)
			rte->eref->colnames = lappend(rte->eref->colnames,
										  makeString(pstrdup(NameStr(SystemAttributeDefinition(-i)->attname))));
	}
}

/*
 * Pass 2: mask at the source, in q and every query below it.  Subqueries
 * are done first; the subqueries made here are not visited again.
 */
void
flp_mask_query(Rewriter *rw, Query *q)
{
	ListCell   *lc;
	Index		rti;

	check_stack_depth();
	foreach(lc, flp_child_queries(q))
		flp_mask_query(rw, lfirst(lc));

	if (q->resultRelation)
	{
		RangeTblEntry *rte = rt_fetch(q->resultRelation, q->rtable);
		RelPerms   *rp = rte->rtekind == RTE_RELATION ? flp_rel_perms(rw, rte->relid) : NULL;

		if (rp && rp->hides)
			mask_in_place(q, q->resultRelation, rp);
	}

	for (rti = 1; rti <= (Index) list_length(q->rtable); rti++)
	{
		RangeTblEntry *rte = rt_fetch(rti, q->rtable);
		RelPerms   *rp;

		if (rte->rtekind != RTE_RELATION || rti == (Index) q->resultRelation)
			continue;
		if (rte->relkind == RELKIND_COMPOSITE_TYPE)
		{
			/*
			 * EXCLUDED, the row an INSERT proposed (with what defaults and
			 * triggers put in it): pass 1 refused its hidden fields wherever
			 * they would be read; masking them too leaves nothing to read.
			 */
			if (q->onConflict && rti == (Index) q->onConflict->exclRelIndex &&
				(rp = flp_rel_perms(rw, rte->relid)) != NULL && rp->hides)
				mask_in_place(q, rti, rp);
			continue;
		}
		rp = flp_rel_perms(rw, rte->relid);
		if (rp && rp->hides)
		{
			if (can_mask_in_place(q, rti, rp))
				mask_in_place(q, rti, rp);
			else
				wrap_relation(q, rti, rp);
		}
	}
}
