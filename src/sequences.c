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
#include "catalog/namespace.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_proc.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "access/stratnum.h"
#include "access/transam.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/syscache.h"
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
static FlpCacheStamp fed_stamp;	/* of fed_fields; zeroed: never valid */

/* Remember that seqid fills column attnum of relid (in the current context). */
static void
add_fed_field(List **fields, Oid seqid, Oid relid, AttrNumber attnum)
{
	FedField   *f = palloc(sizeof(FedField));

	f->seqid = seqid;
	f->relid = relid;
	f->attnum = attnum;
	*fields = lappend(*fields, f);
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
add_default_sequences(List **fields, Relation depend, Oid attrdef, Oid relid, AttrNumber attnum)
{
	SysScanDesc scan = depend_scan(depend, false, AttrDefaultRelationId, attrdef);
	HeapTuple	tuple;

	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);

		if (d->refclassid == RelationRelationId &&
			get_rel_relkind(d->refobjid) == RELKIND_SEQUENCE)
			add_fed_field(fields, d->refobjid, relid, attnum);
	}
	systable_endscan(scan);
}

/* The fields sequences fill in one governed table (or partition, child). */
static void
add_table_fed_fields(List **fields, Relation depend, Oid relid)
{
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
			add_fed_field(fields, d->objid, relid, d->refobjsubid);
		else if (d->classid == AttrDefaultRelationId)
			add_default_sequences(fields, depend, d->objid, relid, d->refobjsubid);
	}
	systable_endscan(scan);
}

/*
 * The fields sequences fill, into the current memory context: every
 * governed table scanned, or (changed not NIL) the fields found before kept
 * but for the tables in changed, which are scanned again if still governed.
 */
static List *
fed_fields_build(List *changed, bool incremental)
{
	List	   *fields = NIL;
	Relation	depend;
	ListCell   *lc;

	if (incremental)
		foreach(lc, fed_fields)
		{
			FedField   *f = lfirst(lc);

			if (!list_member_oid(changed, f->relid))
				add_fed_field(&fields, f->seqid, f->relid, f->attnum);
		}
	depend = table_open(DependRelationId, AccessShareLock);
	foreach(lc, incremental ? changed : flp_governed_relids())
	{
		Oid			relid = lfirst_oid(lc);

		if (!incremental || flp_is_governed(relid, NULL))
			add_table_fed_fields(&fields, depend, relid);
	}
	table_close(depend, AccessShareLock);
	return fields;
}

/*
 * (Re)find the fields that sequences fill in governed tables, from pg_depend
 * alone (no governed table is opened, so none is locked): the sequences that
 * a column owns (serial, OWNED BY) or that make its identity, and those its
 * default uses (nextval('s') of any sequence).  After a change of flp's
 * catalog every table is scanned again (the governed tables may be others);
 * after relcache invalidations of governed tables alone, only those tables.
 */
