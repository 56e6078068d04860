/*-------------------------------------------------------------------------
 *
 * mask_values.c
 *	  What a hidden value becomes: default masks and mask functions.
 *
 * The default mask of a string type is '****' (cut to a shorter declared
 * length), of any other type NULL: a constant, built once per session and type.
 * A field may have a mask function instead, used while it is trusted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * The default mask of a value of a type: '****' for string types (and
 * domains over them), cut to a shorter declared length; NULL otherwise.  A
 * constant, built once at plan time.
 */
typedef struct MaskKey
{
	Oid			type;
	int32		typmod;
	Oid			collation;
} MaskKey;

typedef struct MaskEntry
{
	MaskKey		key;
	Const	   *mask;
} MaskEntry;

static HTAB *mask_cache = NULL;

static Node *default_mask_build(Oid type, int32 typmod, Oid collation);

/* The entry found last: most queries mask columns of one or two types. */
static MaskEntry *last_mask = NULL;

/*
 * The default mask of a type, built once per session.  The result is the
 * caller's own copy (its value too: a type change frees the cached one).
 */
static Node *
default_mask(Oid type, int32 typmod, Oid collation)
{
	MaskKey		key;
	MaskEntry  *entry = last_mask;
	Const	   *result;
	bool		found;

	if (entry == NULL || entry->key.type != type || entry->key.typmod != typmod ||
		entry->key.collation != collation)
	{
		if (mask_cache == NULL)
			mask_cache = flp_hash_create("flp default masks", 32, sizeof(MaskKey),
										 sizeof(MaskEntry), CacheMemoryContext);
		memset(&key, 0, sizeof(key));
		key.type = type;
		key.typmod = typmod;
		key.collation = collation;
		entry = hash_search(mask_cache, &key, HASH_FIND, &found);
		if (!found)
		{
			Node	   *mask = default_mask_build(type, typmod, collation);
			MemoryContext old = MemoryContextSwitchTo(CacheMemoryContext);
			Const	   *copy = copyObject((Const *) mask);

			MemoryContextSwitchTo(old);
			entry = hash_search(mask_cache, &key, HASH_ENTER, &found);
			entry->mask = copy;
		}
		last_mask = entry;
	}
	result = palloc(sizeof(Const));
	*result = *entry->mask;
	if (!result->constisnull && !result->constbyval)
		result->constvalue = datumCopy(result->constvalue, false, result->constlen);
	return (Node *) result;
}

/* Types change (ALTER TYPE, ALTER DOMAIN): rebuild the masks. */
static void
mask_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	if (mask_cache)
	{
		HASH_SEQ_STATUS status;
		MaskEntry  *entry;

		hash_seq_init(&status, mask_cache);
		while ((entry = hash_seq_search(&status)) != NULL)
			pfree(entry->mask);
		hash_destroy(mask_cache);
		mask_cache = NULL;
		last_mask = NULL;
	}
}

static Node *
default_mask_build(Oid type, int32 typmod, Oid collation)
{
	int32		basetypmod = typmod;
	Oid			base = getBaseTypeAndTypmod(type, &basetypmod);
	char		category;
	bool		preferred;
	int16		typlen;
	bool		typbyval;

	get_type_category_preferred(base, &category, &preferred);
	if (category == TYPCATEGORY_STRING)
	{
		int			n = 4;
		Oid			typinput;
		Oid			typioparam;
		Datum		value;

		if (basetypmod >= (int32) VARHDRSZ && base != NAMEOID)
			n = Min(n, basetypmod - (int32) VARHDRSZ);
		n = Max(n, 1);
		getTypeInputInfo(base, &typinput, &typioparam);
		value = OidInputFunctionCall(typinput, pnstrdup("****", n), typioparam, basetypmod);
		get_typlenbyval(type, &typlen, &typbyval);
		return (Node *) makeConst(type, typmod, collation, typlen, value, false, typbyval);
	}
	return (Node *) makeNullConst(type, typmod, collation);
}

/*
 * The mask of a column, given a Var of it: a mask function, or the default.
 * A mask function that flp may no longer run on hidden values (its owner,
 * volatility or search_path changed since flp.set_mask; see trust.c) is
 * replaced by the default mask: flp.security_check() lists it.
 */
Node *
flp_mask_of(Var *var, Oid maskfn)
{
	HeapTuple	tuple;
	Form_pg_proc proc;
	Node	   *arg;
	Node	   *call;
	Oid			argtype;
	Oid			rettype;

	if (!OidIsValid(maskfn) || !flp_function_trusted(maskfn))
		return default_mask(var->vartype, var->vartypmod, var->varcollid);

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(maskfn));
	if (!HeapTupleIsValid(tuple))
		return default_mask(var->vartype, var->vartypmod, var->varcollid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	argtype = proc->proargtypes.values[0];
	rettype = proc->prorettype;
	ReleaseSysCache(tuple);

	arg = coerce_to_target_type(NULL, (Node *) copyObject(var), var->vartype,
								argtype, -1, COERCION_EXPLICIT,
								COERCE_IMPLICIT_CAST, -1);
	if (arg == NULL)
		return default_mask(var->vartype, var->vartypmod, var->varcollid);
	call = (Node *) makeFuncExpr(maskfn, rettype, list_make1(arg),
								 OidIsValid(get_typcollation(rettype)) ? var->varcollid : InvalidOid,
								 var->varcollid, COERCE_EXPLICIT_CALL);
	call = coerce_to_target_type(NULL, call, rettype, var->vartype, var->vartypmod,
								 COERCION_EXPLICIT, COERCE_IMPLICIT_CAST, -1);
	if (call == NULL)
		return default_mask(var->vartype, var->vartypmod, var->varcollid);
	return call;
}

/*
 * The value of one column of a governed relation as the role may see it (rp
 * NULL: as it is), in a Var like like (if given) but for its column.
 */
Node *
flp_column_for_role(RelPerms *rp, const Var *like, Index varno, AttrNumber att,
					Index levelsup, Form_pg_attribute a)
{
	Var		   *var;

	if (a->attisdropped)
		return (Node *) makeNullConst(INT4OID, -1, InvalidOid);
	var = makeVar(varno, att, a->atttypid, a->atttypmod, a->attcollation, levelsup);
	if (like != NULL)
		flp_var_like(var, like);
	if (rp == NULL || flp_perm_of(rp, att) != FLP_HIDE)
		return (Node *) var;
	return flp_mask_of(var, rp->p.mask[att]);
}

/* Register the invalidation of the default masks; from _PG_init. */
void
flp_mask_values_init(void)
{
	CacheRegisterSyscacheCallback(TYPEOID, mask_cache_reset, (Datum) 0);
}
