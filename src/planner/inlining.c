/*-------------------------------------------------------------------------
 *
 * inlining.c
 *	  Which SQL functions the planner must not inline into a rewritten query.
 *
 * The planner inlines LANGUAGE sql functions after flp has rewritten the
 * query, splicing their bodies in unchecked.  A function for which
 * needs_fmgr_hook answers true is never inlined: it stays a function call,
 * and its body is planned, through flp's planner hook, on its own.  That is
 * asked for every set-returning SQL function, and for scalar ones whose
 * body calls what flp refuses (sequences.c); other scalar SQL functions are
 * inlined only when their body reads no table, with arguments already
 * masked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

/* The question, asked once per function until pg_proc changes. */
static bool
function_call_kept(Oid fn_oid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	bool		kept = false;

	if (HeapTupleIsValid(tuple))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

		kept = proc->prolang == SQLlanguageId &&
			(proc->proretset || flp_sql_function_calls_refused(tuple));
		ReleaseSysCache(tuple);
	}
	return kept;
}

static FlpOidMemo kept_calls = {"flp sql functions", function_call_kept};

/* Must the function stay a call (not be inlined)? */
bool
flp_keep_function_call(Oid fn_oid)
{
	if (flp_catalog() == NULL)
		return false;
	return flp_oid_memo_answer(&kept_calls, fn_oid);
}

/* Register the invalidation of the answers; from _PG_init. */
void
flp_inlining_init(void)
{
	flp_oid_memo_register(&kept_calls, PROCOID);
}
