/*-------------------------------------------------------------------------
 *
 * mask.c
 *	  Pass 2: mask hidden fields at the source.
 *
 * The Vars of hidden columns of every governed table a subject's query reads
 * are replaced by their masks, in place; on the nullable side of an outer join
 * a mask stays NULL where the join made the row up.  Only where a reference
 * needs the whole row, or the partition would tell a hidden partition key, does
 * the table become a subquery that shows its hidden columns as their masks (the
 * planner pulls it up again).  The target of a write is masked in place
 * wherever the statement reads it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/heap.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"

#include "flp.h"
#include "planner/planner.h"

/* Masking the Vars of one relation of a query in place. */
typedef struct InPlace
{
	Rewriter   *rw;
	Index		rti;
	RelPerms   *rp;
	bool		nullable;		/* on the nullable side of an outer join */
	Relation	rel;			/* opened for the first whole-row Var */
} InPlace;

/* The descriptor of the relation (opened once, closed by mask_in_place). */
static TupleDesc
in_place_desc(InPlace *ip)
{
	if (ip->rel == NULL)
		ip->rel = relation_open(ip->rp->relid, NoLock);
	return RelationGetDescr(ip->rel);
}

/* Is the Var a column hidden from the role? */
static bool
hidden_column(RelPerms *rp, Var *var)
{
	return var->varattno > 0 && var->varattno <= rp->p.natts &&
		flp_perm_of(rp, var->varattno) == FLP_HIDE;
}

/* Is the Var tableoid where the partition would tell a hidden key? */
static bool
hidden_tableoid(RelPerms *rp, Var *var)
{
	return var->varattno == TableOidAttributeNumber && rp->hidden_partkey;
}

/* Does the Var read a hidden column, or the whole row? */
static bool
var_needs_mask(Var *var, void *arg)
{
	RelPerms   *rp = ((InPlace *) arg)->rp;

	return var->varattno == 0 || hidden_tableoid(rp, var) || hidden_column(rp, var);
}

/*
 * A whole-row Var as the row of the relation's own columns, each as the role
 * may see it (rp NULL: as it is).
 */
static Node *
columns_row(RelPerms *rp, TupleDesc desc, Var *var)
{
	RowExpr    *row = makeNode(RowExpr);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		row->args = lappend(row->args,
							flp_column_for_role(rp, var, var->varno, i + 1,
												var->varlevelsup, a));
		row->colnames = lappend(row->colnames,
								makeString(pstrdup(a->attisdropped ? "" :
												   NameStr(a->attname))));
	}
	row->row_typeid = var->vartype;
	row->row_format = COERCE_IMPLICIT_CAST;
	row->location = -1;
	return (Node *) row;
}

/*
 * The mask of a hidden column of a relation on the nullable side of an outer
 * join: NULL where the join made up the row (no row matched), the mask where
 * the row exists.  The row exists exactly when its ctid is not NULL -- a
 * system column no stored row lacks -- so the test tells nothing about any
 * value.  The ctid Var is a copy of the column's Var: it goes NULL with it
 * above the join (its nulling relations, 16+, are the same).
 */
static Node *
null_extended_mask(Var *var, Node *mask)
{
	Var		   *ctid = copyObject(var);
	NullTest   *missing = makeNode(NullTest);
	CaseWhen   *when = makeNode(CaseWhen);
	CaseExpr   *expr = makeNode(CaseExpr);

	ctid->varattno = SelfItemPointerAttributeNumber;
	ctid->vartype = TIDOID;
	ctid->vartypmod = -1;
	ctid->varcollid = InvalidOid;
	missing->arg = (Expr *) ctid;
	missing->nulltesttype = IS_NULL;
	missing->argisrow = false;
	missing->location = -1;
	when->expr = (Expr *) missing;
	when->result = (Expr *) makeNullConst(var->vartype, var->vartypmod, var->varcollid);
	when->location = -1;
	expr->casetype = var->vartype;
	expr->casecollid = var->varcollid;
	expr->args = list_make1(when);
	expr->defresult = (Expr *) mask;
	expr->location = -1;
	return (Node *) expr;
}

/* A Var of the relation as the role may see it. */
static Node *
mask_var(Var *var, void *arg)
{
	InPlace    *ip = (InPlace *) arg;
	RelPerms   *rp = ip->rp;

	if (hidden_column(rp, var))
	{
		Node	   *mask = flp_mask_of(var, rp->p.mask[var->varattno]);

		return ip->nullable ? null_extended_mask(var, mask) : mask;
	}
	if (hidden_tableoid(rp, var))
	{
		/* the partition would tell the hidden key: show the table written */
		return (Node *) makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
								  ObjectIdGetDatum(rp->relid), false, true);
	}
	if (var->varattno == 0)
		return columns_row(rp, in_place_desc(ip), var);
	return (Node *) var;
}

