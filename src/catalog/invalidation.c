/*-------------------------------------------------------------------------
 *
 * invalidation.c
 *	  Knowing when flp's catalog, its roles or its governed tables changed:
 *	  the generation counters, PostgreSQL's invalidation callbacks that move
 *	  them, the one helper by which every cache of flp checks its validity,
 *	  and the triggers on flp's catalog that send the invalidations.
 *
 * flp's catalog is a set of ordinary tables in schema flp (catalog.c finds
 * them).  flp listens to PostgreSQL's invalidation machinery:
 *
 * - Every change of the catalog fires a statement trigger
 *   (flp_internal.catalog_changed) that sends a relcache invalidation of
 *   flp.governed_table, the "sentinel".  The message is transactional: other
 *   backends (and hot standbys, which replay it) see it after commit, never
 *   after a rollback; the changing backend sees it at its next command.
 * - A table that starts or stops being governed also gets a relcache
 *   invalidation of its own (flp_internal.governed_changed), so that plans of it
 *   are rebuilt; governed.c listens for those of governed tables.
 * - Changes of flp.record_assignment send a relcache invalidation of it
 *   (flp_internal.assignments_changed).
 * - Role changes (GRANT role, REVOKE role, ALTER ROLE, DROP ROLE) arrive as
 *   syscache invalidations of pg_auth_members and pg_authid; roles.c tells
 *   which of those of pg_authid matter.
 *
 * The generation counters of flp, and what moves them:
 *
 *	counter (file)			moved by
 *	----------------------	------------------------------------------------
 *	generation				invalidate_all(): relcache invalidation of the
 *	(invalidation.c)		sentinel or of everything (InvalidOid); any
 *							change of pg_auth_members; any change of
 *							pg_namespace; a change of what flp read of a
 *							tracked role (settle_roles); flp_flush_caches()
 *							(utility/partitions.c, for a new partition
 *							or child)
 *	shape_generation		flp_cache_invalidate(relid): relcache
 *	(invalidation.c)		invalidation of a governed table or a
 *							partition/child of one (governed.c) -- it may
 *							have changed shape (columns, defaults,
 *							partitions); the last SHAPE_RING such tables
 *							are remembered, so that a cache can drop only
 *							what depends on them (flp_shape_unchanged_since)
 *	policy_generation		relcache invalidation of the sentinel or of
 *	(invalidation.c)		everything; any change of pg_auth_members; a
 *							change of a tracked role.  Plans carry it
 *							(planner/marks.c) and are remade when it
 *							moved.
 *	record_generation		relcache invalidation of flp.record_assignment
 *	(invalidation.c)
 *	catalog_forgotten		flp_catalog_forget(), by every invalidate_all();
 *	(catalog.c)				the lookup of the catalog's OIDs is redone.
 *							(A relcache invalidation of a new relation in
 *							a database without flp's catalog also redoes
 *							it, without moving a counter.)
 *
 * Caches follow generation (and, with with_records, record_generation; and,
 * unless catalog_only, shape_generation) through FlpCacheStamp and FlpCache.
 * Catalog-only: the bundles and table permissions read whole (readers.c) and
 * the role cache (evaluate/roles.c); the permission cache (evaluate/
 * permission.c) is catalog-only too, but checks each entry against the
 * tables changed since it was computed.  The others, following shapes too: the governed set (governed.c), the
 * bundles and table permissions read whole (readers.c), flp's row rules in
 * pg_policy (governed.c), the permission and role caches (evaluate/), the
 * record scopes (evaluate/records.c), and outside this layer the fields that
 * sequences fill (sequences.c) and the per-role checks (planner/permissions.c).
 * Caches of PostgreSQL's own objects rather than of flp's catalog are
 * emptied by syscache callbacks instead: the default masks by type
 * (planner/mask_values.c, pg_type), the SQL functions kept from inlining
 * (planner/inlining.c, pg_proc) and the trusted functions (trust.c, pg_proc
 * and pg_authid).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_inherits.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"

PG_FUNCTION_INFO_V1(flp_catalog_changed);
PG_FUNCTION_INFO_V1(flp_governed_changed);
PG_FUNCTION_INFO_V1(flp_assignments_changed);

/* Moves whenever record assignments change (see the table above). */
static uint64 record_generation = 1;

