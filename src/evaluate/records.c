/*-------------------------------------------------------------------------
 *
 * records.c
 *	  Record-level scoping of partner users: which rows of a scoped table a
 *	  partner user may see, answered per row for flp's RLS policies.
 *
 * flp.partner_scope() gives a table a restrictive policy
 *	   USING (NOT flp.is_partner_user() OR flp.record_visible(<table>, key::text))
 * The planner folds flp.is_partner_user() into a constant (rewrite.c), so
 * internal users pay nothing; for a partner user, flp.record_visible() is a
 * probe of a per-session hash set of the record keys assigned to its partner
 * or to itself, loaded once per (role, table) with an index scan of
 * flp.record_assignment.  The set never scans the assignment list per row.
 *
 * Every change of flp.record_assignment fires a statement trigger that sends
 * a relcache invalidation of the table at commit: every session (and hot
 * standbys) reloads the sets before its next statement; a rolled-back change
 * is never seen.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "flp.h"

PG_FUNCTION_INFO_V1(flp_record_visible);
PG_FUNCTION_INFO_V1(flp_record_visible_key);
PG_FUNCTION_INFO_V1(flp_assignments_changed);

/* The keys visible to one role in one table. */
typedef struct ScopeKey
{
	Oid			roleid;
	Oid			tbl;
} ScopeKey;

typedef struct ScopeSet
{
	ScopeKey	key;			/* hash key */
	HTAB	   *keys;			/* set of char * */
} ScopeSet;

typedef struct KeyEntry
{
	char	   *key;			/* hash key (points into record_cache.context) */
} KeyEntry;

static FlpCache record_cache = {"flp record scopes", true};
static HTAB *scope_sets = NULL;

/* the last set used, for the per-row fast path */
static ScopeSet *last_set = NULL;

/* Hash and compare the C strings the key sets hold. */
static uint32
key_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
key_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

/* Start afresh when the catalog or the assignments changed. */
static void
scope_prepare(void)
{
	if (!flp_cache_refresh(&record_cache))
		return;
	scope_sets = flp_hash_create("flp record scopes", 16, sizeof(ScopeKey),
								 sizeof(ScopeSet), record_cache.context);
	last_set = NULL;
}

/*
 * Load the keys of tbl assigned to partner, or to roleid within it, into a
 * set of the record cache.
 */
static HTAB *
load_keys(Oid roleid, Oid tbl, const char *partner)
{
	HASHCTL		ctl;
	HTAB	   *keys;
	ListCell   *lc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(KeyEntry);
	ctl.hash = key_hash;
	ctl.match = key_match;
	ctl.hcxt = record_cache.context;
	keys = hash_create("flp record keys", 256, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	foreach(lc, flp_read_record_keys(tbl, partner, roleid))
	{
		char	   *key = MemoryContextStrdup(record_cache.context, lfirst(lc));
		bool		found;

		(void) hash_search(keys, &key, HASH_ENTER, &found);
	}
	return keys;
}

/*
 * Whether the current user may see the record of table tbl with this key:
 * true for everyone but partner users (the policy asks only for them); for a
 * partner user, whether the key is assigned to its partner or to itself.
 */
static bool
record_key_visible(Oid tbl, const char *key)
{
	Oid			roleid = GetUserId();
	ScopeKey	sk;
	ScopeSet   *set;
	bool		found;

	if (last_set == NULL || last_set->key.roleid != roleid || last_set->key.tbl != tbl ||
		!flp_cache_valid(&record_cache))
	{
		const char *partner = flp_role_partner(roleid);

		if (partner == NULL)
			return true;
		scope_prepare();
		sk.roleid = roleid;
		sk.tbl = tbl;
		set = hash_search(scope_sets, &sk, HASH_FIND, &found);
		if (!found)
		{
			/* load first: an error must not leave a half-made entry behind */
			HTAB	   *keys = load_keys(roleid, tbl, partner);

			set = hash_search(scope_sets, &sk, HASH_ENTER, &found);
			set->keys = keys;
		}
		last_set = set;
	}
	(void) hash_search(last_set->keys, &key, HASH_FIND, &found);
	return found;
}

/* flp.record_visible(tbl regclass, record_key text): see record_key_visible. */
Datum
flp_record_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(record_key_visible(PG_GETARG_OID(0),
									  text_to_cstring(PG_GETARG_TEXT_PP(1))));
}

/* How flp._record_visible_key turns the key of one call site into text. */
typedef struct KeyOutput
{
	Oid			type;
	FmgrInfo	output;			/* unless an integer type */
} KeyOutput;

/*
 * flp._record_visible_key(tbl regclass, record_key anyelement): the same as
 * flp.record_visible(tbl, record_key::text) where that cast is an I/O
 * conversion, which the planner hook puts in its place (rewrite.c).  The
 * key becomes text through its type's output function, as the cast does;
 * integers are written without a function call and without allocating.
 */
Datum
flp_record_visible_key(PG_FUNCTION_ARGS)
{
	KeyOutput  *out = (KeyOutput *) fcinfo->flinfo->fn_extra;
	char		buf[MAXINT8LEN + 1];
	const char *key;

	if (out == NULL)
	{
		Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);

		if (!OidIsValid(type))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("could not determine the type of the record key"),
					 errdetail("flp._record_visible_key takes its key's type from the call."),
					 errhint("Call flp.record_visible(tbl, key::text) instead.")));
		out = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KeyOutput));
		out->type = type;
		if (type != INT2OID && type != INT4OID && type != INT8OID)
		{
			Oid			typoutput;
			bool		isvarlena;

			getTypeOutputInfo(type, &typoutput, &isvarlena);
			fmgr_info_cxt(typoutput, &out->output, fcinfo->flinfo->fn_mcxt);
		}
		fcinfo->flinfo->fn_extra = out;
	}
	switch (out->type)
	{
		case INT2OID:
			pg_itoa(PG_GETARG_INT16(1), buf);
			key = buf;
			break;
		case INT4OID:
			pg_ltoa(PG_GETARG_INT32(1), buf);
			key = buf;
			break;
		case INT8OID:
			pg_lltoa(PG_GETARG_INT64(1), buf);
			key = buf;
			break;
		default:
			key = OutputFunctionCall(&out->output, PG_GETARG_DATUM(1));
			break;
	}
	PG_RETURN_BOOL(record_key_visible(PG_GETARG_OID(0), key));
}

/*
 * Statement trigger on flp.record_assignment: at commit, every session
 * reloads its record scopes.
 */
Datum
flp_assignments_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"flp._assignments_changed\" must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	PG_RETURN_POINTER(NULL);
}
