/*-------------------------------------------------------------------------
 *
 * rewrite.c
 *	  The query rewriter: mask hidden fields, refuse what must not run.
 *
 * flp's planner_hook sees every query after PostgreSQL's rewriter: views are
 * subqueries, row-level security policies are in securityQuals and
 * withCheckOptions, CTEs and sublinks are still in place.  For a query that
 * touches a governed table it:
 *
 *	1. removes flp's own fail-closed guard policy from the query (it only
 *	   matters where this hook is not active), for every role;
 *	2. for a subject (not a super admin), analyses the untouched tree: which
 *	   value is derived from a hidden field ("tainted"), through views,
 *	   subqueries, CTEs (recursive ones by a fixpoint), set operations, joins,
 *	   functions and sublinks; and refuses (42501) a tainted value in a filter
 *	   position, a tainted value being written, and a write to a field that is
 *	   not Edit;
 *	3. masks at the source: every governed table read by the query (but the
 *	   target of INSERT/UPDATE/DELETE/MERGE) becomes a subquery that selects
 *	   its columns with the hidden ones replaced by their mask, a constant for
 *	   the default masks.  The planner pulls the subquery up again, so the
 *	   plan is the plain one with constants; whole-row references and outer
 *	   joins come out right because the planner itself expands them.  The
 *	   RETURNING list of a write to a governed table is masked in place;
 *	4. marks the plan as role-dependent and dependent on flp's catalog, so
 *	   that no cached plan is reused by another role or after a change.
 *
 * Row-level security policies are trusted: they are neither analysed nor
 * masked.
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

/* GUC */
bool		flp_log_denials = false;
bool		flp_maintenance = false;

static planner_hook_type prev_planner_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;

/*
 * Cache ids of the PlanInvalItems marking flp's plans (no syscache has
 * them): the generation of flp's rules a plan was made under, and the serial
 * number of a plan not started yet (used once started); see
 * flp_ExecutorStart.
 */
#define FLP_PLAN_MARK (-0x464c50)
#define FLP_PLAN_FRESH (-0x464c51)
#define FLP_PLAN_STARTED (-0x464c52)

/* The serial number of the plan flp made last in this backend. */
static uint32 last_plan_serial = 0;

/* ---------------------------------------------------------------------
 * Permissions of the relations of one query
 * ---------------------------------------------------------------------
 */

/* A relation's permissions, copied for the duration of one planning. */
typedef struct RelPerms
{
	Oid			relid;
	bool		governed;
	bool		restricted;		/* some field is not edit */
	bool		hides;			/* some field is hidden */
	AttrNumber	hidden_partkey;	/* a hidden column of its partition key, or 0 */
	FlpTablePermissions p;
} RelPerms;

/* A hidden field a value comes from. */
typedef struct Origin
{
	Oid			relid;
	AttrNumber	attnum;
} Origin;

/* The taint of each output column of a query. */
typedef struct QueryTaint
{
	Query	   *query;			/* hash key */
	int			ncols;
	const Origin **cols;		/* [1..ncols] */
	bool		in_progress;
	bool		self_referenced;
} QueryTaint;

/* One query level of the tree being analysed, with its parent. */
typedef struct Level
{
	Query	   *query;
	struct Level *up;
} Level;

typedef struct Rewriter
{
	Oid			roleid;
	List	   *rels;			/* RelPerms * */
	HTAB	   *memo;			/* Query * -> QueryTaint */
	List	   *created;		/* Query * whose taint is memoised, in order */
} Rewriter;

/*
 * The rewriter of the query being planned for a subject, while the next
 * planner runs: flp_get_relation_info reuses the permissions it copied.
 * NULL while planning anything else (flp_planner saves and restores it
 * around a nested planning).
 */
static Rewriter *planning_rewriter = NULL;

/*
 * The permissions of the current role on a relation, or NULL when it is not
 * governed.  Copied, so that a cache reset during planning cannot pull them
 * away.
 */
/*
 * A hidden column (an attribute number of root) of the partition key of rel,
 * a partitioned table of root's tree, or of any partitioned table below it:
 * which partition a row is in then tells that column's range, at whatever
 * level.  0 when there is none.
 */
static AttrNumber
hidden_partition_key(Relation rel, Oid root, const FlpTablePermissions *p)
{
	PartitionKey key = RelationGetPartitionKey(rel);
	PartitionDesc pd;
	Bitmapset  *cols = NULL;
	int			i;

	check_stack_depth();
	for (i = 0; i < key->partnatts; i++)
		if (key->partattrs[i] > 0)
			cols = bms_add_member(cols, key->partattrs[i] - FirstLowInvalidHeapAttributeNumber);
	pull_varattnos((Node *) key->partexprs, 1, &cols);
	i = -1;
	while ((i = bms_next_member(cols, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att <= 0)
			continue;
		if (RelationGetRelid(rel) != root)
			att = get_attnum(root, get_attname(RelationGetRelid(rel), att, false));
		if (att > 0 && att <= p->natts && p->permission[att] == FLP_HIDE)
			return att;
	}
	pd = RelationGetPartitionDesc(rel, true);
	for (i = 0; i < pd->nparts; i++)
	{
		Relation	child;
		AttrNumber	att;

		if (pd->is_leaf[i])
			continue;
		child = relation_open(pd->oids[i], AccessShareLock);	/* the planner takes it anyway */
		att = hidden_partition_key(child, root, p);
		relation_close(child, NoLock);
		if (att != 0)
			return att;
	}
	return 0;
}

static RelPerms *
rel_perms(Rewriter *rw, Oid relid)
{
	ListCell   *lc;
	RelPerms   *rp;
	const FlpTablePermissions *p;

	foreach(lc, rw->rels)
	{
		rp = lfirst(lc);
		if (rp->relid == relid)
			return rp->governed ? rp : NULL;
	}

	if (!flp_is_governed(relid, NULL))
	{
		rp = palloc0(sizeof(RelPerms));
		rp->relid = relid;
	}
	else
	{
		/* one allocation: the struct, then the masks, then the permissions */
		Size		masks;

		p = flp_table_permissions(rw->roleid, relid);
		masks = sizeof(Oid) * (p->natts + 1);
		rp = palloc0(MAXALIGN(sizeof(RelPerms)) + masks + p->natts + 1);
		rp->relid = relid;
		rp->governed = true;
		rp->p = *p;
		rp->p.mask = (Oid *) ((char *) rp + MAXALIGN(sizeof(RelPerms)));
		memcpy(rp->p.mask, p->mask, masks);
		rp->p.permission = (uint8 *) ((char *) rp->p.mask + masks);
		memcpy(rp->p.permission, p->permission, p->natts + 1);
		rp->restricted = p->restricted;
		rp->hides = p->hides;
		if (rp->hides && flp_governed_relkind(relid) == RELKIND_PARTITIONED_TABLE)
		{
			Relation	rel = relation_open(relid, NoLock);

			rp->hidden_partkey = hidden_partition_key(rel, relid, p);
			relation_close(rel, NoLock);
		}
	}
	rw->rels = lappend(rw->rels, rp);
	return rp->governed ? rp : NULL;
}

static FlpPermission
perm_of(RelPerms *rp, AttrNumber att)
{
	if (rp->p.all_edit)
		return FLP_EDIT;
	if (att < 1 || att > rp->p.natts)
		return FLP_HIDE;
	return (FlpPermission) rp->p.permission[att];
}

static const Origin *
make_origin(Oid relid, AttrNumber attnum)
{
	Origin	   *o = palloc(sizeof(Origin));

	o->relid = relid;
	o->attnum = attnum;
	return o;
}

/* ---------------------------------------------------------------------
 * Refusals
 * ---------------------------------------------------------------------
 */

static void
log_denial(const char *role, const char *table, const char *field, const char *what)
{
	if (flp_log_denials)
		ereport(LOG,
				(errmsg("flp denied: role \"%s\", table \"%s\", field \"%s\", %s",
						role, table, field, what),
				 errhidestmt(false)));
}

/* A hidden field used where it must not be: in a filter, or as a source. */
static void
deny_use(const Origin *o, const char *clause, bool source)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	char	   *table = get_rel_name(o->relid);
	char	   *field = get_attname(o->relid, o->attnum, false);

	log_denial(role, table, field,
			   source ? "clause \"written value\"" : psprintf("clause \"%s\"", clause));
	if (source)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for field \"%s\" of table \"%s\"", field, table),
				 errdetail("The field is hidden for role \"%s\" and cannot be the source of a written value.",
						   role),
				 errhint("Remove the field from the statement, or ask a super admin to grant Read access.")));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for field \"%s\" of table \"%s\"", field, table),
			 errdetail("The field is hidden for role \"%s\" and cannot be used in %s.",
					   role, clause),
			 errhint("Remove the field from the query, or ask a super admin to grant Read access.")));
}