static void
fed_fields_current(void)
{
	FlpCacheStamp stamp;
	FlpCacheStamp catalog_part = fed_stamp;
	MemoryContext built;
	MemoryContext old;
	List	   *fields = NIL;
	List	   *changed = NIL;
	bool		incremental;

	if (SequenceContext != NULL && flp_cache_stamp_valid(&fed_stamp))
		return;
	stamp = flp_cache_stamp(false);
	catalog_part.catalog_only = true;
	incremental = SequenceContext != NULL && fed_stamp.generation != 0 &&
		flp_cache_stamp_valid(&catalog_part) &&
		flp_shapes_changed_since(fed_stamp.shapes, &changed);
	built = AllocSetContextCreate(CacheMemoryContext, "flp sequences", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(built);
	PG_TRY();
	{
		fields = fed_fields_build(changed, incremental);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(built);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	if (SequenceContext != NULL)
		MemoryContextDelete(SequenceContext);
	SequenceContext = built;
	fed_fields = fields;
	fed_stamp = stamp;
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

/* check_functions_in_node callback: a refused function reached indirectly. */
static bool
refused_checker(Oid funcid, void *context)
{
	int		   *kinds = (int *) context;

	*kinds |= flp_refused_kind(funcid);
	return false;				/* collect them all */
}

/* A sequence function call: refuse it if it may tell a hidden field. */
static void
check_sequence_call(SequenceWalk *sw, FuncExpr *f)
{
	Node	   *arg;
	FedField   *fed;
	const char *name;

	if (!flp_is_sequence_function(f->funcid))
		return;
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

static bool sequence_walker(Node *node, SequenceWalk *sw);

/*
 * The target list entries of a write to a governed table that are its own
 * defaults: only a governed table's own defaults fill its fields; others are
 * the subject's.
 */
static List *
own_defaults(Query *q)
{
	RangeTblEntry *rte;
	Relation	target;
	List	   *defaults;
	ListCell   *lc;

	if (q->resultRelation <= 0)
		return NIL;
	rte = rt_fetch(q->resultRelation, q->rtable);
	if (rte->rtekind != RTE_RELATION || rte->relkind == RELKIND_VIEW ||
		!flp_is_governed(rte->relid, NULL))
		return NIL;
	target = table_open(rte->relid, NoLock);
	defaults = table_defaults(target, q->targetList, NIL);
	foreach(lc, q->mergeActionList)
		defaults = table_defaults(target, ((MergeAction *) lfirst(lc))->targetList, defaults);
	table_close(target, NoLock);
	return defaults;
}

/* A query level: walked with its own defaults. */
static bool
sequence_query(Query *q, SequenceWalk *sw)
{
	SequenceWalk inner = *sw;
	bool		result;

	inner.defaults = own_defaults(q);
	result = query_tree_walker(q, sequence_walker, &inner, QTW_EXAMINE_RTES_BEFORE);
	sw->found |= inner.found;
	return result;
}

/* An operator or aggregate whose function is a sequence function. */
static void
check_sequence_support(SequenceWalk *sw, Node *node)
{
	int			kinds = 0;

	(void) check_functions_in_node(node, refused_checker, &kinds);
	if (kinds & REFUSED_SEQUENCE)
	{
		FedField   *fed = hidden_fed_field(sw->roleid, InvalidOid);

		sw->found = true;
		if (fed != NULL)
			deny_sequence(sw->roleid, fed, "an operator or aggregate");
	}
}

static bool
sequence_walker(Node *node, SequenceWalk *sw)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return sequence_query((Query *) node, sw);
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
	{
		FuncExpr   *f = (FuncExpr *) node;

		check_sequence_call(sw, f);
		/* the parameter defaults the call leaves to the planner */
		(void) sequence_walker((Node *) flp_omitted_defaults(f->funcid, list_length(f->args)), sw);
	}
	else
		check_sequence_support(sw, node);
	return expression_tree_walker(node, sequence_walker, sw);
}

/*
 * Refuse a subject's query that uses a sequence filling a field hidden from
 * it.  Returns whether the query uses sequences at all (its plan then
 * depends on the role).
 */
bool
flp_check_sequence_use(Node *tree, Oid roleid)
{
	SequenceWalk sw;

	memset(&sw, 0, sizeof(sw));
	sw.roleid = roleid;
	(void) sequence_walker(tree, &sw);
	return sw.found;
}

/*
 * Utility statements carry expressions that PostgreSQL evaluates without
 * planning them, so that flp's planner hook never sees them: the arguments
 * of CALL and EXECUTE, and in DDL the defaults, CHECK and generated
 * expressions, ALTER COLUMN TYPE ... USING, index expressions and
 * predicates, and trigger WHEN conditions (the last evaluated on every row
 * the subject's own objects see).  A subject may name there no function
 * that flp refuses it in queries: the sequence functions where a sequence
 * fills a field hidden from it, the activity counters where they are
 * refused to it.
 */
typedef struct RawCheck
{
	bool		sequences;		/* sequence functions are refused */
	bool		counters;		/* pg_stat_get_* are refused */
	const char *found;			/* the first refused function named */
} RawCheck;

static bool
raw_call_walker(Node *node, RawCheck *rc)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall) || (IsA(node, A_Expr) && ((A_Expr *) node)->kind == AEXPR_OP))
	{
		/*
		 * Names are not resolved yet: every function (or aggregate) of that
		 * name, every operator's function, counts.
		 */
		List	   *names = IsA(node, FuncCall) ? ((FuncCall *) node)->funcname :
			((A_Expr *) node)->name;
		int			kinds = 0;

		if (IsA(node, FuncCall))
		{
			FuncCandidateList c = flp_function_candidates(names);

			for (; c != NULL; c = c->next)
				kinds |= flp_refused_kind(c->oid);
		}
		else
		{
			FuncCandidateList c = flp_operator_candidates(names);

			for (; c != NULL; c = c->next)
				kinds |= flp_refused_kind(get_opcode(c->oid));
		}
		if (((kinds & REFUSED_SEQUENCE) && rc->sequences) ||
			((kinds & REFUSED_COUNTER) && rc->counters))
		{
			rc->found = NameListToString(names);
			return true;
		}
	}
	return raw_expression_tree_walker(node, raw_call_walker, rc);
}

