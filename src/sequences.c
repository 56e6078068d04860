/*-------------------------------------------------------------------------
 *
 * sequences.c
 *	  Sequences that fill hidden fields.
 *
 * A column default nextval('s') (serial) or an identity column gives each
 * new row the next value of a sequence.  A subject that may use the
 * sequence learns the hidden value its own INSERT was given: currval('s')
 * right after it, nextval('s') just before and after it, lastval(), setval(),
 * pg_sequence_last_value() or SELECT last_value FROM s.  For a subject, flp
 * refuses every such use of a sequence that fills a field hidden from it --
 * except the table default itself, which is how the row gets its value.
 *
 * Which sequences fill which fields of governed tables is found once per
 * catalog generation; a database whose governed tables have no such field
 * pays nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "flp.h"

/* A field a sequence fills. */
typedef struct FedField
{
	Oid			seqid;
	Oid			relid;			/* a governed table, partition or child */
	AttrNumber	attnum;
} FedField;

static MemoryContext SequenceContext = NULL;
static List *fed_fields = NIL;	/* of FedField, in SequenceContext */
static uint64 fed_generation = 0;

/* The sequence a default calls nextval() of with a constant, or InvalidOid. */
static Oid
nextval_sequence(Node *expr)
{
	while (expr != NULL && (IsA(expr, FuncExpr) || IsA(expr, RelabelType)))
	{
		if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (((FuncExpr *) expr)->funcid == F_NEXTVAL)
		{
			Node	   *arg = linitial(((FuncExpr *) expr)->args);

			while (IsA(arg, RelabelType))
				arg = (Node *) ((RelabelType *) arg)->arg;
			return IsA(arg, Const) && !((Const *) arg)->constisnull ?
				DatumGetObjectId(((Const *) arg)->constvalue) : InvalidOid;
		}
		else if (list_length(((FuncExpr *) expr)->args) == 1)
			expr = linitial(((FuncExpr *) expr)->args);	/* a cast */
		else
			return InvalidOid;
	}
	return InvalidOid;
}

/* (Re)find the fields that sequences fill in governed tables. */
static void
fed_fields_current(void)
{
	uint64		generation = flp_cache_generation();
	ListCell   *lc;
	MemoryContext old;

	if (SequenceContext != NULL && fed_generation == generation)
		return;
	if (SequenceContext == NULL)
		SequenceContext = AllocSetContextCreate(CacheMemoryContext, "flp sequences",
												ALLOCSET_SMALL_SIZES);
	MemoryContextReset(SequenceContext);
	fed_fields = NIL;
	foreach(lc, flp_governed_relids())
	{
		Oid			relid = lfirst_oid(lc);
		Relation	rel = try_table_open(relid, AccessShareLock);
		TupleDesc	desc;

		if (rel == NULL)
			continue;			/* dropped in this transaction (the catalog follows at commit) */
		desc = RelationGetDescr(rel);

		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);
			Oid			seqid = InvalidOid;

			if (a->attisdropped)
				continue;
			if (a->attidentity)
				seqid = getIdentitySequence(relid, a->attnum, true);
			else if (a->atthasdef)
				seqid = nextval_sequence(build_column_default(rel, a->attnum));
			if (OidIsValid(seqid))
			{
				FedField   *f;

				old = MemoryContextSwitchTo(SequenceContext);
				f = palloc(sizeof(FedField));
				f->seqid = seqid;
				f->relid = relid;
				f->attnum = a->attnum;
				fed_fields = lappend(fed_fields, f);
				MemoryContextSwitchTo(old);
			}
		}
		table_close(rel, AccessShareLock);
	}
	fed_generation = generation;
}

/* Does any sequence fill a field of a governed table? */
bool
flp_sequences_fill_fields(void)
{
	fed_fields_current();
	return fed_fields != NIL;
}

/*
 * A field hidden from roleid that seqid fills (any sequence when seqid is
 * InvalidOid), or NULL.
 */
static FedField *
hidden_fed_field(Oid roleid, Oid seqid)
{
	ListCell   *lc;

	foreach(lc, fed_fields)
	{
		FedField   *f = lfirst(lc);

		if ((!OidIsValid(seqid) || f->seqid == seqid) &&
			flp_field_permission(roleid, f->relid, f->attnum) == FLP_HIDE)
			return f;
	}
	return NULL;
}

typedef struct SequenceWalk
{
	Oid			roleid;
	List	   *defaults;		/* target entries that are their table's default */
	bool		found;			/* some sequence function or relation */
} SequenceWalk;