/* A write to a field that is not Edit. */
static void
deny_write(Oid relid, AttrNumber attnum, FlpPermission perm, const char *command)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	char	   *table = get_rel_name(relid);
	char	   *field = get_attname(relid, attnum, false);

	log_denial(role, table, field, psprintf("clause \"%s\"", command));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to change field \"%s\" of table \"%s\"", field, table),
			 errdetail("The field is %s for role \"%s\" and cannot be set by %s.",
					   perm == FLP_READ ? "read-only" : "hidden", role, command),
			 errhint("Remove the field from the statement, or ask a super admin to grant Edit access.")));
}

/* A new row would need a value for a field the role may not set. */
static void
deny_required(Oid relid, AttrNumber attnum, FlpPermission perm)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	char	   *table = get_rel_name(relid);
	char	   *field = get_attname(relid, attnum, false);

	log_denial(role, table, field, "clause \"INSERT\" (required field)");
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission required for field \"%s\" of table \"%s\"", field, table),
			 errdetail("The field is NOT NULL without a default, and it is %s for role \"%s\": a new row cannot get a value for it.",
					   perm == FLP_READ ? "read-only" : "hidden", role),
			 errhint("Ask a super admin to grant Edit access to the field, or give the field a default.")));
}

/* Used by the COPY FROM check of utility.c too. */
void
flp_check_insert_columns(Oid relid, Bitmapset *attnums, const char *command)
{
	Rewriter	rw;
	RelPerms   *rp;
	Relation	rel;
	TupleDesc	desc;
	int			i;

	memset(&rw, 0, sizeof(rw));
	rw.roleid = GetUserId();
	if (flp_is_super_admin(rw.roleid) || (rp = rel_perms(&rw, relid)) == NULL)
		return;

	i = -1;
	while ((i = bms_next_member(attnums, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0 && perm_of(rp, att) != FLP_EDIT)
			deny_write(relid, att, perm_of(rp, att), command);
	}

	rel = relation_open(relid, NoLock);
	desc = RelationGetDescr(rel);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || !a->attnotnull || a->atthasdef || a->attidentity ||
			a->attgenerated)
			continue;
		if (perm_of(rp, a->attnum) != FLP_EDIT)
		{
			relation_close(rel, NoLock);
			deny_required(relid, a->attnum, perm_of(rp, a->attnum));
		}
	}
	relation_close(rel, NoLock);
}

/* ---------------------------------------------------------------------
 * Taint analysis
 * ---------------------------------------------------------------------
 */

static const QueryTaint *query_taint(Rewriter *rw, Query *q, Level *up);
static const Origin *expr_taint(Rewriter *rw, Level *lv, Node *expr);

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

/* The taint of column attno (0: any column) of a range table entry at lv. */
static const Origin *
rte_taint(Rewriter *rw, Level *lv, RangeTblEntry *rte, AttrNumber attno)
{
	switch (rte->rtekind)
	{
		case RTE_RELATION:
			{
				RelPerms   *rp = rel_perms(rw, rte->relid);
				AttrNumber	att;

				if (rp == NULL || !rp->hides)
					return NULL;
				if (attno > 0)
					return perm_of(rp, attno) == FLP_HIDE ?
						make_origin(rte->relid, attno) : NULL;
				if (attno == TableOidAttributeNumber && rp->hidden_partkey)
					return make_origin(rte->relid, rp->hidden_partkey);	/* the partition tells the key */
				if (attno < 0)
					return NULL;	/* system columns */
				for (att = 1; att <= rp->p.natts; att++)
					if (perm_of(rp, att) == FLP_HIDE && flp_attname(rte->relid, att))
						return make_origin(rte->relid, att);
				return NULL;
			}
		case RTE_SUBQUERY:
			{
				const QueryTaint *qt = query_taint(rw, rte->subquery, lv);

				if (attno == 0)
					return any_column(qt);
				return (attno > 0 && attno <= qt->ncols) ? qt->cols[attno] : NULL;
			}
		case RTE_CTE:
			{
				Level	   *cl;
				CommonTableExpr *cte = find_cte(lv, rte, &cl);
				const QueryTaint *qt = query_taint(rw, (Query *) cte->ctequery, cl);

				if (attno == 0)
					return any_column(qt);
				return (attno > 0 && attno <= qt->ncols) ? qt->cols[attno] : NULL;
			}
		case RTE_JOIN:
			if (attno > 0 && attno <= list_length(rte->joinaliasvars))
				return expr_taint(rw, lv, list_nth(rte->joinaliasvars, attno - 1));
			return expr_taint(rw, lv, (Node *) rte->joinaliasvars);
		case RTE_FUNCTION:
			return expr_taint(rw, lv, (Node *) rte->functions);
		case RTE_TABLEFUNC:
			return expr_taint(rw, lv, (Node *) rte->tablefunc);
		case RTE_VALUES:
			{
				ListCell   *lc;
				const Origin *o;

				foreach(lc, rte->values_lists)
				{
					List	   *row = lfirst(lc);

					if (attno > 0 && attno <= list_length(row))
						o = expr_taint(rw, lv, list_nth(row, attno - 1));
					else
						o = expr_taint(rw, lv, (Node *) row);
					if (o)
						return o;
				}
				return NULL;
			}
		default:
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
			const QueryTaint *qt = query_taint(tw->rw, (Query *) sl->subselect, tw->lv);

			if ((tw->found = any_column(qt)) != NULL)
				return true;
		}
		return taint_walker(sl->testexpr, tw);
	}
	if (IsA(node, Query))
		return false;			/* only reached through SubLink, handled above */
	return expression_tree_walker(node, taint_walker, (void *) tw);
}

/* The hidden field an expression at level lv is derived from, or NULL. */
static const Origin *
expr_taint(Rewriter *rw, Level *lv, Node *expr)
{
	TaintWalk	tw;

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
		if ((qt->cols[tle->resno] = expr_taint(rw, &lv, (Node *) tle->expr)) != NULL)
			changed = true;
	}
	/* RETURNING of a data-modifying CTE is its output */
	foreach(lc, q->returningList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resno < 1 || tle->resno > qt->ncols || qt->cols[tle->resno] != NULL)
			continue;
		if ((qt->cols[tle->resno] = expr_taint(rw, &lv, (Node *) tle->expr)) != NULL)
			changed = true;
	}
	return changed;
}

/*
 * The taint of a query's output columns, memoised.  A query that refers to
 * itself (a recursive CTE) is computed to a fixpoint: taint only grows, so
 * this ends after at most one pass per column.
 */
static const QueryTaint *
query_taint(Rewriter *rw, Query *q, Level *up)
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

/* ---------------------------------------------------------------------
 * Walking the expressions of one query level
 * ---------------------------------------------------------------------
 */