/* Bumped by every invalidation that may change a permission. */
static uint64 generation = 1;

/*
 * Bumped by every relcache invalidation of a governed table (or of any
 * relation while the governed set is stale: InvalidOid in the ring, "some
 * table"); shape_ring[g % SHAPE_RING] is the table of bump g.
 */
#define SHAPE_RING 64
static uint64 shape_generation = 1;
static Oid	shape_ring[SHAPE_RING];

/*
 * Moves when what a plan of flp was made with may no longer hold: flp's
 * catalog changed, role memberships or attributes changed, or everything was
 * invalidated.  (Not when a governed table is merely analyzed or altered:
 * that is the plan cache's business, under the table's lock.)
 */
static uint64 policy_generation = 1;

/*
 * While true, invalidations were read moments ago (at the start of the
 * planner hook, which sets it): flp_read_invalidations() need not read them
 * again.
 */
static bool invalidations_read = false;

static void invalidate_all(void);
static void settle_roles(void);
static void relcache_callback(Datum arg, Oid relid);
static void syscache_callback(Datum arg, int cacheid, uint32 hashvalue);

/*
 * Register the invalidation callbacks; called once from _PG_init.
 */
void
flp_catalog_init(void)
{
	CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(RELNAMENSP, syscache_callback, (Datum) 0);
	flp_resolution_init();
}

/*
 * Forget everything cached: the catalog's OIDs, the governed set and every
 * evaluated permission.
 */
static void
invalidate_all(void)
{
	generation++;
	flp_catalog_forget();
}

/*
 * A governed table (relid; InvalidOid: some table) may have changed shape:
 * what depends on its shape is stale; what flp's catalog says still holds.
 */
void
flp_cache_invalidate(Oid relid)
{
	shape_generation++;
	shape_ring[shape_generation % SHAPE_RING] = relid;
}

/*
 * The tables that changed shape since shape generation shapes, into
 * *relids; false when that is not known (some table, or the ring no longer
 * reaches back that far).
 */
bool
flp_shapes_changed_since(uint64 shapes, List **relids)
{
	uint64		g;

	*relids = NIL;
	if (shapes > shape_generation || shape_generation - shapes >= SHAPE_RING)
		return false;
	for (g = shapes + 1; g <= shape_generation; g++)
	{
		Oid			changed = shape_ring[g % SHAPE_RING];

		if (!OidIsValid(changed))
			return false;
		*relids = list_append_unique_oid(*relids, changed);
	}
	return true;
}

/* See shape_generation. */
uint64
flp_shape_generation(void)
{
	return shape_generation;
}

/*
 * Has no relcache invalidation that may concern relid (its own, or one of
 * "some table") arrived since shape generation shapes?  False when the ring
 * no longer reaches back that far.
 */
bool
flp_shape_unchanged_since(uint64 shapes, Oid relid)
{
	uint64		g;

	if (shapes > shape_generation || shape_generation - shapes >= SHAPE_RING)
		return false;
	for (g = shapes + 1; g <= shape_generation; g++)
	{
		Oid			changed = shape_ring[g % SHAPE_RING];

		if (changed == relid || !OidIsValid(changed))
			return false;
	}
	return true;
}

/*
 * Relcache invalidation: InvalidOid means "everything"; the sentinel means
 * "flp's catalog changed"; a governed table may have changed shape.
 */
