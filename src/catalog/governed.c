/*-------------------------------------------------------------------------
 *
 * governed.c
 *	  The backend-local set of governed tables (with their partitions and
 *	  inheritance children), and which of flp's row rules exist.
 *
 * The set is rebuilt from flp.governed_table whenever the generation moved;
 * once built, asking whether a relation is governed is a hash probe: the
 * planner's fast path for the many queries that touch no governed table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/indexing.h"
#include "catalog/pg_policy.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"


/* The set of governed tables: relid -> default permission. */
typedef struct GovernedEntry
{
	Oid			relid;			/* a governed table, or a partition/child of one */
	Oid			root;			/* the governed table whose rules apply */
	FlpPermission default_permission;
	bool		mandatory_on_update;	/* the root's flp.set_mandatory_on_update */
	char		relkind;		/* of relid */
	bool		guarded;		/* row-level security on and forced (flp's guard) */
} GovernedEntry;

static MemoryContext GovernedContext = NULL;
static HTAB *governed = NULL;
static FlpCacheStamp governed_stamp;	/* of the set built last */
static bool governed_building = false;	/* governed_build() is at work */

/* The last answer of flp_is_governed (the planner asks several times in a row) */
static Oid	last_relid = InvalidOid;
static GovernedEntry *last_entry = NULL;
static void governed_build(void);

/*
 * The relation and every partition and child below it, those whose DETACH
 * PARTITION ... CONCURRENTLY is pending (interrupted) included: until it is
 * finalized such a partition is governed by its parent's rules.
 */
static List *
all_inheritors(Oid root)
{
	List	   *result = list_make1_oid(root);
	ListCell   *lc;

	foreach(lc, result)
		result = list_concat_unique_oid(result,
										find_inheritance_children_extended(lfirst_oid(lc), false,
																		   NoLock, NULL, NULL));
	return result;
}

/* Row-level security enabled and forced on a relation. */
static bool
rls_forced(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		result = false;

	if (HeapTupleIsValid(tuple))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);

		result = c->relrowsecurity && c->relforcerowsecurity;
		ReleaseSysCache(tuple);
	}
	return result;
}

/*
 * Relcache invalidation of a governed table (or partition/child of one): it
 * may have changed shape, so what depends on its shape is stale.  Checked
 * against the set built last, even a stale one: a table governed since came
 * with a change of flp's catalog (a new partition or child touches it too,
 * utility/partitions.c), which empties every cache anyway.  While the set is
 * being built, any relation may be one: "some table".
 */
static void
governed_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid))
		return;					/* everything: invalidation.c moves the generation */
	if (governed == NULL || governed_building)
		flp_cache_invalidate(InvalidOid);
	else if (hash_search(governed, &relid, HASH_FIND, NULL) != NULL)
		flp_cache_invalidate(relid);
}

/* Register the governed set's invalidation callback; from _PG_init. */
void
flp_governed_init(void)
{
	CacheRegisterRelcacheCallback(governed_relcache_callback, (Datum) 0);
}

/* ---------------------------------------------------------------------
 * The governed set
 * ---------------------------------------------------------------------
 */

/* flp's row rules of one relation (flp_row_rules_present). */
typedef struct RulesEntry
{
	Oid			relid;			/* hash key */
	int			rules;			/* FLP_RULES_* */
} RulesEntry;

static int	rules_present = 0;	/* what flp_row_rules_present found last */

/* An entry of the set for relid, governed by root's rules. */
static void
governed_set(GovernedEntry *entry, Oid root, FlpPermission default_permission,
			 bool mandatory_on_update)
{
	entry->root = root;
	entry->relkind = get_rel_relkind(entry->relid);
	entry->guarded = rls_forced(entry->relid);
	entry->default_permission = default_permission;
	entry->mandatory_on_update = mandatory_on_update;
}

/* Enter the tables of flp.governed_table into the set; returns them. */
static List *
governed_read_roots(const FlpCatalog *c)
{
	List	   *roots = NIL;
	CatalogScan cs;
	HeapTuple	tuple;

	flp_scan_begin(&cs, c->governed_table, InvalidOid, 0, NULL);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		Oid			relid = flp_column_oid(&cs, tuple, Anum_governed_table_tbl);
		GovernedEntry *entry = hash_search(governed, &relid, HASH_ENTER, NULL);
		bool		isnull;
		Datum		mandatory = flp_column(&cs, tuple, Anum_governed_table_mandatory_on_update,
										   &isnull);

		/* NULL: a 0.1.0 catalog, before ALTER EXTENSION flp UPDATE added the column */
		governed_set(entry, relid,
					 flp_permission_of(flp_column_oid(&cs, tuple,
													  Anum_governed_table_default_permission)),
					 !isnull && DatumGetBool(mandatory));
		roots = lappend_oid(roots, relid);
	}
	flp_scan_end(&cs);
	return roots;
}

