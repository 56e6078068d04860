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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_depend.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "access/stratnum.h"
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

/* Remember that seqid fills column attnum of relid. */
static void
add_fed_field(Oid seqid, Oid relid, AttrNumber attnum)
{
	MemoryContext old = MemoryContextSwitchTo(SequenceContext);
	FedField   *f = palloc(sizeof(FedField));

	f->seqid = seqid;
	f->relid = relid;
	f->attnum = attnum;
	fed_fields = lappend(fed_fields, f);
	MemoryContextSwitchTo(old);
}

/*
 * Scan pg_depend for the dependencies of an object (referenced = false: on
 * what classid/objid depends) or on it (referenced = true: what depends on it).
 */
static SysScanDesc
depend_scan(Relation depend, bool referenced, Oid classid, Oid objid)
{
	ScanKeyData key[2];

	ScanKeyInit(&key[0], referenced ? Anum_pg_depend_refclassid : Anum_pg_depend_classid,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], referenced ? Anum_pg_depend_refobjid : Anum_pg_depend_objid,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objid));
	return systable_beginscan(depend, referenced ? DependReferenceIndexId : DependDependerIndexId,
							  true, NULL, 2, key);
}

/* The sequences a column default (pg_attrdef row attrdef) depends on. */
static void
add_default_sequences(Relation depend, Oid attrdef, Oid relid, AttrNumber attnum)
{
	SysScanDesc scan = depend_scan(depend, false, AttrDefaultRelationId, attrdef);
	HeapTuple	tuple;

	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);

		if (d->refclassid == RelationRelationId &&
			get_rel_relkind(d->refobjid) == RELKIND_SEQUENCE)
			add_fed_field(d->refobjid, relid, attnum);
	}
	systable_endscan(scan);
}

/*
 * (Re)find the fields that sequences fill in governed tables, from pg_depend
 * alone (no governed table is opened, so none is locked): the sequences that
 * a column owns (serial, OWNED BY) or that make its identity, and those its
 * default uses (nextval('s') of any sequence).
 */
static void
fed_fields_current(void)
{
	uint64		generation = flp_cache_generation();
	Relation	depend;
	ListCell   *lc;

	if (SequenceContext != NULL && fed_generation == generation)
		return;
	if (SequenceContext == NULL)
		SequenceContext = AllocSetContextCreate(CacheMemoryContext, "flp sequences",
												ALLOCSET_SMALL_SIZES);
	MemoryContextReset(SequenceContext);
	fed_fields = NIL;
	depend = table_open(DependRelationId, AccessShareLock);
	foreach(lc, flp_governed_relids())
	{
		Oid			relid = lfirst_oid(lc);
		/* what depends on the table: its columns' sequences and defaults */
		SysScanDesc scan = depend_scan(depend, true, RelationRelationId, relid);
		HeapTuple	tuple;

		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);

			if (d->refobjsubid <= 0)
				continue;
			if (d->classid == RelationRelationId &&
				get_rel_relkind(d->objid) == RELKIND_SEQUENCE)
				add_fed_field(d->objid, relid, d->refobjsubid);
			else if (d->classid == AttrDefaultRelationId)
				add_default_sequences(depend, d->objid, relid, d->refobjsubid);
		}
		systable_endscan(scan);
	}
	table_close(depend, AccessShareLock);
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
		/* only a governed table's own defaults fill its fields; others are the subject's */
		if (q->resultRelation > 0 &&
			(rte = rt_fetch(q->resultRelation, q->rtable))->rtekind == RTE_RELATION &&
			rte->relkind != RELKIND_VIEW && flp_is_governed(rte->relid, NULL))
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

/* Is a raw expression, or one of its parts, a call of a sequence function? */
static bool
raw_sequence_call_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		const char *name = strVal(llast(((FuncCall *) node)->funcname));

		if (strcmp(name, "nextval") == 0 || strcmp(name, "currval") == 0 ||
			strcmp(name, "setval") == 0 || strcmp(name, "lastval") == 0 ||
			strcmp(name, "pg_sequence_last_value") == 0)
			return true;
	}
	return raw_expression_tree_walker(node, raw_sequence_call_walker, context);
}