/*
 * The securityQuals of governed tables that are not their policies: the
 * quals of a security_barrier view that UPDATE or DELETE went through, which
 * PostgreSQL's rewriter adds after the table's policies.  Set while planning.
 */
static List *untrusted_quals = NIL;

static bool
is_untrusted_qual(Node *qual)
{
	return list_member_ptr(untrusted_quals, qual);
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

/*
 * Call fn on every expression tree of one query level, but not on trusted
 * row-level security quals nor inside subqueries of the range table or CTEs
 * (they are levels of their own).
 */
typedef void (*level_expr_fn) (Node *expr, void *arg);

static void
for_level_expressions(Query *q, level_expr_fn fn, void *arg)
{
	ListCell   *lc;

	fn((Node *) q->targetList, arg);
	fn((Node *) q->returningList, arg);
	fn((Node *) q->jointree, arg);
	fn(q->havingQual, arg);
	fn(q->limitOffset, arg);
	fn(q->limitCount, arg);
	if (q->onConflict)
	{
		fn((Node *) q->onConflict->arbiterElems, arg);
		fn(q->onConflict->arbiterWhere, arg);
		fn((Node *) q->onConflict->onConflictSet, arg);
		fn(q->onConflict->onConflictWhere, arg);
	}
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		fn(ma->qual, arg);
		fn((Node *) ma->targetList, arg);
	}
	foreach(lc, q->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		fn(wc->startOffset, arg);
		fn(wc->endOffset, arg);
	}
	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		switch (rte->rtekind)
		{
			case RTE_FUNCTION:
				fn((Node *) rte->functions, arg);
				break;
			case RTE_TABLEFUNC:
				fn((Node *) rte->tablefunc, arg);
				break;
			case RTE_VALUES:
				fn((Node *) rte->values_lists, arg);
				break;
			case RTE_RELATION:
				fn((Node *) rte->tablesample, arg);
				if (!trusted_rte_quals(rte))
					fn((Node *) rte->securityQuals, arg);
				else
				{
					ListCell   *lc2;

					foreach(lc2, rte->securityQuals)
						if (is_untrusted_qual(lfirst(lc2)))
							fn(lfirst(lc2), arg);
				}
				break;
			default:
				break;
		}
	}
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if (!trusted_check_option(q, wco))
			fn(wco->qual, arg);
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
collect_sublinks(Node *expr, void *arg)
{
	(void) sublink_collector(expr, (List **) arg);
}

/* The subqueries one level below q: range table, CTEs, sublinks. */
static List *
child_queries(Query *q)
{
	List	   *result = NIL;
	List	   *sublinks = NIL;
	ListCell   *lc;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_SUBQUERY)
			result = lappend(result, rte->subquery);
	}
	foreach(lc, q->cteList)
		result = lappend(result, ((CommonTableExpr *) lfirst(lc))->ctequery);
	/* the planner, too, looks for sublinks only where this says there are */
	if (q->hasSubLinks)
		for_level_expressions(q, collect_sublinks, &sublinks);
	foreach(lc, sublinks)
		result = lappend(result, ((SubLink *) lfirst(lc))->subselect);
	return result;
}

/* ---------------------------------------------------------------------
 * Checks (pass 1)
 * ---------------------------------------------------------------------
 */

static void
check_expr(Rewriter *rw, Level *lv, Node *expr, const char *clause)
{
	const Origin *o = expr_taint(rw, lv, expr);

	if (o)
		deny_use(o, clause, false);
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
			const QueryTaint *qt = query_taint(rw, lv->query, lv->up);

			if (tle->resno >= 1 && tle->resno <= qt->ncols && qt->cols[tle->resno])
				deny_use(qt->cols[tle->resno], clause, false);
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

/* Values written by INSERT, UPDATE, ON CONFLICT DO UPDATE and MERGE. */
static void
check_written_values(Rewriter *rw, Level *lv, List *tlist)
{
	ListCell   *lc;

	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst(lc);
		const Origin *o;

		/* junk entries too: UPDATE ... SET (a, b) = (SELECT ...) keeps its sublink there */
		if ((o = expr_taint(rw, lv, (Node *) tle->expr)) != NULL)
			deny_use(o, NULL, true);
	}
}

/*
 * What an INSERT writes into the fields it does not name: the rewriter fills
 * them with defaults, and a view's own defaults (ALTER VIEW ... ALTER COLUMN
 * ... SET DEFAULT, by whoever owns the view) would write a value of the
 * subject's choosing into a Read or Hide field.  Such a field may receive
 * only the default of its table, which an administrator chose.
 */
static void
check_default_values(RangeTblEntry *rte, RelPerms *rp, List *targetList)
{
	Relation	rel = NULL;
	ListCell   *lc;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst(lc);
		AttrNumber	att = tle->resno;
		Node	   *table_default;

		if (tle->resjunk || att <= 0 || perm_of(rp, att) == FLP_EDIT ||
			bms_is_member(att - FirstLowInvalidHeapAttributeNumber, rte->insertedCols))
			continue;			/* named ones are checked as written */
		if (rel == NULL)
			rel = relation_open(rte->relid, NoLock);
		if (att > RelationGetNumberOfAttributes(rel) ||
			TupleDescAttr(RelationGetDescr(rel), att - 1)->attisdropped)
			continue;
		table_default = build_column_default(rel, att);
		if (table_default == NULL || !equal(table_default, tle->expr))
		{
			relation_close(rel, NoLock);
			deny_write(rte->relid, att, perm_of(rp, att), "INSERT through a view's default");
		}
	}
	if (rel != NULL)
		relation_close(rel, NoLock);
}

/*
 * A unique or exclusion index over a field hidden from the subject answers,
 * through whether an INSERT fails, whether another row holds the value the
 * new row gets there.  That value is the subject's own choice nowhere (the
 * field is not writable), but when it is the same for every row -- a
 * constant default, or NULL where the index treats NULLs as equal (UNIQUE
 * NULLS NOT DISTINCT) -- the answer is about the other rows: refused.
 */
static void
check_unique_constants(RangeTblEntry *rte, RelPerms *rp, List *targetList)
{
	Relation	rel = relation_open(rte->relid, NoLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;

		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		for (int k = 0; (index->indisunique || index->indisexclusion) &&
			 k < index->indnkeyatts; k++)
		{
			AttrNumber	att = index->indkey.values[k];
			TargetEntry *tle;
			Node	   *value;
			bool		constant;

			if (att <= 0 || att > rp->p.natts || perm_of(rp, att) != FLP_HIDE)
				continue;
			tle = get_tle_by_resno(targetList, att);
			value = tle ? strip_implicit_coercions((Node *) tle->expr) : NULL;
			/* the same for every row: no Var, nothing volatile (lower('x'), current_user) */
			if (value == NULL)
				constant = index->indnullsnotdistinct;	/* NULL */
			else if (IsA(value, Const) && ((Const *) value)->constisnull)
				constant = index->indnullsnotdistinct;
			else
				constant = !contain_volatile_functions(value) && !contain_var_clause(value);
			if (constant)
			{
				char	   *field = get_attname(rte->relid, att, false);
				char	   *indexname = get_rel_name(index->indexrelid);

				ReleaseSysCache(tuple);
				relation_close(rel, NoLock);
				log_denial(GetUserNameFromId(GetUserId(), false), get_rel_name(rte->relid),
						   field, "clause \"INSERT\" (unique index)");
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to insert into table \"%s\"",
								get_rel_name(rte->relid)),
						 errdetail("Field \"%s\" is hidden for role \"%s\" and in unique index \"%s\"; every new row gets the same value there, so whether the INSERT fails would tell whether another row holds it.",
								   field, GetUserNameFromId(GetUserId(), false), indexname),
						 errhint("Give the field a default that differs for each row, or ask a super admin for Edit access to it.")));
			}
		}
		ReleaseSysCache(tuple);
	}
	relation_close(rel, NoLock);
}

