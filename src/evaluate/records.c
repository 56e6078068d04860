/*-------------------------------------------------------------------------
 *
 * records.c
 *	  Record-level scoping of partner users: which rows of a scoped table a
 *	  partner user may see, answered per row for flp's RLS policies.
 *
 * flp.partner_scope() gives a table a restrictive policy
 *	   USING (NOT flp.is_partner_user() OR flp.record_visible(<table>, key::text))
 * The planner folds flp.is_partner_user() into a constant (planner/policies.c), so
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

#include "common/hashfn.h"
#include "miscadmin.h"

#include "flp.h"


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
bool
flp_record_key_visible(Oid tbl, const char *key)
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