/* The raw expressions a column definition or constraint of DDL carries. */
static bool
ddl_part_calls_sequence(Node *part)
{
	ListCell   *lc;

	if (part == NULL)
		return false;
	if (IsA(part, ColumnDef))
	{
		ColumnDef  *col = (ColumnDef *) part;

		if (raw_sequence_call_walker(col->raw_default, NULL))
			return true;
		foreach(lc, col->constraints)
			if (ddl_part_calls_sequence(lfirst(lc)))
				return true;
		return false;
	}
	if (IsA(part, Constraint))
		return raw_sequence_call_walker(((Constraint *) part)->raw_expr, NULL);
	return false;				/* LIKE, partition bounds and the like */
}

/* Does DDL that evaluates defaults or checks name a sequence function? */
static bool
ddl_names_sequence_function(Node *parsetree)
{
	ListCell   *lc;

	if (IsA(parsetree, CreateStmt))
	{
		foreach(lc, ((CreateStmt *) parsetree)->tableElts)
			if (ddl_part_calls_sequence(lfirst(lc)))
				return true;
		foreach(lc, ((CreateStmt *) parsetree)->constraints)
			if (ddl_part_calls_sequence(lfirst(lc)))
				return true;
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);

			/* SET DEFAULT carries the raw expression itself */
			if (cmd->subtype == AT_ColumnDefault ?
				raw_sequence_call_walker(cmd->def, NULL) : ddl_part_calls_sequence(cmd->def))
				return true;
		}
	}
	else if (IsA(parsetree, CreateDomainStmt))
	{
		foreach(lc, ((CreateDomainStmt *) parsetree)->constraints)
			if (ddl_part_calls_sequence(lfirst(lc)))
				return true;
	}
	else if (IsA(parsetree, AlterDomainStmt))
	{
		AlterDomainStmt *stmt = (AlterDomainStmt *) parsetree;

		/* 'T': SET DEFAULT carries the raw expression; 'C': a constraint */
		return stmt->subtype == 'T' ? raw_sequence_call_walker(stmt->def, NULL) :
			stmt->subtype == 'C' && ddl_part_calls_sequence(stmt->def);
	}
	return false;
}

/*
 * Statements that evaluate defaults without being planned: COPY FROM fills
 * the target's defaults, and DDL evaluates the defaults it sets (ALTER TABLE
 * ... ADD COLUMN ... DEFAULT rewrites the table).  A subject from whom a
 * sequence-filled field is hidden may run neither with a sequence of such a
 * field in a default: COPY into a table whose defaults use one, DDL that
 * names a sequence function at all.
 */
void
flp_check_sequence_utility(Node *parsetree, Oid copy_target)
{
	Oid			roleid = GetUserId();
	FedField   *fed;

	if (!flp_sequences_fill_fields() || flp_is_super_admin(roleid) ||
		hidden_fed_field(roleid, InvalidOid) == NULL)
		return;
	if (OidIsValid(copy_target))
	{
		Relation	rel = try_table_open(copy_target, AccessShareLock);
		TupleDesc	desc;

		if (rel == NULL)
			return;
		desc = RelationGetDescr(rel);
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);
			Node	   *def;
			SequenceWalk sw;

			if (a->attisdropped || flp_is_governed(copy_target, NULL))
				continue;		/* a governed table's own defaults fill its fields */
			def = build_column_default(rel, a->attnum);
			memset(&sw, 0, sizeof(sw));
			sw.roleid = roleid;
			(void) sequence_walker(def, &sw);
		}
		table_close(rel, AccessShareLock);
		return;
	}
	if (IsA(parsetree, CopyStmt))
		return;					/* no such table: PostgreSQL says so */
	if (ddl_names_sequence_function(parsetree))
	{
		fed = hidden_fed_field(roleid, InvalidOid);
		deny_sequence(roleid, fed, "a default or expression of DDL");
	}
}