/* flp's row rules (FLP_RULES_*) a governed relation carries (below) */
static int	row_rules(Oid relid);

/*
 * ON CONFLICT on a table whose rows flp's row rules scope for the role: which
 * branch it takes (nothing inserted, or an UPDATE that the scope refuses)
 * would tell whether a row the role cannot see holds the key.  Refused;
 * a plain INSERT's unique violation remains (docs/security.md).
 */
static void
check_on_conflict_scope(Rewriter *rw, Oid relid)
{
	int			rules;

	if (!flp_is_governed(relid, NULL))
		return;
	rules = row_rules(relid);
	if ((rules & FLP_RULES_DATA) ||
		((rules & FLP_RULES_SCOPE) && flp_role_partner(rw->roleid) != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to use ON CONFLICT on table \"%s\"", get_rel_name(relid)),
				 errdetail("Its rows are scoped for role \"%s\" by flp's row rules: the branch ON CONFLICT takes would tell whether a row outside that scope exists.",
						   GetUserNameFromId(rw->roleid, false)),
				 errhint("Use INSERT, or UPDATE the rows the role can see.")));
}

/* Writes: the values written, and the fields of a governed target. */
static void
check_writes(Rewriter *rw, Level *lv)
{
	Query	   *q = lv->query;
	RangeTblEntry *rte;
	RelPerms   *rp;
	Bitmapset  *cols;
	bool		inserts = false;
	ListCell   *lc;
	int			i;
	const char *command;

	if (q->commandType != CMD_INSERT && q->commandType != CMD_UPDATE &&
		q->commandType != CMD_MERGE)
		return;

	if (q->commandType != CMD_MERGE)
		check_written_values(rw, lv, q->targetList);
	if (q->onConflict)
		check_written_values(rw, lv, q->onConflict->onConflictSet);
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		check_written_values(rw, lv, ma->targetList);
		if (ma->commandType == CMD_INSERT)
			inserts = true;
	}

	if (q->resultRelation == 0)
		return;
	rte = rt_fetch(q->resultRelation, q->rtable);
	if (q->onConflict && rte->rtekind == RTE_RELATION)
		check_on_conflict_scope(rw, rte->relid);
	if (rte->rtekind != RTE_RELATION || (rp = rel_perms(rw, rte->relid)) == NULL ||
		!rp->restricted)
		return;

	command = q->commandType == CMD_INSERT ? "INSERT" :
		q->commandType == CMD_UPDATE ? "UPDATE" : "MERGE";
	cols = bms_union(rte->insertedCols, rte->updatedCols);
	i = -1;
	while ((i = bms_next_member(cols, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0 && perm_of(rp, att) != FLP_EDIT)
			deny_write(rte->relid, att, perm_of(rp, att),
					   (q->onConflict && bms_is_member(i, rte->updatedCols) &&
						!bms_is_member(i, rte->insertedCols)) ?
					   "ON CONFLICT DO UPDATE" : command);
	}
	if (q->commandType == CMD_INSERT)
	{
		check_default_values(rte, rp, q->targetList);
		if (rp->hides)
			check_unique_constants(rte, rp, q->targetList);
	}
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		if (ma->commandType == CMD_INSERT)
		{
			check_default_values(rte, rp, ma->targetList);
			if (rp->hides)
				check_unique_constants(rte, rp, ma->targetList);
		}
	}
	if (q->commandType == CMD_INSERT || inserts)
		flp_check_insert_columns(rte->relid, rte->insertedCols, command);
}

/* ON CONFLICT ON CONSTRAINT c: the columns of its index are arbiters. */
static void
check_arbiter_constraint(Rewriter *rw, Level *lv, Oid constraint)
{
	Query	   *q = lv->query;
	RangeTblEntry *rte = rt_fetch(q->resultRelation, q->rtable);
	RelPerms   *rp = rel_perms(rw, rte->relid);
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
				perm_of(rp, index->indkey.values[i]) == FLP_HIDE)
				hidden = index->indkey.values[i];
	}
	ReleaseSysCache(tuple);
	if (hidden != InvalidAttrNumber)
		deny_use(make_origin(rte->relid, hidden), "ON CONFLICT", false);
}

/*
 * Pass 1: refuse a hidden field (or anything derived from one) in a filter
 * position, as the source of a written value, and writes to fields that are
 * not Edit; in q and every query below it.
 */
static void
check_query(Rewriter *rw, Query *q, Level *up)
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
		for_level_expressions(q, check_filters, &fw);
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
		if (rte->rtekind == RTE_RELATION && !trusted_rte_quals(rte))
			check_expr(rw, &lv, (Node *) rte->securityQuals, "a row-level security policy");
		else if (rte->rtekind == RTE_RELATION)
		{
			ListCell   *lc2;

			foreach(lc2, rte->securityQuals)
				if (is_untrusted_qual(lfirst(lc2)))
					check_expr(rw, &lv, lfirst(lc2), "WHERE");
		}
	}
	foreach(lc, q->withCheckOptions)
	{
		WithCheckOption *wco = lfirst(lc);

		if (!trusted_check_option(q, wco))
			check_expr(rw, &lv, wco->qual,
					   wco->kind == WCO_VIEW_CHECK ? "a view's CHECK OPTION" :
					   "a row-level security policy");
	}
	if (q->onConflict && OidIsValid(q->onConflict->constraint))
		check_arbiter_constraint(rw, &lv, q->onConflict->constraint);
	check_writes(rw, &lv);

	foreach(lc, child_queries(q))
		check_query(rw, lfirst(lc), &lv);
}

/* ---------------------------------------------------------------------
 * Masking (pass 2)
 * ---------------------------------------------------------------------
 */

/*
 * The default mask of a value of a type: '****' for string types (and
 * domains over them), cut to a shorter declared length; NULL otherwise.  A
 * constant, built once at plan time.
 */
typedef struct MaskKey
{
	Oid			type;
	int32		typmod;
	Oid			collation;
} MaskKey;

typedef struct MaskEntry
{
	MaskKey		key;
	Const	   *mask;
} MaskEntry;

static HTAB *mask_cache = NULL;

static Node *default_mask_build(Oid type, int32 typmod, Oid collation);

/* The entry found last: most queries mask columns of one or two types. */
static MaskEntry *last_mask = NULL;

/*
 * The default mask of a type, built once per session.  The result is the
 * caller's own copy (its value too: a type change frees the cached one).
 */
static Node *
default_mask(Oid type, int32 typmod, Oid collation)
{
	MaskKey		key;
	MaskEntry  *entry = last_mask;
	Const	   *result;
	bool		found;

	if (entry == NULL || entry->key.type != type || entry->key.typmod != typmod ||
		entry->key.collation != collation)
	{
		if (mask_cache == NULL)
			mask_cache = flp_hash_create("flp default masks", 32, sizeof(MaskKey),
										 sizeof(MaskEntry), CacheMemoryContext);
		memset(&key, 0, sizeof(key));
		key.type = type;
		key.typmod = typmod;
		key.collation = collation;
		entry = hash_search(mask_cache, &key, HASH_FIND, &found);
		if (!found)
		{
			Node	   *mask = default_mask_build(type, typmod, collation);
			MemoryContext old = MemoryContextSwitchTo(CacheMemoryContext);
			Const	   *copy = copyObject((Const *) mask);

			MemoryContextSwitchTo(old);
			entry = hash_search(mask_cache, &key, HASH_ENTER, &found);
			entry->mask = copy;
		}
		last_mask = entry;
	}
	result = palloc(sizeof(Const));
	*result = *entry->mask;
	if (!result->constisnull && !result->constbyval)
		result->constvalue = datumCopy(result->constvalue, false, result->constlen);
	return (Node *) result;
}