/*
 * mask_var applied to a tree, levelsup levels below the relation's query; a
 * tree with nothing to mask is kept (not copied).  A bare Var (most target
 * list entries) needs no walk first: mask_var returns it as it is unless it
 * is masked (and is not walked at all).
 */
static Node *
mask_tree(Node *node, InPlace *ip, Index levelsup)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if ((Index) var->varno != ip->rti || var->varlevelsup != levelsup)
			return node;
		return mask_var(var, ip);
	}
	if (!flp_entry_vars_any(node, ip->rti, levelsup, var_needs_mask, ip))
		return node;
	return flp_entry_vars_map(node, ip->rti, levelsup, mask_var, ip);
}

/* One slot of the level, masked in place. */
static void
mask_slot(FlpSlot *slot, void *arg)
{
	InPlace    *ip = (InPlace *) arg;
	Node	   *old = *slot->expr;
	ListCell   *lc;

	/*
	 * Pass 1 refused every filter of this level that reads a hidden column
	 * or the whole row of a governed relation; only a sublink can still hold
	 * one there (the output of an EXISTS, a correlated reference).  Without
	 * sublinks the walk would find nothing.
	 */
	if (slot->use == FLP_SLOT_FILTER && !slot->query->hasSubLinks)
		return;
	if (slot->query->targetList == (List *) old)
	{
		/* entry by entry: most are bare Vars */
		foreach(lc, (List *) old)
		{
			TargetEntry *tle = lfirst(lc);

			tle->expr = (Expr *) mask_tree((Node *) tle->expr, ip, 0);
		}
		return;
	}
	*slot->expr = mask_tree(old, ip, 0);
	/* a view's qual stays a view's qual (policies.c told it from policies) */
	if (*slot->expr != old && flp_is_untrusted_qual(ip->rw, old))
		flp_note_untrusted_qual(ip->rw, *slot->expr);
}

/*
 * The target of INSERT/UPDATE/DELETE/MERGE is not wrapped (it is written
 * to), so its hidden columns are masked in place wherever the statement reads
 * them: RETURNING, and -- once pass 1 has refused them as filters and as
 * written values -- anywhere else they may still hide, such as a correlated
 * sublink in SET, WHERE, ON CONFLICT or a MERGE action.  Only the table's own
 * row-level security quals see real values.  Relations read but not written
 * are masked in place the same way where can_mask_in_place allows it.
 */
static void
mask_in_place(Rewriter *rw, Query *q, Index rti, RelPerms *rp, bool nullable)
{
	InPlace		ip;
	ListCell   *lc;

	ip.rw = rw;
	ip.rti = rti;
	ip.rp = rp;
	ip.nullable = nullable;
	ip.rel = NULL;
	flp_query_slots(rw, q, mask_slot, &ip);
	/*
	 * LATERAL subqueries of the range table see the relation one level up
	 * (no other entry of the range table can); they are changed only where
	 * they read a hidden column.
	 */
	foreach(lc, q->rtable)
	{
		RangeTblEntry *other = lfirst(lc);

		if (other->rtekind == RTE_SUBQUERY && other->lateral &&
			flp_entry_vars_any((Node *) other->subquery, rti, 1, var_needs_mask, &ip))
			other->subquery = (Query *) flp_entry_vars_map((Node *) other->subquery,
														   rti, 1, mask_var, &ip);
	}
	if (ip.rel != NULL)
		relation_close(ip.rel, NoLock);
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

static bool
is_whole_row(Var *var, void *arg)
{
	return var->varattno == 0;
}

/*
 * Can the hidden columns of relation rti be masked in place, replacing its
 * Vars by masks, instead of wrapping it into a masking subquery?  Only when
 * no reference needs the row as a whole (a whole-row Var): the cheaper path
 * for most queries.  On the nullable side of an outer join the masks stay
 * NULL where the join made the row up (null_extended_mask).
 */
static bool
can_mask_in_place(Query *q, Index rti, RelPerms *rp)
{
	RangeTblEntry *rte = rt_fetch(rti, q->rtable);

	if (rp->hidden_partkey)
		return false;			/* tableoid must be masked: the subquery does it */

	/*
	 * The parser marks a whole-row reference (at any query level) in the
	 * entry's selectedCols: without that mark, skip the walk.  Either way the
	 * hidden columns are masked: mask_in_place masks a whole-row Var too.
	 */
	if (!bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber,
					   flp_rte_selected_cols(q, rte)))
		return true;
	return !flp_entry_vars_any((Node *) q, rti, 0, is_whole_row, NULL);
}

/* System columns of a relation referenced anywhere in the tree. */
typedef struct SysColumns
{
	Bitmapset  *attnos;			/* -attno */
	AttrNumber *map;			/* set: -attno -> new attno */
} SysColumns;

static bool
note_system_column(Var *var, void *arg)
{
	SysColumns *sc = (SysColumns *) arg;

	if (var->varattno < 0)
	{
		if (sc->map)
			var->varattno = sc->map[-var->varattno];
		else
			sc->attnos = bms_add_member(sc->attnos, -var->varattno);
	}
	return false;
}

