/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  Scanning flp's catalog tables: index scans with their own snapshot
 *	  (never SPI, so that the planner is not re-entered), scan keys and
 *	  column accessors, the one "resolution in progress" state (one snapshot
 *	  for all reads of a resolution), and small system-catalog helpers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_collation.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"


/* The number of attributes of a relation (dropped ones included). */
int
flp_relnatts(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	int			natts;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	natts = ((Form_pg_class) GETSTRUCT(tuple))->relnatts;
	ReleaseSysCache(tuple);
	return natts;
}

/* The owner of a relation, or InvalidOid when it is gone. */
Oid
flp_relation_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/* The attribute number of a live column, or InvalidAttrNumber. */
AttrNumber
flp_attnum(Oid relid, const char *field)
{
	AttrNumber	attnum = get_attnum(relid, field);

	return attnum > 0 ? attnum : InvalidAttrNumber;
}

/* The name of a live (not dropped) column, or NULL. */
char *
flp_attname(Oid relid, AttrNumber attnum)
{
	HeapTuple	tuple;
	char	   *result = NULL;

	tuple = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (HeapTupleIsValid(tuple))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tuple);

		if (!att->attisdropped)
			result = pstrdup(NameStr(att->attname));
		ReleaseSysCache(tuple);
	}
	return result;
}

/* ---------------------------------------------------------------------
 * Scanning helpers
 * ---------------------------------------------------------------------
 */

/*
 * The snapshot of reads of flp's catalog.  The latest snapshot is used
 * rather than the transaction's: a permission
 * change committed by another session must hold from the next statement on,
 * also in REPEATABLE READ transactions, as for PostgreSQL's own catalogs.
 */
Snapshot
flp_catalog_snapshot(void)
{
	/* a parallel operation cannot take a new snapshot: use the statement's */
	if (IsInParallelMode())
		return GetActiveSnapshot() ? GetActiveSnapshot() : GetTransactionSnapshot();
	return GetLatestSnapshot();
}

/*
 * The one "resolution in progress" state of flp.  While the evaluator
 * resolves a permission, every catalog read uses one snapshot (taking a new
 * one per scan costs more than the scans), and the evaluator keeps its
 * caches (see flp_resolving).  Resolutions nest: a partition's resolves its
 * root's.
 */
static Snapshot resolution_snapshot = NULL;
static int	resolution_depth = 0;

void
flp_begin_resolution(void)
{
	if (resolution_depth++ == 0)
		resolution_snapshot = RegisterSnapshot(flp_catalog_snapshot());
}

void
flp_end_resolution(void)
{
	if (--resolution_depth == 0)
	{
		UnregisterSnapshot(resolution_snapshot);
		resolution_snapshot = NULL;
	}
}

/* Is a resolution in progress (between begin and end, at any depth)? */
bool
flp_resolving(void)
{
	return resolution_depth > 0;
}

/*
 * (Sub)transaction abort: a resolution interrupted by an error is over (the
 * resource owner releases its snapshot).
 */
static void
abort_resolution(void)
{
	resolution_depth = 0;
	resolution_snapshot = NULL;
}

static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		abort_resolution();
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		abort_resolution();
}

/* Register the (sub)transaction callbacks that end resolutions on abort. */
void
flp_resolution_init(void)
{
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}

/*
 * Begin a scan of relid through index indexid (InvalidOid: a heap scan).
 *
 * The scan itself runs with SnapshotAny, and flp_scan_next keeps the
 * tuples visible to the MVCC snapshot: the same rows as an MVCC scan, but
 * without the predicate locks an MVCC scan takes in a SERIALIZABLE
 * transaction.  flp's tables are user tables to PostgreSQL, and a predicate
 * lock on them would make an unrelated serializable transaction that merely
 * planned a query fail with a serialization failure whenever an admin
 * changes a rule; PostgreSQL's own catalogs are exempt from predicate
 * locking for the same reason (PredicateLockingNeededForRelation).
 */
void
flp_scan_begin(CatalogScan *cs, Oid relid, Oid indexid, int nkeys, ScanKey keys)
{
	cs->rel = table_open(relid, AccessShareLock);
	cs->snapshot = RegisterSnapshot(resolution_snapshot ? resolution_snapshot :
									flp_catalog_snapshot());
	cs->scan = systable_beginscan(cs->rel, indexid, OidIsValid(indexid),
								  SnapshotAny, nkeys, keys);
}

