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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_rewrite.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"


/* A published view, and what the last comparison found. */
typedef struct PublishedEntry
{
	Oid			viewid;			/* hash key */
	char	   *owner;			/* when published */
	char	   *definition;		/* likewise */
	List	   *views;			/* the views the last comparison covered */
	bool		compared;		/* change is known */
	char	   *change;			/* why it is no longer the view published, or NULL */
} PublishedEntry;

static FlpCache published_cache = {"flp published views"};
static HTAB *published = NULL;

/* One view's own text: its definition and options, pg_catalog the only path. */
static void
append_view_text(StringInfo buf, Oid viewid)
{
	int			nestlevel = NewGUCNestLevel();
	HeapTuple	tuple;
	Datum		options;
	bool		isnull;

	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	appendStringInfoString(buf, TextDatumGetCString(DirectFunctionCall1(pg_get_viewdef,
																	   ObjectIdGetDatum(viewid))));
	AtEOXact_GUC(true, nestlevel);
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(viewid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "flp: cache lookup failed for relation %u", viewid);
	options = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_reloptions, &isnull);
	if (!isnull)
	{
		Datum	   *items;
		int			nitems;

		deconstruct_array(DatumGetArrayTypeP(options), TEXTOID, -1, false, TYPALIGN_INT,
						  &items, NULL, &nitems);
		appendStringInfoString(buf, "\nWITH");
		for (int i = 0; i < nitems; i++)
			appendStringInfo(buf, " %s", TextDatumGetCString(items[i]));
	}
	ReleaseSysCache(tuple);
}

/* The views a view's rule reads (pg_depend), each once. */
static List *
views_read(Oid viewid, List *seen)
{
	Relation	view = relation_open(viewid, AccessShareLock);
	Relation	depend;
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *result = NIL;

	for (int i = 0; view->rd_rules != NULL && i < view->rd_rules->numLocks; i++)
	{
		depend = table_open(DependRelationId, AccessShareLock);
		ScanKeyInit(&keys[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(RewriteRelationId));
		ScanKeyInit(&keys[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(view->rd_rules->rules[i]->ruleId));
		scan = systable_beginscan(depend, DependDependerIndexId, true, NULL, 2, keys);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

			if (dep->refclassid == RelationRelationId && dep->refobjid != viewid &&
				get_rel_relkind(dep->refobjid) == RELKIND_VIEW &&
				!list_member_oid(seen, dep->refobjid) && !list_member_oid(result, dep->refobjid))
				result = lappend_oid(result, dep->refobjid);
		}
		systable_endscan(scan);
		table_close(depend, AccessShareLock);
	}
	relation_close(view, AccessShareLock);
	return result;
}

static int
name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * A view's definition as publishing compares it: its own text (pg_get_viewdef
 * while the search_path is pg_catalog alone, so that every other name is
 * qualified and the text does not depend on the caller's path, and its
 * options), then each view it reads, at any depth, by qualified name.  *views
 * is set to the OIDs of every view it covers.
 */
char *
flp_view_definition_of(Oid viewid, List **views)
{
	StringInfoData buf;
	List	   *seen = list_make1_oid(viewid);
	List	   *named = NIL;
	ListCell   *lc;

	initStringInfo(&buf);
	append_view_text(&buf, viewid);
	/* breadth first: seen grows while it is walked */
	for (int i = 0; i < list_length(seen); i++)
		seen = list_concat(seen, views_read(list_nth_oid(seen, i), seen));
	for_each_from(lc, seen, 1)
		named = lappend(named, psprintf("%s\t%u", quote_qualified_identifier(
											get_namespace_name(get_rel_namespace(lfirst_oid(lc))),
											get_rel_name(lfirst_oid(lc))), lfirst_oid(lc)));
	list_sort(named, name_cmp);
	foreach(lc, named)
	{
		char	   *name = lfirst(lc);
		char	   *tab = strchr(name, '\t');

		*tab = '\0';
		appendStringInfo(&buf, "\n-- reads view %s:\n", name);
		append_view_text(&buf, (Oid) strtoul(tab + 1, NULL, 10));
	}
	if (views != NULL)
		*views = seen;
	return buf.data;
}

/* The same, for flp_internal.view_definition. */
char *
flp_view_definition(Oid viewid)
{
	return flp_view_definition_of(viewid, NULL);
}

/* The name of a relation's owner, or NULL when the relation is gone. */
static char *
relation_owner_name(Oid relid)
{
	Oid			owner = flp_relation_owner(relid);

	return OidIsValid(owner) ? GetUserNameFromId(owner, true) : NULL;
}

/* Forget the comparisons of a view whose relcache entry was invalidated. */
static void
published_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	PublishedEntry *entry;

	if (published == NULL || !flp_cache_valid(&published_cache))
		return;
	hash_seq_init(&seq, published);
	while ((entry = hash_seq_search(&seq)) != NULL)
		if (!OidIsValid(relid) || entry->viewid == relid || list_member_oid(entry->views, relid))
			entry->compared = false;
}

/* A role was renamed (or changed): compare owners' names again. */
static void
published_role_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	published_relcache_callback(arg, InvalidOid);
}

/* Register the invalidation callback; from _PG_init. */
void
flp_published_init(void)
{
	CacheRegisterRelcacheCallback(published_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, published_role_callback, (Datum) 0);
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
		entry->views = NIL;
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
	List	   *views = NIL;
	MemoryContext old;

	/* first: an invalidation arriving meanwhile makes the next call compare again */
	entry->compared = true;
	if (owner == NULL)
		change = "the view is gone";
	else if (strcmp(owner, entry->owner) != 0)
		change = psprintf("its owner changed from \"%s\" to \"%s\" since it was published",
						  entry->owner, owner);
	else if (strcmp(flp_view_definition_of(entry->viewid, &views), entry->definition) != 0)
		change = "its definition, its options or a view it reads changed since it was published";
	entry->change = change ? MemoryContextStrdup(published_cache.context, change) : NULL;
	old = MemoryContextSwitchTo(published_cache.context);
	list_free(entry->views);
	entry->views = list_copy(views);
	MemoryContextSwitchTo(old);
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
