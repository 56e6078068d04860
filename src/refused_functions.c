/*-------------------------------------------------------------------------
 *
 * refused_functions.c
 *	  Functions refused to subjects, however a query reaches them.
 *
 * Two kinds of built-in functions tell what a subject must not learn: the
 * sequence functions (of a sequence that fills a hidden field, sequences.c)
 * and the activity counters (explain.c).  A query reaches them by calling
 * them, through an operator whose function they are, or as a support
 * function of a user's aggregate; this file classifies a function for all
 * three ways.  A fourth way is a parameter's default: the planner (and
 * CALL) adds the defaults a call leaves out after flp has looked at the
 * query, so flp's walks look at them with the call (flp_omitted_defaults).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/syscache.h"

#include "flp.h"

/* The functions that read or move a sequence. */
bool
flp_is_sequence_function(Oid funcid)
{
	return funcid == F_NEXTVAL || funcid == F_CURRVAL || funcid == F_SETVAL_REGCLASS_INT8 ||
		funcid == F_SETVAL_REGCLASS_INT8_BOOL || funcid == F_PG_SEQUENCE_LAST_VALUE ||
		funcid == F_LASTVAL;
}

/*
 * What flp may refuse of a function, however it is reached -- called, as an
 * operator's function, or as a support function of an aggregate:
 * REFUSED_SEQUENCE for the sequence functions, REFUSED_COUNTER for the
 * activity counters (pg_stat_get_*(oid)), 0 otherwise.
 */
int
flp_refused_kind(Oid funcid)
{
	HeapTuple	tuple;
	int			kind = 0;

	if (flp_is_sequence_function(funcid))
		return REFUSED_SEQUENCE;
	if (funcid < FirstGenbkiObjectId)
		return flp_is_counter_function(funcid) ? REFUSED_COUNTER : 0;
	/* a user's aggregate runs its support functions */
	tuple = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(funcid));
	if (HeapTupleIsValid(tuple))
	{
		Form_pg_aggregate agg = (Form_pg_aggregate) GETSTRUCT(tuple);
		Oid			support[] = {agg->aggtransfn, agg->aggfinalfn, agg->aggcombinefn,
			agg->aggserialfn, agg->aggdeserialfn, agg->aggmtransfn,
		agg->aggminvtransfn, agg->aggmfinalfn};

		for (int i = 0; i < (int) lengthof(support); i++)
			if (OidIsValid(support[i]) && support[i] != funcid)
				kind |= flp_refused_kind(support[i]);
		ReleaseSysCache(tuple);
	}
	return kind;
}


/*
 * The activity counters of relations, indexes, functions and databases
 * (pg_stat_get_*(oid), behind pg_stat_user_tables, pg_statio_*,
 * pg_stat_xact_* and pg_stat_database) count the rows and blocks a query
 * read before row-level security filtered them: read after a query of its
 * own, they tell a subject how many rows outside its scope matched a
 * condition, as EXPLAIN ANALYZE would.  A subject to whom flp's row rules
 * apply may not call them (super admins may).  PostgreSQL calls built-in
 * functions without asking the fmgr hooks, so the check is made when the
 * query is planned.
 */
bool
flp_is_counter_function(Oid funcid)
{
	static char known[FirstGenbkiObjectId];	/* 0 unknown, 1 no, 2 yes */

	if (funcid >= FirstGenbkiObjectId)
		return false;			/* not a built-in */
	if (known[funcid] == 0)
	{
		HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));

		known[funcid] = 1;
		if (HeapTupleIsValid(tuple))
		{
			Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

			if (strncmp(NameStr(proc->proname), "pg_stat_get_", 12) == 0 &&
				proc->pronargs == 1 && proc->proargtypes.values[0] == OIDOID)
				known[funcid] = 2;
			ReleaseSysCache(tuple);
		}
	}
	return known[funcid] == 2;
}

/*
 * The parameter defaults a call of funcid with nargs arguments may use (the
 * planner's expand_function_arguments, and CALL's, add them after flp has
 * looked at the query): all of the function's defaults when the call leaves
 * some argument out, as a List of analysed expressions; NIL otherwise.
 */
List *
flp_omitted_defaults(Oid funcid, int nargs)
{
	HeapTuple	tuple;
	List	   *defaults = NIL;

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tuple))
		return NIL;
	if (((Form_pg_proc) GETSTRUCT(tuple))->pronargdefaults > 0 &&
		nargs < ((Form_pg_proc) GETSTRUCT(tuple))->pronargs)
	{
		bool		isnull;
		Datum		d = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_proargdefaults, &isnull);

		if (!isnull)
			defaults = castNode(List, stringToNode(TextDatumGetCString(d)));
	}
	ReleaseSysCache(tuple);
	return defaults;
}