/* The raw expressions of a column definition, constraint or index element. */
static bool
raw_part_calls(Node *part, RawCheck *rc)
{
	ListCell   *lc;

	if (part == NULL)
		return false;
	if (IsA(part, ColumnDef))
	{
		ColumnDef  *col = (ColumnDef *) part;

		if (raw_call_walker(col->raw_default, rc))
			return true;
		foreach(lc, col->constraints)
			if (raw_part_calls(lfirst(lc), rc))
				return true;
		return false;
	}
	if (IsA(part, Constraint))
		return raw_call_walker(((Constraint *) part)->raw_expr, rc);
	if (IsA(part, IndexElem))
		return raw_call_walker(((IndexElem *) part)->expr, rc);
	return false;				/* LIKE, partition bounds and the like */
}

static bool
raw_list_calls(List *parts, RawCheck *rc)
{
	ListCell   *lc;

	foreach(lc, parts)
		if (raw_part_calls(lfirst(lc), rc))
			return true;
	return false;
}

/* A partition bound's expressions (FOR VALUES IN / FROM / TO), evaluated by the DDL. */
static bool
bound_calls(PartitionBoundSpec *bound, RawCheck *rc)
{
	if (bound == NULL)
		return false;
	return raw_call_walker((Node *) bound->listdatums, rc) ||
		raw_call_walker((Node *) bound->lowerdatums, rc) ||
		raw_call_walker((Node *) bound->upperdatums, rc);
}

/* Does a utility statement carry an unplanned expression naming a refused function? */
static bool
utility_calls(Node *parsetree, RawCheck *rc)
{
	ListCell   *lc;

	switch (nodeTag(parsetree))
	{
		case T_CallStmt:
			return raw_call_walker((Node *) ((CallStmt *) parsetree)->funccall, rc);
		case T_ExecuteStmt:
			foreach(lc, ((ExecuteStmt *) parsetree)->params)
				if (raw_call_walker(lfirst(lc), rc))
					return true;
			return false;
		case T_CreateStmt:
			return raw_list_calls(((CreateStmt *) parsetree)->tableElts, rc) ||
				raw_list_calls(((CreateStmt *) parsetree)->constraints, rc) ||
				bound_calls(((CreateStmt *) parsetree)->partbound, rc);
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
			{
				AlterTableCmd *cmd = lfirst(lc);

				/* SET DEFAULT carries the raw expression itself; ATTACH a bound */
				if (cmd->subtype == AT_ColumnDefault ? raw_call_walker(cmd->def, rc) :
					cmd->subtype == AT_AttachPartition ?
					bound_calls(((PartitionCmd *) cmd->def)->bound, rc) :
					raw_part_calls(cmd->def, rc))
					return true;
			}
			return false;
		case T_CreateDomainStmt:
			return raw_list_calls(((CreateDomainStmt *) parsetree)->constraints, rc);
		case T_AlterDomainStmt:
			{
				AlterDomainStmt *stmt = (AlterDomainStmt *) parsetree;

				/* 'T': SET DEFAULT carries the raw expression; 'C': a constraint */
				return stmt->subtype == 'T' ? raw_call_walker(stmt->def, rc) :
					stmt->subtype == 'C' && raw_part_calls(stmt->def, rc);
			}
		case T_IndexStmt:
			return raw_list_calls(((IndexStmt *) parsetree)->indexParams, rc) ||
				raw_call_walker(((IndexStmt *) parsetree)->whereClause, rc);
		case T_CreateTrigStmt:
			return raw_call_walker(((CreateTrigStmt *) parsetree)->whenClause, rc);
		case T_CopyStmt:
			return raw_call_walker(((CopyStmt *) parsetree)->whereClause, rc);
		default:
			return false;
	}
}

/* Does the role have a field hidden from it that a sequence fills? */
bool
flp_role_has_hidden_sequence(Oid roleid)
{
	return flp_sequences_fill_fields() && hidden_fed_field(roleid, InvalidOid) != NULL;
}

/*
 * COPY FROM fills the target's defaults without planning them: a subject
 * from whom a sequence-filled field is hidden may not COPY into a table
 * (other than the governed table whose own defaults fill it) whose defaults
 * use such a sequence.  checks: the current role's flp_role_checks.
 */
