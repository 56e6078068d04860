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
#include "utils/array.h"
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
 * activity counters (flp_is_counter_function), 0 otherwise.
 */
int
flp_refused_kind(Oid funcid)
{
	HeapTuple	tuple;
	int			kind = 0;

	if (flp_is_sequence_function(funcid))
		return REFUSED_SEQUENCE;
	if (flp_is_counter_function(funcid))
		return REFUSED_COUNTER;
	if (funcid < FirstGenbkiObjectId)
		return 0;
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
 * The built-in pg_stat_get_* functions that count no work of a query: they
 * describe sessions, replication, archiving and progress, or when counters
 * were reset.
 */
static const char *const session_functions[] = {
	"activity", "archiver", "progress_info", "recovery", "replication_slot",
	"snapshot_timestamp", "subscription", "wal_receiver", "wal_senders",
	"backend_activity", "backend_activity_start", "backend_client_addr",
	"backend_client_port", "backend_dbid", "backend_idset", "backend_pid",
	"backend_start", "backend_subxact", "backend_userid", "backend_wait_event",
	"backend_wait_event_type", "backend_xact_start",
};

static bool
is_session_function(const char *suffix)
{
	size_t		len = strlen(suffix);

	if (len >= 15 && strcmp(suffix + len - 15, "stat_reset_time") == 0)
		return true;
	for (int i = 0; i < (int) lengthof(session_functions); i++)
		if (strcmp(suffix, session_functions[i]) == 0)
			return true;
	return false;
}

/*
 * Other built-in functions that observe what a query did before row-level
 * security filtered its rows: the lock table (pg_locks: a serializable
 * scan's SIRead locks name every row and page it fetched), and below the
 * WAL positions (a first read after a checkpoint writes full-page images,
 * with data checksums on, of the pages it fetched).
 */
static const char *const observing_functions[] = {"pg_lock_status"};

/*
 * Does a built-in function give a WAL position: return pg_lsn, or a row
 * with a pg_lsn column, from no pg_lsn argument (pg_current_wal_lsn and its
 * siblings, pg_logical_emit_message, the replication slots' and senders'
 * positions, pg_control_checkpoint ...)?  Arithmetic on positions (a pg_lsn
 * argument), a type's input and a number's cast give none the caller did not
 * have.
 */
static bool
gives_wal_position(HeapTuple tuple)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);
	bool		isnull;
	Datum		all;
	bool		returns = proc->prorettype == PG_LSNOID;

	for (int i = 0; i < proc->pronargs; i++)
	{
		Oid			arg = proc->proargtypes.values[i];

		/* arithmetic on positions, a type's input (pg_lsn_in, _recv) */
		if (arg == PG_LSNOID || arg == CSTRINGOID || arg == INTERNALOID)
			return false;
	}
	/* the cast of a number (pg_lsn(numeric), 17+) */
	if (proc->pronargs == 1 && proc->proargtypes.values[0] == NUMERICOID)
		return false;
	all = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_proallargtypes, &isnull);
	if (!returns && !isnull)
	{
		Datum	   *types;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(all), OIDOID, sizeof(Oid), true, TYPALIGN_INT,
						  &types, NULL, &n);
		for (int i = 0; i < n && !returns; i++)
			returns = DatumGetObjectId(types[i]) == PG_LSNOID;
	}
	return returns;
}

/* Functions of extensions, by name: pg_stat_statements' and pgrowlocks. */
static const char *const extension_prefixes[] = {"pg_stat_statements", "pgrowlocks"};

/*
 * The activity counters: every built-in pg_stat_get_* function but those
 * above, the lock table and the WAL positions, and the functions of
 * pg_stat_statements and pgrowlocks.  They count or show the rows and
 * blocks queries read, locked, wrote or flushed before row-level security
 * filtered them -- per relation, index, function and database (behind
 * pg_stat_user_tables, pg_statio_*, pg_stat_xact_*, pg_stat_database), per
 * backend (pg_stat_get_backend_io and _wal, 18+), per server (pg_stat_io,
 * 16+; pg_stat_wal, pg_stat_bgwriter, the WAL position), per statement
 * (pg_stat_statements' shared_blks_hit), per row (pg_locks' SIRead locks;
 * pgrowlocks, which reads every row of a table below row-level security):
 * read around a query of its own, they tell a subject which or how many
 * rows outside its scope matched a condition, as EXPLAIN (ANALYZE,
 * BUFFERS) would.  A subject to whom flp's row rules apply may not call
 * them (super admins may).  PostgreSQL calls built-in functions without
 * asking the fmgr hooks, so the check is made when the query is planned.
 */
bool
flp_is_counter_function(Oid funcid)
{
	static char known[FirstGenbkiObjectId];	/* 0 unknown, 1 no, 2 yes */
	HeapTuple	tuple;
	bool		result = false;

	if (funcid < FirstGenbkiObjectId && known[funcid] != 0)
		return known[funcid] == 2;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (HeapTupleIsValid(tuple))
	{
		const char *name = NameStr(((Form_pg_proc) GETSTRUCT(tuple))->proname);

		if (funcid < FirstGenbkiObjectId)
		{
			result = strncmp(name, "pg_stat_get_", 12) == 0 && !is_session_function(name + 12);
			for (int i = 0; !result && i < (int) lengthof(observing_functions); i++)
				result = strcmp(name, observing_functions[i]) == 0;
			result = result || gives_wal_position(tuple);
		}
		else
			for (int i = 0; !result && i < (int) lengthof(extension_prefixes); i++)
				result = strncmp(name, extension_prefixes[i], strlen(extension_prefixes[i])) == 0;
		ReleaseSysCache(tuple);
	}
	if (funcid < FirstGenbkiObjectId)
		known[funcid] = result ? 2 : 1;
	return result;
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
