/*-------------------------------------------------------------------------
 *
 * published.c
 *	  The published report views (flp.published_view): which views are
 *	  published, and whether each is still the view that was published.
 *
 * Publishing approves one definition by one owner.  A published view stays
 * the one published while its owner's name and its definition -- as
 * pg_get_viewdef writes it with every name qualified (flp_view_definition) --
 * are those kept when it was published.  The table is read whole and kept
 * until the next change of flp's catalog; the comparison of a view is kept
 * until an invalidation of the view's relcache entry, which CREATE OR
 * REPLACE VIEW, ALTER VIEW and a change of owner all send.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"


/* A published view, and what the last comparison found. */
typedef struct PublishedEntry
{
	Oid			viewid;			/* hash key */
	char	   *owner;			/* when published */
	char	   *definition;		/* likewise */
	bool		compared;		/* change is known */
	char	   *change;			/* why it is no longer the view published, or NULL */
} PublishedEntry;

static FlpCache published_cache = {"flp published views"};
static HTAB *published = NULL;

/*
 * A view's definition as publishing compares it: pg_get_viewdef while the
 * search_path is pg_catalog alone, so that every other name is qualified and
 * the text does not depend on the caller's path.
 */
char *
flp_view_definition(Oid viewid)
{
	int			nestlevel = NewGUCNestLevel();
	Datum		def;

	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	def = DirectFunctionCall1(pg_get_viewdef, ObjectIdGetDatum(viewid));
	AtEOXact_GUC(true, nestlevel);
	return TextDatumGetCString(def);
}

/* The name of a relation's owner, or NULL when the relation is gone. */
static char *
relation_owner_name(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		return NULL;
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return GetUserNameFromId(owner, true);
}

/* Forget the comparisons of a view whose relcache entry was invalidated. */
static void
published_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	PublishedEntry *entry;

	if (published == NULL || !flp_cache_valid(&published_cache))
		return;
	if (OidIsValid(relid))
	{
		if ((entry = hash_search(published, &relid, HASH_FIND, NULL)) != NULL)
			entry->compared = false;
		return;
	}
	hash_seq_init(&seq, published);
	while ((entry = hash_seq_search(&seq)) != NULL)
		entry->compared = false;
}

/* Register the invalidation callback; from _PG_init. */
void
flp_published_init(void)
{
	CacheRegisterRelcacheCallback(published_relcache_callback, (Datum) 0);
}

/* Read flp.published_view into the cache (its context is current). */
static void
published_read(const FlpCatalog *c)
{
	CatalogScan cs;
	HeapTuple	tuple;

	published = flp_hash_create("flp published views", 16, sizeof(Oid),
								sizeof(PublishedEntry), published_cache.context);
	if (!OidIsValid(c->published_view))
		return;					/* an upgrade in progress: nothing published */
	flp_scan_begin(&cs, c->published_view, InvalidOid, 0, NULL);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		Oid			viewid = flp_column_oid(&cs, tuple, Anum_published_view_view);
		PublishedEntry *entry = hash_search(published, &viewid, HASH_ENTER, NULL);

		entry->owner = flp_column_name(&cs, tuple, Anum_published_view_owner);
		entry->definition = flp_column_text(&cs, tuple, Anum_published_view_definition);
		entry->compared = false;
		entry->change = NULL;
	}
	flp_scan_end(&cs);
}

/* The entry of a published view, or NULL when it is not published. */
static PublishedEntry *
published_entry(Oid viewid)
{
	const FlpCatalog *c = flp_catalog();

	if (c == NULL)
		return NULL;
	if (flp_cache_refresh(&published_cache) || published == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(published_cache.context);

		published_read(c);
		MemoryContextSwitchTo(old);
	}
	return hash_search(published, &viewid, HASH_FIND, NULL);
}

/* Compare a published view with what was published. */
static void
published_compare(PublishedEntry *entry)
{
	char	   *owner = relation_owner_name(entry->viewid);
	char	   *change = NULL;

	/* first: an invalidation arriving meanwhile makes the next call compare again */
	entry->compared = true;
	if (owner == NULL)
		change = "the view is gone";
	else if (strcmp(owner, entry->owner) != 0)
		change = psprintf("its owner changed from \"%s\" to \"%s\" since it was published",
						  entry->owner, owner);
	else if (strcmp(flp_view_definition(entry->viewid), entry->definition) != 0)
		change = "its definition changed since it was published";
	entry->change = change ? MemoryContextStrdup(published_cache.context, change) : NULL;
}

/*
 * Is the view published?  *change is set to why it is no longer the view
 * that was published (its owner or definition changed), or to NULL.
 */
bool
flp_view_published(Oid viewid, const char **change)
{
	PublishedEntry *entry = published_entry(viewid);

	*change = NULL;
	if (entry == NULL)
		return false;
	if (!entry->compared)
		published_compare(entry);
	*change = entry->change;
	return true;
}