/* Types change (ALTER TYPE, ALTER DOMAIN): rebuild the masks. */
static void
mask_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	if (mask_cache)
	{
		HASH_SEQ_STATUS status;
		MaskEntry  *entry;

		hash_seq_init(&status, mask_cache);
		while ((entry = hash_seq_search(&status)) != NULL)
			pfree(entry->mask);
		hash_destroy(mask_cache);
		mask_cache = NULL;
		last_mask = NULL;
	}
}

static Node *
default_mask_build(Oid type, int32 typmod, Oid collation)
{
	int32		basetypmod = typmod;
	Oid			base = getBaseTypeAndTypmod(type, &basetypmod);
	char		category;
	bool		preferred;
	int16		typlen;
	bool		typbyval;

	get_type_category_preferred(base, &category, &preferred);
	if (category == TYPCATEGORY_STRING)
	{
		int			n = 4;
		Oid			typinput;
		Oid			typioparam;
		Datum		value;

		if (basetypmod >= (int32) VARHDRSZ && base != NAMEOID)
			n = Min(n, basetypmod - (int32) VARHDRSZ);
		n = Max(n, 1);
		getTypeInputInfo(base, &typinput, &typioparam);
		value = OidInputFunctionCall(typinput, pnstrdup("****", n), typioparam, basetypmod);
		get_typlenbyval(type, &typlen, &typbyval);
		return (Node *) makeConst(type, typmod, collation, typlen, value, false, typbyval);
	}
	return (Node *) makeNullConst(type, typmod, collation);
}

/*
 * The mask of a column, given a Var of it: a mask function, or the default.
 * A mask function that flp may no longer run on hidden values (its owner,
 * volatility or search_path changed since flp.set_mask; see trust.c) is
 * replaced by the default mask: flp.security_check() lists it.
 */
static Node *
mask_of(Var *var, Oid maskfn)
{
	HeapTuple	tuple;
	Form_pg_proc proc;
	Node	   *arg;
	Node	   *call;
	Oid			argtype;
	Oid			rettype;

	if (!OidIsValid(maskfn) || !flp_function_trusted(maskfn))
		return default_mask(var->vartype, var->vartypmod, var->varcollid);

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(maskfn));
	if (!HeapTupleIsValid(tuple))
		return default_mask(var->vartype, var->vartypmod, var->varcollid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	argtype = proc->proargtypes.values[0];
	rettype = proc->prorettype;
	ReleaseSysCache(tuple);

	arg = coerce_to_target_type(NULL, (Node *) copyObject(var), var->vartype,
								argtype, -1, COERCION_EXPLICIT,
								COERCE_IMPLICIT_CAST, -1);
	if (arg == NULL)
		return default_mask(var->vartype, var->vartypmod, var->varcollid);
	call = (Node *) makeFuncExpr(maskfn, rettype, list_make1(arg),
								 OidIsValid(get_typcollation(rettype)) ? var->varcollid : InvalidOid,
								 var->varcollid, COERCE_EXPLICIT_CALL);
	call = coerce_to_target_type(NULL, call, rettype, var->vartype, var->vartypmod,
								 COERCION_EXPLICIT, COERCE_IMPLICIT_CAST, -1);
	if (call == NULL)
		return default_mask(var->vartype, var->vartypmod, var->varcollid);
	return call;
}

/* The value of one column of a governed relation as the role may see it. */
static Node *
column_for_role(RelPerms *rp, Index varno, AttrNumber att, Index levelsup,
				Form_pg_attribute a)
{
	Var		   *var;

	if (a->attisdropped)
		return (Node *) makeNullConst(INT4OID, -1, InvalidOid);
	var = makeVar(varno, att, a->atttypid, a->atttypmod, a->attcollation, levelsup);
	if (perm_of(rp, att) == FLP_HIDE)
		return mask_of(var, rp->p.mask[att]);
	return (Node *) var;
}

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
			perm_of(rm->rp, var->varattno) == FLP_HIDE)
			return mask_of(var, rm->rp->p.mask[var->varattno]);
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
									column_for_role(rm->rp, rm->rti, i + 1,
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
			 perm_of(rm->rp, var->varattno) == FLP_HIDE);
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

		if (!trusted_check_option(q, wco))
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
		if (is_untrusted_qual(lfirst(lc)))
		{
			Node	   *masked = mask_tree(lfirst(lc), &rm);

			untrusted_quals = lappend(untrusted_quals, masked);
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
						makeTargetEntry((Expr *) column_for_role(rp, 1, i + 1, 0, a),
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
static void
mask_query(Rewriter *rw, Query *q)
{
	ListCell   *lc;
	Index		rti;

	check_stack_depth();
	foreach(lc, child_queries(q))
		mask_query(rw, lfirst(lc));

	if (q->resultRelation)
	{
		RangeTblEntry *rte = rt_fetch(q->resultRelation, q->rtable);
		RelPerms   *rp = rte->rtekind == RTE_RELATION ? rel_perms(rw, rte->relid) : NULL;

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
				(rp = rel_perms(rw, rte->relid)) != NULL && rp->hides)
				mask_in_place(q, rti, rp);
			continue;
		}
		rp = rel_perms(rw, rte->relid);
		if (rp && rp->hides)
		{
			if (can_mask_in_place(q, rti, rp))
				mask_in_place(q, rti, rp);
			else
				wrap_relation(q, rti, rp);
		}
	}
}

/* ---------------------------------------------------------------------
 * Row-level security for the reader
 * ---------------------------------------------------------------------
 */

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
	int			depth;
} RlsWalk;

static void apply_reader_rls(Query *q, bool fresh, int depth);

/* How many times apply_reader_rls added policies (to skip a walk when none) */
static uint64 reader_rls_added = 0;

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
rls_sublink_walker(Node *node, RlsWalk *rw)
{
	if (node == NULL)
		return false;
	if (IsA(node, SubLink))
	{
		apply_reader_rls((Query *) ((SubLink *) node)->subselect, true, rw->depth + 1);
		return rls_sublink_walker(((SubLink *) node)->testexpr, rw);
	}
	if (IsA(node, Query))
		return false;
	return expression_tree_walker(node, rls_sublink_walker, (void *) rw);
}

/*
 * For each governed relation of q (and of the queries below it) whose
 * policies do not apply although they apply to the current user, add them.
 * fresh: q comes from a policy just added, never seen by the rewriter, so
 * every governed relation in it needs its policies.
 */
static void
apply_reader_rls(Query *q, bool fresh, int depth)
{
	Index		rti;
	ListCell   *lc;
	RlsWalk		rw;

	check_stack_depth();
	if (depth > 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("infinite recursion detected in the row-level security policies of governed tables"),
				 errdetail("Row policies of the tables involved refer to each other more than 32 levels deep."),
				 errhint("Change the policies so that they do not refer back to the table they protect.")));
	rw.depth = depth;

	foreach(lc, child_queries(q))
		apply_reader_rls(lfirst(lc), fresh, depth);

	for (rti = 1; rti <= (Index) list_length(q->rtable); rti++)
	{
		RangeTblEntry *rte = rt_fetch(rti, q->rtable);
		List	   *quals = NIL;
		List	   *checks = NIL;
		bool		hasRowSecurity = false;
		bool		hasSubLinks = false;
		Oid			owner;

		if (rte->rtekind != RTE_RELATION || rte->relkind == RELKIND_COMPOSITE_TYPE ||
			!flp_is_governed(rte->relid, NULL))
			continue;
		if (!fresh && (!OidIsValid(rte->checkAsUser) || rte->checkAsUser == GetUserId() ||
					   check_enable_rls(rte->relid, rte->checkAsUser, true) == RLS_ENABLED))
			continue;			/* the rewriter applied them for the reader */
		if (check_enable_rls(rte->relid, InvalidOid, true) != RLS_ENABLED)
			continue;

		owner = rte->checkAsUser;
		rte->checkAsUser = InvalidOid;
		PG_TRY();
		{
			get_row_security_policies(q, rte, rti, &quals, &checks,
									  &hasRowSecurity, &hasSubLinks);
		}
		PG_FINALLY();
		{
			rte->checkAsUser = owner;
		}
		PG_END_TRY();

		(void) lock_sublink_relations((Node *) quals, NULL);
		(void) lock_sublink_relations((Node *) checks, NULL);
		(void) rls_sublink_walker((Node *) quals, &rw);
		(void) rls_sublink_walker((Node *) checks, &rw);
		rte->securityQuals = list_concat(quals, rte->securityQuals);
		reader_rls_added++;
		if (rti == (Index) q->resultRelation)
			q->withCheckOptions = list_concat(checks, q->withCheckOptions);
		if (hasRowSecurity)
			q->hasRowSecurity = true;
		if (hasSubLinks)
			q->hasSubLinks = true;
	}
}

