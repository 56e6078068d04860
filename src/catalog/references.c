/*-------------------------------------------------------------------------
 *
 * references.c
 *	  References between flp's catalog tables, kept by triggers.
 *
 * A field setting needs its table setting, a table setting its bundle, and
 * so on.  Foreign keys would say so, but pg_dump dumps the data of an
 * extension's configuration tables as separate TABLE DATA items without
 * dependencies between them, and PostgreSQL creates those foreign keys with
 * the extension, before the data: `pg_restore -j` then loads a field setting
 * before its bundle and fails.  So the references are triggers:
 *
 *	flp_internal.ref_check()	BEFORE INSERT OR UPDATE, row, on the referencing table:
 *						the referenced row must exist (it is locked FOR KEY
 *						SHARE until the end of the transaction, as a foreign
 *						key does).  Not checked for the rows of a COPY FROM
 *						(a restore loads the tables in any order).
 *	flp_internal.ref_action()	AFTER UPDATE OR DELETE, row, and AFTER TRUNCATE,
 *						statement, on the referenced table: cascade the
 *						change to the referencing rows, or refuse it while
 *						rows still refer to it.
 *
 * Trigger arguments:
 *	_ref_check(constraint, referenced table, col, refcol [, col, refcol ...])
 *	_ref_action(constraint, referencing table, on delete, on update,
 *				refcol, col [, refcol, col ...])
 * where an action is 'cascade' or 'restrict'.  Errors and SQLSTATEs are the
 * ones of a foreign key (23503).  A row whose referenced row is missing (only
 * a COPY FROM or a disabled trigger can leave one) grants nothing: the
 * evaluator reaches every setting through the rows it refers to.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "flp.h"

PG_FUNCTION_INFO_V1(flp_ref_check);
PG_FUNCTION_INFO_V1(flp_ref_action);

#define MAX_REF_COLUMNS 4
#define REF_QUERY_MAX 1024

/* One reference, as described by a trigger's arguments. */
typedef struct Reference
{
	const char *constraint;
	Relation	rel;			/* the table the trigger fired on */
	Oid			other;			/* the table at the other end */
	int			ncols;
	AttrNumber	here[MAX_REF_COLUMNS];	/* columns of rel */
	AttrNumber	there[MAX_REF_COLUMNS]; /* columns of other */
} Reference;

/* Prepared statements, by query text. */
typedef struct PlanEntry
{
	char		query[REF_QUERY_MAX];
	SPIPlanPtr	plan;
} PlanEntry;

static HTAB *plans = NULL;

/* The catalog table a COPY FROM of this backend is loading, if any. */
static Oid	bulk_load_target = InvalidOid;

/*
 * Set (and reset) by the ProcessUtility hook around a COPY FROM into one of
 * flp's catalog tables.
 */
void
flp_set_bulk_load(Oid relid)
{
	bulk_load_target = relid;
}

/* The catalog table a COPY FROM of this backend is loading, or InvalidOid. */
Oid
flp_bulk_load_target(void)
{
	return bulk_load_target;
}

static AttrNumber
column_of(Oid relid, const char *name)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber)
		elog(ERROR, "flp: column \"%s\" of relation %u does not exist", name, relid);
	return att;
}

/*
 * Read the trigger's arguments: `skip` arguments after the constraint and
 * the other table, then column pairs, ours first when `ours_first`.
 */
static void
reference_read(TriggerData *td, int skip, bool ours_first, Reference *ref)
{
	Trigger    *tg = td->tg_trigger;
	char	  **args = tg->tgargs;
	int			first = 2 + skip;
	int			i;

	if (tg->tgnargs < first + 2 || (tg->tgnargs - first) % 2 != 0 ||
		(tg->tgnargs - first) / 2 > MAX_REF_COLUMNS)
		elog(ERROR, "flp: trigger \"%s\" has wrong arguments", tg->tgname);
	ref->constraint = args[0];
	ref->rel = td->tg_relation;
	ref->other = RangeVarGetRelid(makeRangeVarFromNameList(flp_qualified_name_list(args[1])),
								  NoLock, false);
	ref->ncols = (tg->tgnargs - first) / 2;
	for (i = 0; i < ref->ncols; i++)
	{
		const char *a = args[first + 2 * i];
		const char *b = args[first + 2 * i + 1];

		ref->here[i] = column_of(RelationGetRelid(ref->rel), ours_first ? a : b);
		ref->there[i] = column_of(ref->other, ours_first ? b : a);
	}
}

/* The key of `tuple`, by our columns; false when a column is NULL. */
static bool
reference_key(Reference *ref, HeapTuple tuple, Datum *values)
{
	TupleDesc	desc = RelationGetDescr(ref->rel);
	int			i;

	for (i = 0; i < ref->ncols; i++)
	{
		bool		isnull;

		values[i] = heap_getattr(tuple, ref->here[i], desc, &isnull);
		if (isnull)
			return false;
	}
	return true;
}