static void
relcache_callback(Datum arg, Oid relid)
{
	Oid			sentinel_relid;
	Oid			assignments_relid;

	flp_catalog_watched(&sentinel_relid, &assignments_relid);
	if (!OidIsValid(relid) || relid == sentinel_relid)
	{
		invalidate_all();
		policy_generation++;
		return;
	}
	if (relid == assignments_relid)
		record_generation++;
}

/*
 * Syscache invalidation.  Role membership and role attributes change who is
 * a super admin and which bundles apply; cached plans cannot know that, so
 * they are reset too.  Schema and relation name changes may create or drop
 * flp's own catalog (CREATE/DROP EXTENSION).
 */
static void
syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	switch (cacheid)
	{
		case AUTHMEMROLEMEM:
			invalidate_all();
			policy_generation++;
			ResetPlanCache();
			break;
		case AUTHOID:
			/* settle_roles() decides whether it matters */
			flp_note_role_change(hashvalue);
			break;
		case NAMESPACEOID:
			invalidate_all();
			break;
		case RELNAMENSP:
			/* only an absent catalog can be created by a new relation */
			flp_catalog_forget_if_absent();
			break;
		default:
			break;
	}
}

/*
 * Forget what depends on roles if something flp read of a tracked role
 * changed: evaluated permissions and the plans made with them.
 */
static void
settle_roles(void)
{
	if (flp_roles_changed())
	{
		invalidate_all();
		policy_generation++;
		ResetPlanCache();
	}
}

/* The current generation; a cache built under another one is stale. */
uint64
flp_cache_generation(void)
{
	settle_roles();
	return generation;
}

/* See policy_generation. */
uint64
flp_policy_generation(void)
{
	settle_roles();
	return policy_generation;
}

/*
 * Cache validity, one helper for every cache of flp: build from the catalog,
 * then keep what was built only if no invalidation arrived meanwhile.
 *
 *		FlpCacheStamp stamp = flp_cache_stamp(false);
 *
 *		... read the catalog, build ...
 *		kept = built;
 *		kept_stamp = stamp;
 *
 * and before each use of what was kept, flp_cache_stamp_valid(&kept_stamp)
 * says whether it still holds (a stamp taken before the build is moved by an
 * invalidation during the build, so a cache built across one is never used
 * again).  A zeroed stamp is never valid.  with_records: the cache depends on
 * flp.record_assignment too, and its changes also make the stamp invalid.
 */
FlpCacheStamp
flp_cache_stamp(bool with_records)
{
	FlpCacheStamp stamp;

	stamp.generation = flp_cache_generation();
	stamp.with_records = with_records;
	stamp.records = with_records ? record_generation : 0;
	stamp.catalog_only = false;
	stamp.shapes = shape_generation;
	return stamp;
}

/* The same for a cache of what flp's catalog and roles say alone. */
FlpCacheStamp
flp_catalog_stamp(bool with_records)
{
	FlpCacheStamp stamp = flp_cache_stamp(with_records);

	stamp.catalog_only = true;
	return stamp;
}

/*
 * Was no invalidation that concerns the cache read since the stamp?  Settles
 * pending role changes first, as flp_cache_generation() does.
 */
bool
flp_cache_stamp_valid(const FlpCacheStamp *stamp)
{
	settle_roles();
	return flp_cache_stamp_unmoved(stamp);
}

/*
 * The same, without settling pending role changes: for invalidation
 * callbacks, which must not read catalogs.
 */
bool
flp_cache_stamp_unmoved(const FlpCacheStamp *stamp)
{
	return stamp->generation == generation &&
		(!stamp->with_records || stamp->records == record_generation) &&
		(stamp->catalog_only || stamp->shapes == shape_generation);
}

/*
 * A cache filled entry by entry in a memory context of its own (FlpCache):
 * make it current.  When it is stale (or new), its context is emptied and it
 * is stamped anew, and true says that the caller must set up its tables
 * again.  Entries computed across an invalidation are kept only if
 * flp_cache_valid() still holds after computing them.
 */
