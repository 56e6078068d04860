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
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

typedef struct FmgrEntry
{
	Oid			fn_oid;
	bool		needed;
} FmgrEntry;

/* Answers by function, until pg_proc changes. */
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

/* Must the function stay a call (not be inlined)? */
bool
flp_keep_function_call(Oid fn_oid)
{
	FmgrEntry  *entry;
	bool		found;

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

/* Register the invalidation of the answers; from _PG_init. */
void
flp_inlining_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, fmgr_cache_reset, (Datum) 0);
}