/* Partitions and inheritance children follow their governed parent. */
static void
governed_add_children(List *roots)
{
	ListCell   *lc;

	foreach(lc, roots)
	{
		Oid			root = lfirst_oid(lc);
		GovernedEntry *parent = hash_search(governed, &root, HASH_FIND, NULL);
		FlpPermission def = parent->default_permission;
		bool		mandatory = parent->mandatory_on_update;
		ListCell   *lc2;

		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(root)))
			continue;
		foreach(lc2, all_inheritors(root))
		{
			Oid			child = lfirst_oid(lc2);
			bool		found;
			GovernedEntry *entry;

			entry = hash_search(governed, &child, HASH_ENTER, &found);
			if (!found)			/* else the root itself, or governed on its own */
				governed_set(entry, root, def, mandatory);
		}
	}
}

/*
 * (Re)build the set of governed tables from flp.governed_table.  Retried
 * while invalidations arrive during the scan, so that it is never built from
 * a catalog state older than the last message.
 */
static void
governed_build(void)
{
	const FlpCatalog *c;

	for (;;)
	{
		FlpCacheStamp stamp;

		c = flp_catalog();
		stamp = flp_cache_stamp(false);
		last_relid = InvalidOid;
		last_entry = NULL;

		if (GovernedContext == NULL)
			GovernedContext = AllocSetContextCreate(CacheMemoryContext,
													"flp governed tables",
													ALLOCSET_SMALL_SIZES);
		MemoryContextReset(GovernedContext);
		governed = NULL;

		governed = flp_hash_create("flp governed tables", 64, sizeof(Oid),
								   sizeof(GovernedEntry), GovernedContext);

		governed_building = true;
		PG_TRY();
		{
			if (c != NULL)
				governed_add_children(governed_read_roots(c));
		}
		PG_FINALLY();
		{
			governed_building = false;
		}
		PG_END_TRY();

		if (flp_cache_stamp_valid(&stamp))
		{
			governed_stamp = stamp;
			return;
		}
	}
}

/*
 * After relcache invalidations of governed tables alone (flp's catalog
 * unchanged), what the set knows of those tables is read again; the set's
 * members are the same: a table joins or leaves a governed tree only with a
 * change of flp's catalog (a new, attached or detached partition or child
 * touches it, utility/partitions.c; a dropped one leaves flp's catalog).
 * False when the whole set must be built again.
 */
static bool
governed_refresh(void)
{
	FlpCacheStamp catalog_part = governed_stamp;
	List	   *changed;
	ListCell   *lc;
	uint64		shapes = flp_shape_generation();

	catalog_part.catalog_only = true;
	if (governed == NULL || !flp_cache_stamp_unmoved(&catalog_part) ||
		!flp_shapes_changed_since(governed_stamp.shapes, &changed))
		return false;
	foreach(lc, changed)
	{
		Oid			relid = lfirst_oid(lc);
		GovernedEntry *entry = hash_search(governed, &relid, HASH_FIND, NULL);

		if (entry != NULL)
		{
			entry->relkind = get_rel_relkind(relid);
			entry->guarded = rls_forced(relid);
		}
	}
	/* read no invalidation since: the stamp holds unless one came meanwhile */
	if (flp_shape_generation() != shapes || !flp_cache_stamp_unmoved(&catalog_part))
		return false;
	governed_stamp.shapes = shapes;
	return true;
}

/*
 * The governed set, current as of the invalidations read so far.  It does
 * not depend on roles: pending role changes need not be settled to know
 * whether it holds (the planner asks at every relation).
 */
static void
governed_current(void)
{
	flp_read_invalidations();
	if (governed == NULL || !flp_cache_stamp_unmoved(&governed_stamp))
	{
		if (!governed_refresh())
			governed_build();
	}
}

static GovernedEntry *
governed_lookup(Oid relid)
{
	GovernedEntry *entry;

	governed_current();
	if (OidIsValid(last_relid) && relid == last_relid)
		entry = last_entry;
	else
	{
		entry = hash_search(governed, &relid, HASH_FIND, NULL);
		last_relid = relid;
		last_entry = entry;
	}
	return entry;
}

/*
 * Is relid a governed table, or a partition or child of one?  A hash probe
 * once the set is built: the planner's fast path for the many queries that
 * touch no governed table.
 */
bool
flp_is_governed(Oid relid, FlpPermission *default_permission)
{
	GovernedEntry *entry = governed_lookup(relid);

	if (entry == NULL)
		return false;
	if (default_permission)
		*default_permission = entry->default_permission;
	return true;
}

/*
 * Must a role that may not edit a mandatory field of relid (or of the
 * governed table it belongs to) be refused UPDATEs of it?
 */
bool
flp_mandatory_on_update(Oid relid)
{
	GovernedEntry *entry = governed_lookup(relid);

	return entry != NULL && entry->mandatory_on_update;
}

/*
 * Is a governed relation guarded: row-level security enabled and forced, as
 * flp.protect leaves it?  A table governed by direct DML on flp's catalog,
 * say, is not, and PostgreSQL would then show its values in error details
 * and skip flp's row rules.
 */