/*
 * The entries of a target list (of the query's result relation rel) that set
 * a column to its table's default: how a new row gets its value.
 */
static List *
table_defaults(Relation rel, List *targetList, List *defaults)
{
	ListCell   *lc;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (!tle->resjunk && tle->resno > 0 && tle->resno <= RelationGetNumberOfAttributes(rel) &&
			!TupleDescAttr(RelationGetDescr(rel), tle->resno - 1)->attisdropped &&
			equal(tle->expr, build_column_default(rel, tle->resno)))
			defaults = lappend(defaults, tle);
	}
	return defaults;
}

static void
deny_sequence(Oid roleid, FedField *f, const char *use)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to use sequence \"%s\" with %s",
					get_rel_name(f->seqid), use),
			 errdetail("The sequence fills field \"%s\" of table \"%s\", which is hidden for role \"%s\": its values would tell the field's.",
					   get_attname(f->relid, f->attnum, false), get_rel_name(f->relid),
					   GetUserNameFromId(roleid, false)),
			 errhint("Let the table's default fill the field; ask a super admin for Read access to see it.")));
}

/* A sequence function call: refuse it if it may tell a hidden field. */
static void
check_sequence_call(SequenceWalk *sw, FuncExpr *f)
{
	Node	   *arg;
	FedField   *fed;
	const char *name;

	switch (f->funcid)
	{
		case F_NEXTVAL:
		case F_CURRVAL:
		case F_SETVAL_REGCLASS_INT8:
		case F_SETVAL_REGCLASS_INT8_BOOL:
		case F_PG_SEQUENCE_LAST_VALUE:
		case F_LASTVAL:
			break;
		default:
			return;
	}
	sw->found = true;
	name = get_func_name(f->funcid);
	if (f->funcid == F_LASTVAL)
	{
		/* the last sequence used in the session: any one might fill a hidden field */
		if ((fed = hidden_fed_field(sw->roleid, InvalidOid)) != NULL)
			deny_sequence(sw->roleid, fed, "lastval()");
		return;
	}
	arg = linitial(f->args);
	while (IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	if (IsA(arg, Const) && !((Const *) arg)->constisnull)
		fed = hidden_fed_field(sw->roleid, DatumGetObjectId(((Const *) arg)->constvalue));
	else
		fed = hidden_fed_field(sw->roleid, InvalidOid);	/* a sequence named at run time */
	if (fed != NULL)
		deny_sequence(sw->roleid, fed, psprintf("%s()", name));
}

static bool
sequence_walker(Node *node, SequenceWalk *sw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;
		SequenceWalk inner = *sw;
		bool		result;
		RangeTblEntry *rte;

		inner.defaults = NIL;
		if (q->resultRelation > 0 &&
			(rte = rt_fetch(q->resultRelation, q->rtable))->rtekind == RTE_RELATION &&
			rte->relkind != RELKIND_VIEW)
		{
			Relation	target = table_open(rte->relid, NoLock);
			ListCell   *lc;

			inner.defaults = table_defaults(target, q->targetList, NIL);
			foreach(lc, q->mergeActionList)
				inner.defaults = table_defaults(target, ((MergeAction *) lfirst(lc))->targetList,
												inner.defaults);
			table_close(target, NoLock);
		}
		result = query_tree_walker(q, sequence_walker, &inner, QTW_EXAMINE_RTES_BEFORE);
		sw->found |= inner.found;
		return result;
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;
		FedField   *fed;

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_SEQUENCE)
		{
			sw->found = true;
			if ((fed = hidden_fed_field(sw->roleid, rte->relid)) != NULL)
				deny_sequence(sw->roleid, fed, "SELECT");
		}
		return false;
	}
	if (IsA(node, TargetEntry) && list_member_ptr(sw->defaults, node))
		return false;			/* the table's own default */
	if (IsA(node, FuncExpr))
		check_sequence_call(sw, (FuncExpr *) node);
	return expression_tree_walker(node, sequence_walker, sw);
}

/*
 * Refuse a subject's query that uses a sequence filling a field hidden from
 * it.  Returns whether the query uses sequences at all (its plan then
 * depends on the role).
 */
bool
flp_check_sequence_use(Query *query, Oid roleid)
{
	SequenceWalk sw;

	memset(&sw, 0, sizeof(sw));
	sw.roleid = roleid;
	(void) sequence_walker((Node *) query, &sw);
	return sw.found;
}