/* ---------------------------------------------------------------------
 * The guard, and finding governed relations
 * ---------------------------------------------------------------------
 */

/* Is this qual flp's guard, or the constant true of flp_open? */
static bool
is_guard_qual(Node *qual, Oid guard)
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

typedef struct GovernedWalk
{
	const FlpCatalog *catalog;
	Oid			guard;
	bool		found;
	bool		classify;		/* first walk: find untrusted quals */
} GovernedWalk;

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

	users[0] = rte->checkAsUser;
	users[1] = InvalidOid;
	for (i = 0; i < 2; i++)
	{
		List	   *quals = NIL;
		List	   *checks = NIL;
		bool		hasRowSecurity = false;
		bool		hasSubLinks = false;
		Oid			save = rte->checkAsUser;
		int			k = 0;

		if (check_enable_rls(rte->relid, users[i], true) != RLS_ENABLED)
			continue;
		/* (an error aborts the whole statement: no need to restore on error) */
		rte->checkAsUser = users[i];
		get_row_security_policies(q, rte, rti, &quals, &checks,
								  &hasRowSecurity, &hasSubLinks);
		rte->checkAsUser = save;
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
classify_target_quals(Query *q, Oid guard)
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
		if (!is_guard_qual(lfirst(lc), guard))
			break;
	if (lc == NULL)
		return;
	k = policy_prefix(q, q->resultRelation, rte);
	for (i = k; i < list_length(rte->securityQuals); i++)
		untrusted_quals = lappend(untrusted_quals, list_nth(rte->securityQuals, i));
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
static bool
is_statistics_catalog(Oid relid)
{
	return relid == StatisticRelationId || relid == StatisticExtRelationId;
}

/*
 * Find the governed relations of a query tree (at any level, also in
 * row-level security quals) and remove flp's guard from their quals and from
 * the queries' WITH CHECK options.
 */
static bool
governed_walker(Node *node, GovernedWalk *gw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;
		ListCell   *lc;

		if (gw->classify)
			classify_target_quals(q, gw->guard);
		foreach(lc, q->withCheckOptions)
		{
			WithCheckOption *wco = lfirst(lc);

			if ((wco->kind == WCO_RLS_INSERT_CHECK || wco->kind == WCO_RLS_UPDATE_CHECK ||
				 wco->kind == WCO_RLS_CONFLICT_CHECK) && is_guard_qual(wco->qual, gw->guard))
				q->withCheckOptions = foreach_delete_current(q->withCheckOptions, lc);
		}
		if (!q->hasSubLinks)
		{
			/*
			 * Without sublinks (the planner trusts this flag too), only the
			 * range table and the CTEs can hold relations and queries: skip
			 * the walk through every expression of the query.
			 */
			if (range_table_walker(q->rtable, governed_walker, (void *) gw,
								   QTW_EXAMINE_RTES_BEFORE))
				return true;
			foreach(lc, q->cteList)
				if (governed_walker(((CommonTableExpr *) lfirst(lc))->ctequery, gw))
					return true;
			return false;
		}
		return query_tree_walker(q, governed_walker, (void *) gw,
								 QTW_EXAMINE_RTES_BEFORE);
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION && is_statistics_catalog(rte->relid))
			gw->found = true;	/* pg_stats and pg_stats_ext: filtered for subjects */
		else if (rte->rtekind == RTE_RELATION && flp_is_governed(rte->relid, NULL))
		{
			ListCell   *lc;

			gw->found = true;
			foreach(lc, rte->securityQuals)
			{
				Node	   *qual = lfirst(lc);

				if (is_untrusted_qual(qual))
					continue;	/* a view's qual: checked and masked like a WHERE */
				if (is_guard_qual(qual, gw->guard))
					rte->securityQuals = foreach_delete_current(rte->securityQuals, lc);
				else
					lfirst(lc) = fold_policy_mutator(qual, gw->catalog);
			}
			/* range_table_entry_walker walks on into the (folded) policies */
		}
		return false;
	}
	return expression_tree_walker(node, governed_walker, (void *) gw);
}

/* ---------------------------------------------------------------------
 * The hooks
 * ---------------------------------------------------------------------
 */