/* The columns of the masking subquery, hidden ones masked; dropped ones keep their place. */
static List *
masked_columns(RelPerms *rp, TupleDesc desc)
{
	List	   *tlist = NIL;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		tlist = lappend(tlist,
						makeTargetEntry((Expr *) flp_column_for_role(rp, NULL, 1, i + 1, 0, a),
										i + 1,
										pstrdup(a->attisdropped ? "" : NameStr(a->attname)),
										false));
	}
	return tlist;
}

/*
 * The system columns the query uses of relation rti, appended to tlist as
 * extra columns; references to them are redirected there.  Returns the set
 * of them (-attno).
 */
static Bitmapset *
system_columns(Query *q, Index rti, RelPerms *rp, List **tlist)
{
	SysColumns	sc;
	AttrNumber	map[1 - FirstLowInvalidHeapAttributeNumber];
	int			resno = list_length(*tlist);
	int			i = -1;

	memset(&sc, 0, sizeof(sc));
	(void) flp_entry_vars_any((Node *) q, rti, 0, note_system_column, &sc);
	if (sc.attnos == NULL)
		return NULL;
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
		/* not junk: the planner pulls up no junk column (18) */
		*tlist = lappend(*tlist, makeTargetEntry(col, resno, pstrdup(NameStr(sys->attname)), false));
	}
	sc.map = map;
	(void) flp_entry_vars_any((Node *) q, rti, 0, note_system_column, &sc);
	return sc.attnos;
}

/*
 * A whole-row reference to a wrapped relation with extra (system) columns:
 * the row of its own columns only, so that the extra ones stay out of it.
 */
static Node *
own_columns_row(Var *var, void *arg)
{
	if (var->varattno != 0)
		return (Node *) var;
	return columns_row(NULL, (TupleDesc) arg, var);
}

/* SELECT <tlist> FROM <inner>, with inner's quals and q's row marks of rti. */
static Query *
masking_subquery(Query *q, Index rti, RangeTblEntry *inner, List *tlist)
{
	Query	   *sub = makeNode(Query);
	RangeTblRef *rtr = makeNode(RangeTblRef);
	ListCell   *lc;

	if (inner->securityQuals)
		ChangeVarNodes((Node *) inner->securityQuals, rti, 1, 0);
	sub->commandType = CMD_SELECT;
	sub->querySource = QSRC_ORIGINAL;
	sub->canSetTag = true;
	sub->rtable = list_make1(inner);
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
	return sub;
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
	Relation	rel = relation_open(rte->relid, NoLock);
	List	   *tlist = masked_columns(rp, RelationGetDescr(rel));
	Bitmapset  *sysattnos = system_columns(q, rti, rp, &tlist);
	TupleDesc	desc = CreateTupleDescCopy(RelationGetDescr(rel));
	Query	   *sub;
	int			i = -1;

	relation_close(rel, NoLock);
	sub = masking_subquery(q, rti, inner, tlist);

	/* the entry becomes a subquery, as the rewriter does for views */
	flp_rte_move_permissions(q, rte, sub, inner);
	rte->rtekind = RTE_SUBQUERY;
	rte->subquery = sub;
	rte->security_barrier = false;
	rte->relid = InvalidOid;
	rte->relkind = 0;
	rte->rellockmode = 0;
	rte->tablesample = NULL;
	rte->inh = false;
	rte->securityQuals = NIL;
	if (sysattnos)
	{
		rte->eref = copyObject(rte->eref);
		while ((i = bms_next_member(sysattnos, i)) >= 0)
			rte->eref->colnames = lappend(rte->eref->colnames,
										  makeString(pstrdup(NameStr(SystemAttributeDefinition(-i)->attname))));
		/* last: the mutator makes new range table entries (rte is stale after) */
		(void) flp_entry_vars_map((Node *) q, rti, 0, own_columns_row, desc);
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
	foreach(lc, flp_child_queries(rw, q))
		flp_mask_query(rw, lfirst(lc));

	if (q->resultRelation)
	{
		RangeTblEntry *rte = rt_fetch(q->resultRelation, q->rtable);
		RelPerms   *rp = rte->rtekind == RTE_RELATION ? flp_rel_perms(rw, rte->relid) : NULL;

		if (rp && rp->hides)
			mask_in_place(rw, q, q->resultRelation, rp, false);
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
				mask_in_place(rw, q, rti, rp, false);
			continue;
		}
		rp = flp_rel_perms(rw, rte->relid);
		if (rp && rp->hides)
		{
			if (can_mask_in_place(q, rti, rp))
				mask_in_place(rw, q, rti, rp,
							  nullable_in((Node *) q->jointree, rti, false));
			else
				wrap_relation(q, rti, rp);
		}
	}
}