bool
flp_cache_refresh(FlpCache *cache)
{
	if (flp_cache_valid(cache))
		return false;
	if (cache->context == NULL)
		/* (the name is a constant: the macro cannot tell through the pointer) */
		cache->context = AllocSetContextCreateInternal(CacheMemoryContext, cache->name,
													   ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(cache->context);
	cache->stamp = cache->catalog_only ? flp_catalog_stamp(cache->with_records) :
		flp_cache_stamp(cache->with_records);
	return true;
}

/* Is the cache current: set up, and stamped since the last invalidation? */
bool
flp_cache_valid(const FlpCache *cache)
{
	return cache->context != NULL && flp_cache_stamp_valid(&cache->stamp);
}

/* Tell every session, at commit, that governance changed (e.g. a new partition). */
void
flp_catalog_touch(void)
{
	const FlpCatalog *c = flp_catalog();

	if (c != NULL)
		CacheInvalidateRelcacheByRelid(c->governed_table);
}

/* Moves whenever record assignments change. */
uint64
flp_record_generation(void)
{
	return record_generation;
}

/* Throw away every cached permission. */
void
flp_flush_caches(void)
{
	invalidate_all();
}

/*
 * Read pending invalidations, unless the planner hook did moments ago:
 * within a transaction that already holds its locks nothing else would, and
 * a change committed elsewhere must hold from the next statement on.
 */
void
flp_read_invalidations(void)
{
	if (!invalidations_read)
		AcceptInvalidationMessages();
}

/*
 * The planner hook says that it has just read invalidations (true), or that
 * it is done (restoring the previous value); returns the previous value.
 */
bool
flp_set_invalidations_read(bool read)
{
	bool		previous = invalidations_read;

	invalidations_read = read;
	return previous;
}

/* ---------------------------------------------------------------------
 * Invalidation triggers on the catalog tables
 * ---------------------------------------------------------------------
 */

/*
 * Statement trigger on every catalog table: tell every backend, at commit,
 * that the catalog changed.  Also runs for direct DML by super admins and for
 * the data pg_restore loads.
 */
Datum
flp_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Oid			sentinel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"flp_internal.catalog_changed\" must be called as a trigger")));

	sentinel = get_relname_relid("governed_table",
								 RelationGetNamespace(trigdata->tg_relation));
	if (OidIsValid(sentinel))
		CacheInvalidateRelcacheByRelid(sentinel);
	PG_RETURN_POINTER(NULL);
}

/* Invalidate a table and its partitions/children, if it still exists. */
static void
invalidate_table_tree(Oid relid)
{
	List	   *tree;
	ListCell   *lc;

	if (!OidIsValid(relid) || !SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return;
	tree = find_all_inheritors(relid, NoLock, NULL);
	foreach(lc, tree)
	{
		Oid			child = lfirst_oid(lc);

		if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(child)))
			CacheInvalidateRelcacheByRelid(child);
	}
}

/*
 * Row trigger on flp.governed_table: plans of a table that starts or stops
 * being governed (and of its partitions) must be rebuilt everywhere.
 */
Datum
flp_governed_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"flp_internal.governed_changed\" must be called as a row trigger")));

	desc = RelationGetDescr(trigdata->tg_relation);
	if (trigdata->tg_trigtuple)
	{
		d = heap_getattr(trigdata->tg_trigtuple, Anum_governed_table_tbl, desc, &isnull);
		if (!isnull)
			invalidate_table_tree(DatumGetObjectId(d));
	}
	if (trigdata->tg_newtuple)
	{
		d = heap_getattr(trigdata->tg_newtuple, Anum_governed_table_tbl, desc, &isnull);
		if (!isnull)
			invalidate_table_tree(DatumGetObjectId(d));
	}
	PG_RETURN_POINTER(NULL);
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
				 errmsg("function \"flp_internal.assignments_changed\" must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	PG_RETURN_POINTER(NULL);
}