bool
flp_governed_guarded(Oid relid)
{
	GovernedEntry *entry = governed_lookup(relid);

	return entry == NULL || entry->guarded;
}

/* The relkind of a governed table (or partition/child of one), or '\0'. */
char
flp_governed_relkind(Oid relid)
{
	GovernedEntry *entry = governed_lookup(relid);

	return entry ? entry->relkind : '\0';
}

/*
 * The governed table whose rules apply to relid: relid itself, the governed
 * ancestor of a partition or inheritance child, or InvalidOid.
 */
Oid
flp_governed_root(Oid relid)
{
	GovernedEntry *entry = governed_lookup(relid);

	return entry ? entry->root : InvalidOid;
}

/* The governed tables, and with all their partitions and children too. */
static List *
governed_list(bool all)
{
	List	   *result = NIL;
	HASH_SEQ_STATUS status;
	GovernedEntry *entry;

	governed_current();
	hash_seq_init(&status, governed);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (entry->root == entry->relid || all)
			result = lappend_oid(result, entry->relid);
	list_sort(result, list_oid_cmp);
	return result;
}

/*
 * Which of flp's row rules a policy of flp's is, by its name (flp's policy
 * names are reserved on governed tables): FLP_RULES_DATA for flp_data_*,
 * FLP_RULES_SCOPE for flp_scope and flp_link, 0 for any other.
 */
int
flp_policy_rule(const char *polname)
{
	if (strncmp(polname, "flp_data_", 9) == 0)
		return FLP_RULES_DATA;
	if (strcmp(polname, "flp_scope") == 0 || strcmp(polname, "flp_link") == 0)
		return FLP_RULES_SCOPE;
	return 0;
}

/* flp's row rules (FLP_RULES_*) among the policies of one relation. */
static int
relation_rules(Relation policies, Oid relid)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	int			rules = 0;

	ScanKeyInit(&key, Anum_pg_policy_polrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(policies, PolicyPolrelidPolnameIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		rules |= flp_policy_rule(NameStr(((Form_pg_policy) GETSTRUCT(tuple))->polname));
	systable_endscan(scan);
	return rules;
}

/*
 * Which of flp's row rules exist in the database (FLP_RULES_*), from
 * pg_policy.  Kept by relation: after relcache invalidations of governed
 * tables alone (a policy created or dropped invalidates its table), only
 * their policies are read again.
 */
int
flp_row_rules_present(void)
{
	static FlpCacheStamp rules_stamp;
	static HTAB *by_relation = NULL;	/* relid -> RulesEntry, rules != 0 */
	static MemoryContext rules_context = NULL;
	FlpCacheStamp stamp;
	FlpCacheStamp catalog_part = rules_stamp;
	Relation	rel;
	List	   *changed;
	ListCell   *lc;
	HASH_SEQ_STATUS status;
	RulesEntry *entry;
	int			rules = 0;

	if (by_relation != NULL && flp_cache_stamp_valid(&rules_stamp))
		return rules_present;
	stamp = flp_cache_stamp(false);
	catalog_part.catalog_only = true;
	rel = table_open(PolicyRelationId, AccessShareLock);
	if (by_relation != NULL && flp_cache_stamp_valid(&catalog_part) &&
		flp_shapes_changed_since(rules_stamp.shapes, &changed))
	{
		foreach(lc, changed)
		{
			Oid			relid = lfirst_oid(lc);
			int			found = relation_rules(rel, relid);

			if (found != 0)
				((RulesEntry *) hash_search(by_relation, &relid, HASH_ENTER, NULL))->rules = found;
			else
				(void) hash_search(by_relation, &relid, HASH_REMOVE, NULL);
		}
	}
	else
	{
		SysScanDesc scan;
		HeapTuple	tuple;

		if (rules_context == NULL)
			rules_context = AllocSetContextCreate(CacheMemoryContext, "flp row rules",
												  ALLOCSET_SMALL_SIZES);
		MemoryContextReset(rules_context);
		by_relation = flp_hash_create("flp row rules by relation", 64, sizeof(Oid),
									  sizeof(RulesEntry), rules_context);
		scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_policy pol = (Form_pg_policy) GETSTRUCT(tuple);
			int			found = flp_policy_rule(NameStr(pol->polname));

			if (found != 0)
				((RulesEntry *) hash_search(by_relation, &pol->polrelid, HASH_ENTER, NULL))->rules |= found;
		}
		systable_endscan(scan);
	}
	table_close(rel, AccessShareLock);
	hash_seq_init(&status, by_relation);
	while ((entry = hash_seq_search(&status)) != NULL)
		rules |= entry->rules;
	rules_present = rules;
	rules_stamp = stamp;
	return rules;
}

/* Does flp govern any table in this database? */
bool
flp_governs_any(void)
{
	governed_current();
	return hash_get_num_entries(governed) > 0;
}

/* Every governed table (not their children), ordered by OID. */
List *
flp_governed_tables(void)
{
	return governed_list(false);
}

/* Every governed table and each of their partitions and children. */
List *
flp_governed_relids(void)
{
	return governed_list(true);
}