static bool
key_changed(Reference *ref, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(ref->rel);
	int			i;

	for (i = 0; i < ref->ncols; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, ref->here[i] - 1);
		bool		oldnull,
					newnull;
		Datum		o = heap_getattr(oldtup, ref->here[i], desc, &oldnull);
		Datum		n = heap_getattr(newtup, ref->here[i], desc, &newnull);

		if (oldnull != newnull)
			return true;
		if (!oldnull && !datumIsEqual(o, n, a->attbyval, a->attlen))
			return true;
	}
	return false;
}

/* "Key (a, b)=(x, y)" of an error detail. */
static char *
key_text(Reference *ref, Datum *values)
{
	StringInfoData cols,
				vals;
	TupleDesc	desc = RelationGetDescr(ref->rel);
	int			i;

	initStringInfo(&cols);
	initStringInfo(&vals);
	for (i = 0; i < ref->ncols; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, ref->here[i] - 1);
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(a->atttypid, &out, &varlena);
		appendStringInfo(&cols, "%s%s", i > 0 ? ", " : "",
						 NameStr(a->attname));
		appendStringInfo(&vals, "%s%s", i > 0 ? ", " : "",
						 OidOutputFunctionCall(out, values[i]));
	}
	return psprintf("Key (%s)=(%s)", cols.data, vals.data);
}

/*
 * "x.col = $n [AND ...]" over the columns `cols` of `relid`, the parameters
 * numbered from `first`, collated like the columns.
 */
static void
append_match(StringInfo buf, Oid relid, AttrNumber *cols, int ncols, int first)
{
	int			i;

	for (i = 0; i < ncols; i++)
	{
		Oid			type;
		int32		typmod;
		Oid			coll;

		get_atttypetypmodcoll(relid, cols[i], &type, &typmod, &coll);

		appendStringInfo(buf, "%sx.%s OPERATOR(pg_catalog.=) $%d",
						 i > 0 ? " AND " : "",
						 quote_identifier(get_attname(relid, cols[i], false)),
						 first + i);
		if (OidIsValid(coll))
			appendStringInfo(buf, " COLLATE %s", generate_collation_name(coll));
	}
}

static char *
qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * Run `query` (prepared once per backend) with `values` as the owner of
 * `owner_of`, as foreign keys do; return the number of rows processed.
 */
static Oid
owner_of_rel(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "flp: cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

static uint64
run(const char *query, int nargs, Oid *types, Datum *values, Oid owner_of)
{
	PlanEntry  *entry;
	bool		found;
	Oid			save_userid;
	int			save_sec_context;
	int			rc;
	uint64		processed;

	if (strlen(query) >= REF_QUERY_MAX)
		elog(ERROR, "flp: reference query too long");
	if (plans == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = REF_QUERY_MAX;
		ctl.entrysize = sizeof(PlanEntry);
		ctl.hcxt = TopMemoryContext;
		plans = hash_create("flp references", 32, &ctl,
							HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "flp: SPI_connect failed");
	entry = hash_search(plans, query, HASH_ENTER, &found);
	if (!found)
		entry->plan = NULL;
	if (entry->plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(query, nargs, types);

		if (plan == NULL)
			elog(ERROR, "flp: SPI_prepare failed for \"%s\": %s", query,
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		entry->plan = plan;
	}

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner_of_rel(owner_of),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	rc = SPI_execute_plan(entry->plan, values, NULL, false, 0);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if (rc < 0)
		elog(ERROR, "flp: reference query failed: %s", SPI_result_code_string(rc));
	processed = SPI_processed;
	SPI_finish();
	return processed;
}

static void
argument_types(Reference *ref, Oid *types)
{
	TupleDesc	desc = RelationGetDescr(ref->rel);
	int			i;

	for (i = 0; i < ref->ncols; i++)
		types[i] = TupleDescAttr(desc, ref->here[i] - 1)->atttypid;
}

/*
 * BEFORE INSERT OR UPDATE on a referencing table: the referenced row must
 * exist.
 */
Datum
flp_ref_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Reference	ref;
	HeapTuple	tuple;
	Datum		values[MAX_REF_COLUMNS];
	Oid			types[MAX_REF_COLUMNS];
	StringInfoData q;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BEFORE(td->tg_event) || TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"flp_internal.ref_check\" must be called as a BEFORE INSERT OR UPDATE row trigger")));

	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	if (RelationGetRelid(td->tg_relation) == bulk_load_target)
		return PointerGetDatum(tuple);

	reference_read(td, 0, true, &ref);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		!key_changed(&ref, td->tg_trigtuple, td->tg_newtuple))
		return PointerGetDatum(tuple);
	if (!reference_key(&ref, tuple, values))
		return PointerGetDatum(tuple);	/* MATCH SIMPLE: a NULL refers to nothing */

	argument_types(&ref, types);
	initStringInfo(&q);
	appendStringInfo(&q, "SELECT 1 FROM ONLY %s x WHERE ", qualified_name(ref.other));
	append_match(&q, ref.other, ref.there, ref.ncols, 1);
	appendStringInfoString(&q, " FOR KEY SHARE OF x");

	if (run(q.data, ref.ncols, types, values, ref.other) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
						RelationGetRelationName(ref.rel), ref.constraint),
				 errdetail("%s is not present in table \"%s\".",
						   key_text(&ref, values), get_rel_name(ref.other)),
				 errtableconstraint(ref.rel, ref.constraint)));
	return PointerGetDatum(tuple);
}