static PlannedStmt *
call_next_planner(Query *parse, const char *query_string, int cursorOptions,
				  ParamListInfo boundParams)
{
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * planner_hook: rewrite a query that touches a governed table, then plan it
 * with the next hook (or the standard planner), and mark the plan.
 */
static PlannedStmt *plan_governed(Query *parse, const char *query_string, int cursorOptions,
								  ParamListInfo boundParams, GovernedWalk *gwp);

/*
 * The checks every query of a role needs, whether or not it reads a governed
 * table (activity counters, sequences that fill governed fields), remembered
 * for the last role while flp's catalog and roles do not change: most
 * queries pay a comparison.
 */

int
flp_role_checks(Oid roleid)
{
	static Oid	memo_role = InvalidOid;
	static uint64 memo_generation = 0;
	static int	memo_checks = 0;
	static int	memo_explain = -1;
	uint64		generation = flp_cache_generation();

	if (roleid != memo_role || generation != memo_generation ||
		flp_subject_explain() != memo_explain)
	{
		bool		hidden_sequence = flp_role_has_hidden_sequence(roleid);

		memo_explain = flp_subject_explain();
		/* counters of a sequence that fills a hidden field count its values too */
		memo_checks = (flp_counters_refused(roleid) || hidden_sequence ? CHECK_COUNTERS : 0) |
			(flp_sequences_fill_fields() ? CHECK_SEQUENCES : 0) |
			(hidden_sequence ? CHECK_HIDDEN_SEQUENCE : 0) |
			(has_bypassrls_privilege(roleid) ? CHECK_BYPASSRLS : 0);
		memo_role = roleid;
		memo_generation = generation;
	}
	return memo_checks;
}

static PlannedStmt *
flp_planner(Query *parse, const char *query_string, int cursorOptions,
			ParamListInfo boundParams)
{
	const FlpCatalog *c;
	GovernedWalk gw;
	PlannedStmt *volatile result = NULL;
	bool		uses_sequences;
	List	   *saved_untrusted = untrusted_quals;
	Rewriter   *saved_rewriter = planning_rewriter;
	bool		saved_read;

	/* read invalidations once: every lookup while planning uses them */
	AcceptInvalidationMessages();
	saved_read = flp_set_invalidations_read(true);
	planning_rewriter = NULL;
	untrusted_quals = NIL;
	PG_TRY();
	{
		c = flp_catalog();
		gw.found = false;
		if (c != NULL)
		{
			gw.catalog = c;
			gw.guard = c->guard_function;
			gw.classify = true;
			(void) governed_walker((Node *) parse, &gw);
			gw.classify = false;
		}
		uses_sequences = false;
		if (c != NULL)
		{
			int			checks = flp_role_checks(GetUserId());

			/* activity counters (explain.c), for subjects whom row rules scope */
			if (checks & CHECK_COUNTERS)
				flp_check_counter_calls(parse);
			/* sequences that fill governed fields (sequences.c): any query may use them */
			if (checks & CHECK_SEQUENCES)
				uses_sequences = flp_check_sequence_use(parse, GetUserId());
		}
		if (gw.found)
			result = plan_governed(parse, query_string, cursorOptions, boundParams, &gw);
		else
			result = call_next_planner(parse, query_string, cursorOptions, boundParams);
		if (uses_sequences)
			result->dependsOnRole = true;	/* checked for this role only */
	}
	PG_FINALLY();
	{
		untrusted_quals = saved_untrusted;
		planning_rewriter = saved_rewriter;
		(void) flp_set_invalidations_read(saved_read);
	}
	PG_END_TRY();
	return result;
}

/* Plan a query that touches a governed table (see the file header). */
/* The OIDs as a constant oid[]. */
static Const *
oid_array_const(List *oids)
{
	Datum	   *items = palloc(sizeof(Datum) * Max(list_length(oids), 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, oids)
		items[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	return makeConst(OIDARRAYOID, -1, InvalidOid, -1,
					 PointerGetDatum(construct_array(items, n, OIDOID, sizeof(Oid), true,
													 TYPALIGN_INT)),
					 false, false);
}

/*
 * Call fn for every range table entry of every query level of node (sublinks,
 * subqueries and CTEs included), with the query and its index there.
 */
typedef void (*RteCallback) (Query *q, Index rti, RangeTblEntry *rte, void *arg);

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

static void
for_each_rte(Query *query, RteCallback fn, void *arg)
{
	RteWalk		w = {fn, arg};

	(void) rte_walker((Node *) query, &w);
}

/*
 * A subject reads no statistics of governed tables, whatever its row-level
 * attributes: PostgreSQL's pg_stats hides them only where row-level security
 * is active for the reader, which BYPASSRLS skips.  Every scan of a
 * statistics catalog in a subject's query gets the security qual
 * "<its table> <> ALL (governed tables and their children)".
 */
static void
filter_statistics(Query *q, Index rti, RangeTblEntry *rte, void *arg)
{
	List	  **governed = (List **) arg;
	ScalarArrayOpExpr *qual;

	if (rte->rtekind != RTE_RELATION || !is_statistics_catalog(rte->relid))
		return;
	if (*governed == NIL)
		*governed = flp_governed_relids();	/* only for queries that read statistics */
	qual = makeNode(ScalarArrayOpExpr);
	qual->opno = OpernameGetOprid(list_make2(makeString("pg_catalog"), makeString("<>")),
								  OIDOID, OIDOID);
	qual->opfuncid = get_opcode(qual->opno);
	qual->useOr = false;
	qual->inputcollid = InvalidOid;
	qual->args = list_make2(makeVar(rti, rte->relid == StatisticRelationId ?
									Anum_pg_statistic_starelid : Anum_pg_statistic_ext_stxrelid,
									OIDOID, -1, InvalidOid, 0),
							oid_array_const(*governed));
	qual->location = -1;
	rte->securityQuals = lappend(rte->securityQuals, qual);
}

/*
 * Which of flp's row rules a governed relation carries: FLP_RULES_DATA (data
 * rules, for every subject), FLP_RULES_SCOPE (partner scope and inheritance
 * rules, for partner users).
 */
static int
row_rules(Oid relid)
{
	Relation	rel = relation_open(relid, AccessShareLock);	/* held already when planning */
	int			rules = 0;
	ListCell   *lc;

	if (rel->rd_rsdesc != NULL)
		foreach(lc, rel->rd_rsdesc->policies)
			rules |= flp_policy_rule(((RowSecurityPolicy *) lfirst(lc))->policy_name);
	relation_close(rel, NoLock);
	return rules;
}

/* Does a governed relation carry one of flp's row rules? */
bool
flp_has_row_rules(Oid relid)
{
	return row_rules(relid) != 0;
}

/*
 * A subject with BYPASSRLS skips row-level security, on which PostgreSQL
 * relies to keep hidden values out of constraint errors and flp relies to
 * scope rows.  Such a subject may read governed tables without row rules
 * (masked as for anyone), but neither read a table with row rules nor write
 * one that hides fields from it.
 */
static void
check_bypassrls(Query *q, Index rti, RangeTblEntry *rte, Oid roleid)
{
	const char *why = NULL;

	if (flp_has_row_rules(rte->relid))
		why = "Its rows are scoped by flp's row rules, which row-level security enforces.";
	else if (rti == (Index) q->resultRelation &&
			 flp_table_permissions(roleid, rte->relid)->hides)
		why = "Constraint errors of a write would show its hidden fields, which only row-level security keeps out of error messages.";
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" bypasses row-level security and cannot %s governed table \"%s\"",
						GetUserNameFromId(roleid, false),
						rti == (Index) q->resultRelation ? "write" : "read",
						get_rel_name(rte->relid)),
				 errdetail_internal("%s", why),
				 errhint("Remove the attribute with ALTER ROLE ... NOBYPASSRLS, or make the role a super admin.")));
}

/* What the per-entry checks of a subject's query need. */
typedef struct SubjectChecks
{
	Oid			roleid;
	bool		bypassrls;		/* the role has BYPASSRLS */
	List	   *governed;		/* governed relations, once a statistics catalog is read */
} SubjectChecks;

/*
 * Every range table entry of a subject's query: statistics catalogs are
 * filtered; a governed relation must be guarded (fail closed where flp's
 * row-level security is missing, e.g. a table governed by direct DML); a
 * BYPASSRLS subject's entries are checked as above.
 */
static void
subject_rte_checks(Query *q, Index rti, RangeTblEntry *rte, void *arg)
{
	SubjectChecks *sc = (SubjectChecks *) arg;

	if (rte->rtekind != RTE_RELATION || rte->relkind == RELKIND_COMPOSITE_TYPE)
		return;
	if (is_statistics_catalog(rte->relid))
	{
		filter_statistics(q, rti, rte, &sc->governed);
		return;
	}
	if (!flp_is_governed(rte->relid, NULL))
		return;
	if (!flp_governed_guarded(rte->relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("governed table \"%s\" has no guard", get_rel_name(rte->relid)),
				 errdetail("Its row-level security is not enabled and forced: PostgreSQL would show its values in error messages and skip flp's row rules."),
				 errhint("A super admin puts the guard back with flp.protect('%s').",
						 get_rel_name(flp_governed_root(rte->relid)))));
	if (sc->bypassrls)
		check_bypassrls(q, rti, rte, sc->roleid);
}