/* The next tuple of the scan visible to its snapshot, or NULL. */
HeapTuple
flp_scan_next(CatalogScan *cs)
{
	HeapTuple	tuple;

	while (HeapTupleIsValid(tuple = systable_getnext(cs->scan)))
		if (table_tuple_satisfies_snapshot(cs->rel, cs->scan->slot, cs->snapshot))
			return tuple;
	return NULL;
}

void
flp_scan_end(CatalogScan *cs)
{
	systable_endscan(cs->scan);
	UnregisterSnapshot(cs->snapshot);
	table_close(cs->rel, AccessShareLock);
}

/* Scan keys: equality on an OID, a name, or a "C"-collated text. */
void
flp_key_oid(ScanKey key, AttrNumber attno, Oid value)
{
	ScanKeyInit(key, attno, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(value));
}

void
flp_key_text(ScanKey key, AttrNumber attno, const char *value)
{
	ScanKeyEntryInitialize(key, 0, attno, BTEqualStrategyNumber, InvalidOid,
						   C_COLLATION_OID, F_TEXTEQ,
						   CStringGetTextDatum(value));
}

/* Column accessors; catalog columns are NOT NULL unless noted. */
Datum
flp_column(CatalogScan *cs, HeapTuple tuple, AttrNumber attno, bool *isnull)
{
	/* a column an older version's catalog lacks (before ALTER EXTENSION UPDATE) */
	if (attno > RelationGetDescr(cs->rel)->natts)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return heap_getattr(tuple, attno, RelationGetDescr(cs->rel), isnull);
}

/* The value of a column; false when it is NULL. */
static bool
column_value(CatalogScan *cs, HeapTuple tuple, AttrNumber attno, Datum *value)
{
	bool		isnull;

	*value = flp_column(cs, tuple, attno, &isnull);
	return !isnull;
}

/* A column as an OID (InvalidOid when NULL), a C string or a Jsonb (NULL when NULL). */
Oid
flp_column_oid(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	Datum		d;

	return column_value(cs, tuple, attno, &d) ? DatumGetObjectId(d) : InvalidOid;
}

char *
flp_column_text(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	Datum		d;

	return column_value(cs, tuple, attno, &d) ? TextDatumGetCString(d) : NULL;
}

char *
flp_column_name(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	Datum		d;

	return column_value(cs, tuple, attno, &d) ? pstrdup(NameStr(*DatumGetName(d))) : NULL;
}

Jsonb *
flp_column_jsonb(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	Datum		d;

	return column_value(cs, tuple, attno, &d) ? DatumGetJsonbPCopy(d) : NULL;
}

/* A hash table with blob keys in a memory context of flp's caches. */
HTAB *
flp_hash_create(const char *name, long nelem, Size keysize, Size entrysize,
				MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = cxt;
	return hash_create(name, nelem, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * A per-session memo of a yes-or-no question about objects by OID (is this
 * function trusted, must it stay a call), emptied whenever a syscache it is
 * registered with changes: the question is asked again then.
 */
typedef struct OidAnswer
{
	Oid			oid;			/* hash key */
	bool		answer;
} OidAnswer;

bool
flp_oid_memo_answer(FlpOidMemo *memo, Oid oid)
{
	OidAnswer  *entry;
	bool		answer;

	if (memo->answers != NULL &&
		(entry = hash_search(memo->answers, &oid, HASH_FIND, NULL)) != NULL)
		return entry->answer;

	/*
	 * Ask first, then enter: the question may read catalogs, take locks and
	 * so empty the memo (oid_memo_forget); a question that fails leaves no
	 * entry behind.
	 */
	answer = memo->question(oid);
	if (memo->answers == NULL)
		memo->answers = flp_hash_create(memo->name, 32, sizeof(Oid), sizeof(OidAnswer),
										CacheMemoryContext);
	entry = hash_search(memo->answers, &oid, HASH_ENTER, NULL);
	entry->answer = answer;
	return answer;
}

static void
oid_memo_forget(Datum arg, int cacheid, uint32 hashvalue)
{
	FlpOidMemo *memo = (FlpOidMemo *) DatumGetPointer(arg);

	if (memo->answers != NULL)
	{
		hash_destroy(memo->answers);
		memo->answers = NULL;
	}
}

/* Forget the memo's answers when syscache cacheid changes; from _PG_init. */
void
flp_oid_memo_register(FlpOidMemo *memo, int cacheid)
{
	CacheRegisterSyscacheCallback(cacheid, oid_memo_forget, PointerGetDatum(memo));
}