void
flp_check_copy_defaults(Oid copy_target, int checks)
{
	Oid			roleid = GetUserId();
	Relation	rel;
	TupleDesc	desc;

	if (!OidIsValid(copy_target) || flp_is_governed(copy_target, NULL) ||
		!(checks & CHECK_HIDDEN_SEQUENCE))
		return;
	rel = try_table_open(copy_target, AccessShareLock);
	if (rel == NULL)
		return;
	desc = RelationGetDescr(rel);
	for (int i = 0; i < desc->natts; i++)
	{
		SequenceWalk sw;

		if (TupleDescAttr(desc, i)->attisdropped)
			continue;
		memset(&sw, 0, sizeof(sw));
		sw.roleid = roleid;
		(void) sequence_walker(build_column_default(rel, i + 1), &sw);
	}
	table_close(rel, AccessShareLock);
}

/*
 * The check of unplanned expressions in utility statements (above), for the
 * current role, whose flp_role_checks are checks.
 */
void
flp_check_utility_expressions(Node *parsetree, int checks)
{
	Oid			roleid = GetUserId();
	RawCheck	rc = {false, false, NULL};

	rc.sequences = (checks & CHECK_HIDDEN_SEQUENCE) != 0;
	rc.counters = (checks & CHECK_COUNTERS) != 0;
	if ((rc.sequences || rc.counters) && utility_calls(parsetree, &rc))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", rc.found),
				 errdetail("PostgreSQL evaluates the expressions of this statement without planning them, and the function is refused to role \"%s\": it would tell values of fields hidden from it, or count rows outside its scope.",
						   GetUserNameFromId(roleid, false)),
				 errhint("Use the function in no expression of this statement.")));
	/*
	 * CALL's analysed call holds the parameter defaults too (parse analysis
	 * adds them, since no planner will): walked like a query's expressions.
	 */
	if (IsA(parsetree, CallStmt) && ((CallStmt *) parsetree)->funcexpr != NULL)
	{
		Node	   *call = (Node *) ((CallStmt *) parsetree)->funcexpr;

		if (rc.counters)
			flp_check_counter_calls(call);
		if (rc.sequences)
			(void) flp_check_sequence_use(call, roleid);
	}
}

/* Does an analysed tree (a SQL-standard body) call a sequence function or a counter? */
static bool
refused_call_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	{
		int			kinds = 0;

		(void) check_functions_in_node(node, refused_checker, &kinds);
		if (kinds != 0)
			return true;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, refused_call_walker, context, 0);
	return expression_tree_walker(node, refused_call_walker, context);
}

/* Does an analysed query tree call a sequence function or a counter? */
bool
flp_tree_calls_refused(Node *tree)
{
	return refused_call_walker(tree, NULL);
}

/*
 * Does a LANGUAGE sql function call a function flp may refuse a subject
 * (sequence functions, activity counters)?  Then it must not be inlined
 * into the query that calls it, where flp has already looked: kept a
 * function (flp's needs_fmgr_hook), its body is planned through flp on its
 * own and checked like any query.  From the text of the body, or for a
 * SQL-standard body from the functions it depends on.
 */
bool
flp_sql_function_calls_refused(HeapTuple proctup)
{
	bool		isnull;
	Datum		src = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosrc, &isnull);
	bool		result = false;

	/*
	 * A function that is not a superuser's may reach a refused function in
	 * ways a look at its text does not find (an operator, an aggregate of
	 * its owner's): never inlined.
	 */
	if (!superuser_arg(((Form_pg_proc) GETSTRUCT(proctup))->proowner))
		return true;

	if (!isnull)
	{
		char	   *raw = TextDatumGetCString(src);
		char	   *body = asc_tolower(raw, strlen(raw));

		result = strstr(body, "nextval") || strstr(body, "currval") || strstr(body, "setval") ||
			strstr(body, "lastval") || strstr(body, "pg_sequence_last_value") ||
			strstr(body, "pg_stat_get_") || strstr(body, "pg_stat_statements") ||
			strstr(body, "pg_lock_status") || strstr(body, "pg_locks") ||
			strstr(body, "pg_current_wal_") || strstr(body, "pgrowlocks") ||
			strstr(body, "_lsn") || strstr(body, "pg_logical_emit_message") ||
			strstr(body, "pg_replication_slots") || strstr(body, "pg_control_");
	}
	src = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosqlbody, &isnull);
	if (!result && !isnull)
		result = refused_call_walker(stringToNode(TextDatumGetCString(src)), NULL);
	return result;
}