static PlannedStmt *
plan_governed(Query *parse, const char *query_string, int cursorOptions,
			  ParamListInfo boundParams, GovernedWalk *gwp)
{
	GovernedWalk gw = *gwp;
	const FlpCatalog *c;
	PlannedStmt *result;
	Oid			roleid;
	bool		restricted;
	PlanInvalItem *mark;
	uint64		made_with = flp_policy_generation();
	Rewriter	rw;

	roleid = GetUserId();
	restricted = !flp_is_super_admin(roleid);
	if (restricted)
	{
		uint64		added = reader_rls_added;

		/* the reader's row policies, also through views of other owners */
		apply_reader_rls(parse, false, 0);
		if (reader_rls_added != added)
		{
			/* fold or drop flp's own policies among those just added */
			gw.found = false;
			(void) governed_walker((Node *) parse, &gw);
		}
	}
	memset(&rw, 0, sizeof(rw));
	rw.roleid = roleid;
	if (restricted)
	{
		SubjectChecks sc = {roleid, (flp_role_checks(roleid) & CHECK_BYPASSRLS) != 0, NIL};

		for_each_rte(parse, subject_rte_checks, &sc);
		check_query(&rw, parse, NULL);
		mask_query(&rw, parse);
		if (rw.memo != NULL)
			hash_destroy(rw.memo);
		rw.memo = NULL;
		planning_rewriter = &rw;	/* flp_planner restores it */
	}

	result = call_next_planner(parse, query_string, cursorOptions, boundParams);
	planning_rewriter = NULL;

	/*
	 * Never reuse this plan for another role (super admins included: their
	 * plan is unmasked), and replan after any change of flp's catalog.
	 */
	result->dependsOnRole = true;
	c = flp_catalog();
	if (c != NULL)
		result->relationOids = lappend_oid(result->relationOids, c->governed_table);

	/* and never run it once what it was made with has changed (below) */
	mark = makeNode(PlanInvalItem);
	mark->cacheId = FLP_PLAN_MARK;
	mark->hashValue = (uint32) made_with;
	result->invalItems = lappend(result->invalItems, mark);
	mark = makeNode(PlanInvalItem);
	mark->cacheId = FLP_PLAN_FRESH;
	mark->hashValue = ++last_plan_serial;
	result->invalItems = lappend(result->invalItems, mark);
	return result;
}

/*
 * ExecutorStart_hook: run a plan of flp only under the rules it was made
 * with.  A cached plan is re-validated when it is fetched, but PostgreSQL
 * reads other sessions' invalidations only when it takes a new lock: a plan
 * already run in the same transaction (a PL/pgSQL statement, a driver's
 * named statement Bound again, a plan fetched before another message read
 * the invalidation) would otherwise run under rules revoked since.  Read
 * them here; if flp's catalog or role memberships changed after the plan was
 * made, refuse it with a serialization failure: the statement run again is
 * planned anew.  The plan carries the generation it was made under as a
 * PlanInvalItem with a cache id no syscache has, which the plan cache
 * ignores and copies keep.
 *
 * A plan started right after flp made it -- its first start, with no other
 * plan made since -- belongs to the statement that planned it (a simple
 * query, a Bind, an EXECUTE, a cursor, a PL/pgSQL statement: PostgreSQL runs
 * a plan right after making it), and the planner hook read the
 * invalidations when it began: a change that commits between its planning
 * and its start committed while the statement ran, and does not refuse it
 * (parallel restores run into this).  Every other start is checked: a plan
 * run before, and a plan whose first start comes after another plan was
 * made (one not started when its statement failed, say).
 */
static void
flp_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	PlannedStmt *pstmt = queryDesc->plannedstmt;

	if (pstmt->dependsOnRole && !IsParallelWorker())
	{
		ListCell   *lc;
		PlanInvalItem *made = NULL;
		bool		fresh = false;

		foreach(lc, pstmt->invalItems)
		{
			PlanInvalItem *item = lfirst(lc);

			if (item->cacheId == FLP_PLAN_MARK)
				made = item;
			else if (item->cacheId == FLP_PLAN_FRESH)
			{
				fresh = item->hashValue == last_plan_serial;
				item->cacheId = FLP_PLAN_STARTED;
			}
		}
		if (made != NULL && !fresh)
		{
			AcceptInvalidationMessages();
			if (made->hashValue != (uint32) flp_policy_generation())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("field-level permissions changed after this statement was planned"),
						 errdetail("A change of flp's rules or of role memberships was committed while the plan was cached."),
						 errhint("Run the statement again: it is planned under the current rules.")));
		}
	}
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * needs_fmgr_hook: a LANGUAGE sql set-returning function must not be inlined
 * into a query after flp has rewritten it (the planner would splice its body
 * in unchecked); asking for the fmgr hook keeps it a function, which is then
 * planned, through this hook, on its own.  Scalar SQL functions are inlined
 * only when their body reads no table, and their arguments are already
 * masked.
 */
typedef struct FmgrEntry
{
	Oid			fn_oid;
	bool		needed;
} FmgrEntry;

static HTAB *fmgr_cache = NULL;

static void
fmgr_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	if (fmgr_cache)
	{
		hash_destroy(fmgr_cache);
		fmgr_cache = NULL;
	}
}

static bool
flp_needs_fmgr_hook(Oid fn_oid)
{
	FmgrEntry  *entry;
	bool		found;

	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	if (flp_catalog() == NULL)
		return false;
	if (fmgr_cache == NULL)
		fmgr_cache = flp_hash_create("flp sql functions", 64, sizeof(Oid),
									 sizeof(FmgrEntry), CacheMemoryContext);
	entry = hash_search(fmgr_cache, &fn_oid, HASH_ENTER, &found);
	if (!found)
	{
		HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));

		entry->needed = false;
		if (HeapTupleIsValid(tuple))
		{
			Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

			entry->needed = proc->prolang == SQLlanguageId &&
				(proc->proretset || flp_sql_function_calls_refused(tuple));
			ReleaseSysCache(tuple);
		}
	}
	return entry->needed;
}

/*
 * get_relation_info_hook: an index scan returns rows in the order of its
 * keys, so an index whose keys (or INCLUDE columns, expressions, predicate)
 * contain a field hidden from a subject would tell the hidden values' order.
 * The planner does not see such indexes when it plans for a subject.
 */
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

static void
flp_get_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent,
					  RelOptInfo *rel)
{
	Oid			roleid = GetUserId();
	uint8	   *perm;
	int			natts;
	ListCell   *lc;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);
	if (rel->indexlist == NIL)
		return;
	if (planning_rewriter != NULL && planning_rewriter->roleid == roleid)
	{
		/* a subject's query that flp rewrote: its permissions are at hand */
		RelPerms   *rp = rel_perms(planning_rewriter, relationObjectId);

		if (rp == NULL || !rp->hides)
			return;
		natts = rp->p.natts;
		perm = rp->p.permission;
	}
	else
	{
		const FlpTablePermissions *p;

		if (flp_catalog() == NULL || !flp_is_governed(relationObjectId, NULL) ||
			flp_is_super_admin(roleid))
			return;
		p = flp_table_permissions(roleid, relationObjectId);
		if (!p->hides)
			return;
		natts = p->natts;
		perm = palloc(natts + 1);
		memcpy(perm, p->permission, natts + 1);
	}

	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *index = lfirst(lc);
		bool		hidden = false;
		int			i;

		/* key and INCLUDE columns first; expressions and predicates seldom */
		for (i = 0; !hidden && i < index->ncolumns; i++)
		{
			AttrNumber	att = index->indexkeys[i];

			hidden = att > 0 && att <= natts && perm[att] == FLP_HIDE;
		}
		if (!hidden && (index->indexprs != NIL || index->indpred != NIL))
		{
			Bitmapset  *cols = NULL;

			pull_varattnos((Node *) index->indexprs, rel->relid, &cols);
			pull_varattnos((Node *) index->indpred, rel->relid, &cols);
			i = -1;
			while (!hidden && (i = bms_next_member(cols, i)) >= 0)
			{
				AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

				hidden = att > 0 && att <= natts && perm[att] == FLP_HIDE;
			}
		}
		if (hidden)
			rel->indexlist = foreach_delete_current(rel->indexlist, lc);
	}
}

/* Install the hooks; called once from _PG_init. */
void
flp_rewrite_init(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = flp_get_relation_info;
	prev_planner_hook = planner_hook;
	planner_hook = flp_planner;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = flp_needs_fmgr_hook;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = flp_ExecutorStart;
	CacheRegisterSyscacheCallback(PROCOID, fmgr_cache_reset, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, mask_cache_reset, (Datum) 0);
}