static void
refuse_still_referenced(Reference *ref, Datum *values)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
					RelationGetRelationName(ref->rel), ref->constraint,
					get_rel_name(ref->other)),
			 values != NULL ?
			 errdetail("%s is still referenced from table \"%s\".",
					   key_text(ref, values), get_rel_name(ref->other)) :
			 errdetail("Rows of table \"%s\" still refer to it.", get_rel_name(ref->other)),
			 errtableconstraint(ref->rel, ref->constraint)));
}

/*
 * TRUNCATE of a referenced table: every referencing row loses its row, and
 * is deleted (cascade) or refuses the TRUNCATE.
 */
static void
ref_truncated(Reference *ref, const char *action)
{
	StringInfoData q;
	int			i;

	initStringInfo(&q);
	if (strcmp(action, "cascade") == 0)
		appendStringInfo(&q, "DELETE FROM ONLY %s x WHERE ", qualified_name(ref->other));
	else
		appendStringInfo(&q, "SELECT 1 FROM ONLY %s x WHERE ", qualified_name(ref->other));
	for (i = 0; i < ref->ncols; i++)
		appendStringInfo(&q, "%sx.%s IS NOT NULL", i > 0 ? " AND " : "",
						 quote_identifier(get_attname(ref->other, ref->there[i], false)));
	if (run(q.data, 0, NULL, NULL, ref->other) > 0 &&
		strcmp(action, "cascade") != 0)
		refuse_still_referenced(ref, NULL);
}

/*
 * AFTER UPDATE OR DELETE (row) or TRUNCATE (statement) on a referenced
 * table: cascade to, or refuse because of, the rows that refer to it.
 */
Datum
flp_ref_action(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Reference	ref;
	const char *action;
	Datum		values[2 * MAX_REF_COLUMNS];
	Oid			types[2 * MAX_REF_COLUMNS];
	StringInfoData q;
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"flp_internal.ref_action\" must be called as an AFTER UPDATE, DELETE or TRUNCATE trigger")));

	reference_read(td, 2, true, &ref);
	action = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ?
		td->tg_trigger->tgargs[3] : td->tg_trigger->tgargs[2];
	initStringInfo(&q);

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		ref_truncated(&ref, action);
		return PointerGetDatum(NULL);
	}

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		!key_changed(&ref, td->tg_trigtuple, td->tg_newtuple))
		return PointerGetDatum(NULL);
	if (!reference_key(&ref, td->tg_trigtuple, values))
		return PointerGetDatum(NULL);
	argument_types(&ref, types);

	if (strcmp(action, "cascade") == 0 && TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		/* the referencing rows follow the new key: $1.. old, $n+1.. new */
		if (!reference_key(&ref, td->tg_newtuple, values + ref.ncols))
			elog(ERROR, "flp: a referenced key became NULL");
		memcpy(types + ref.ncols, types, ref.ncols * sizeof(Oid));
		appendStringInfo(&q, "UPDATE ONLY %s x SET ", qualified_name(ref.other));
		for (i = 0; i < ref.ncols; i++)
			appendStringInfo(&q, "%s%s = $%d", i > 0 ? ", " : "",
							 quote_identifier(get_attname(ref.other, ref.there[i], false)),
							 ref.ncols + i + 1);
		appendStringInfoString(&q, " WHERE ");
		append_match(&q, ref.other, ref.there, ref.ncols, 1);
		run(q.data, 2 * ref.ncols, types, values, ref.other);
	}
	else if (strcmp(action, "cascade") == 0)
	{
		appendStringInfo(&q, "DELETE FROM ONLY %s x WHERE ", qualified_name(ref.other));
		append_match(&q, ref.other, ref.there, ref.ncols, 1);
		run(q.data, ref.ncols, types, values, ref.other);
	}
	else
	{
		appendStringInfo(&q, "SELECT 1 FROM ONLY %s x WHERE ", qualified_name(ref.other));
		append_match(&q, ref.other, ref.there, ref.ncols, 1);
		appendStringInfoString(&q, " LIMIT 1");
		if (run(q.data, ref.ncols, types, values, ref.other) > 0)
			refuse_still_referenced(&ref, values);
	}
	return PointerGetDatum(NULL);
}
