/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading flp's catalog tables, and knowing when they changed.
 *
 * flp's catalog is a set of ordinary tables in schema flp.  This file finds
 * them (their OIDs differ per database, and they may be absent), reads them
 * with index scans (never SPI, so that the planner is not re-entered), keeps
 * the backend-local set of governed tables, and listens to PostgreSQL's
 * invalidation machinery:
 *
 * - Every change of the catalog fires a statement trigger that sends a
 *   relcache invalidation of flp.governed_table, the "sentinel".  The message
 *   is transactional: other backends (and hot standbys, which replay it) see
 *   it after commit, never after a rollback; the changing backend sees it at
 *   its next command.
 * - A table that starts or stops being governed also gets a relcache
 *   invalidation of its own, so that plans of it are rebuilt.
 * - Role changes (GRANT role, REVOKE role, ALTER ROLE, DROP ROLE) arrive as
 *   syscache invalidations of pg_auth_members and pg_authid.
 *
 * Each of them bumps a generation counter; caches built under an older
 * generation are thrown away before their next use (evaluate.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_authid.h"
#include "common/hashfn.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "access/xact.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"

PG_FUNCTION_INFO_V1(flp_catalog_changed);
PG_FUNCTION_INFO_V1(flp_governed_changed);

/* The catalog's OIDs, valid while catalog_valid. */
static FlpCatalog catalog;
static bool catalog_valid = false;
static bool catalog_present = false;
static uint64 catalog_forgotten = 0;	/* moved by flp_catalog_forget() */

/* The last known OID of flp.governed_table, kept while the lookup is redone */
static Oid	sentinel_relid = InvalidOid;

/* Likewise flp.record_assignment, whose changes move record_generation */
static Oid	assignments_relid = InvalidOid;
static uint64 record_generation = 1;

/* Bumped by every invalidation that may change a permission. */
static uint64 generation = 1;

/*
 * Moves when what a plan of flp was made with may no longer hold: flp's
 * catalog changed, role memberships or attributes changed, or everything was
 * invalidated.  (Not when a governed table is merely analyzed or altered:
 * that is the plan cache's business, under the table's lock.)
 */
static uint64 policy_generation = 1;

/* The set of governed tables: relid -> default permission. */
typedef struct GovernedEntry
{
	Oid			relid;			/* a governed table, or a partition/child of one */
	Oid			root;			/* the governed table whose rules apply */
	FlpPermission default_permission;
	char		relkind;		/* of relid */
	bool		guarded;		/* row-level security on and forced (flp's guard) */
} GovernedEntry;

static MemoryContext GovernedContext = NULL;
static HTAB *governed = NULL;
static FlpCacheStamp governed_stamp;	/* of the set built last */

/* The last answer of flp_is_governed (the planner asks several times in a row) */
static Oid	last_relid = InvalidOid;
static GovernedEntry *last_entry = NULL;

/*
 * While true, invalidations were read moments ago (at the start of the
 * planner hook, which sets it): the lookups below need not read them again.
 */
static bool invalidations_read = false;

/*
 * Roles flp has resolved, with a digest of what it reads of each (superuser,
 * inheritance, BYPASSRLS, name, existence).  An invalidation of pg_authid
 * only notes which role's entry changed; the next look at the generations
 * compares the digests of the tracked roles it may concern, so that a change
 * nothing of flp depends on -- a password, which any role may change for
 * itself -- moves nothing.
 */
typedef struct TrackedRole
{
	Oid			roleid;			/* hash key */
	uint32		hashvalue;		/* of its pg_authid syscache entry */
	uint32		digest;
} TrackedRole;

#define MAX_PENDING_ROLES 32

static HTAB *tracked_roles = NULL;
static uint32 pending_roles[MAX_PENDING_ROLES];
static int	npending_roles = 0;
static bool pending_all_roles = false;

static void invalidate_all(void);
static void settle_roles(void);
static void relcache_callback(Datum arg, Oid relid);
static void syscache_callback(Datum arg, int cacheid, uint32 hashvalue);
static void catalog_lookup(void);
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
 * Every evaluated permission is stale (a governed table changed shape); the
 * OIDs of flp's catalog still hold.
 */
void
flp_cache_invalidate(void)
{
	generation++;
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
 * Relcache invalidation of a governed table (or partition/child of one): it
 * may have changed shape, so every evaluated permission is stale.  Checked
 * against the set only while the set is current (a stale set is rebuilt
 * before its next use anyway).
 */
static void
governed_relcache_callback(Datum arg, Oid relid)
{
	if (governed != NULL && flp_cache_stamp_unmoved(&governed_stamp) &&
		hash_search(governed, &relid, HASH_FIND, NULL) != NULL)
		flp_cache_invalidate();
}

/* Register the governed set's invalidation callback; from _PG_init. */
void
flp_governed_init(void)
{
	CacheRegisterRelcacheCallback(governed_relcache_callback, (Datum) 0);
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

/* A digest of what flp reads of a role; 0 when it does not exist. */
static uint32
role_digest(Oid roleid)
{
	HeapTuple	tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(roleid));
	Form_pg_authid role;
	uint32		h;

	if (!HeapTupleIsValid(tuple))
		return 0;
	role = (Form_pg_authid) GETSTRUCT(tuple);
	h = hash_bytes((const unsigned char *) NameStr(role->rolname), strlen(NameStr(role->rolname)));
	h = hash_combine(h, 8 | (role->rolsuper ? 1 : 0) | (role->rolinherit ? 2 : 0) |
					 (role->rolbypassrls ? 4 : 0));
	ReleaseSysCache(tuple);
	return h;
}

/*
 * Remember what flp read of a role it resolves (evaluate.c), so that a later
 * change of it is told from one that does not matter.
 */
void
flp_track_role(Oid roleid)
{
	static Oid	last_tracked = InvalidOid;
	TrackedRole *tr;
	bool		found;

	if (roleid == last_tracked)
		return;					/* the planner asks for the same role again and again */
	last_tracked = roleid;
	if (tracked_roles == NULL)
		tracked_roles = flp_hash_create("flp tracked roles", 64, sizeof(Oid),
										sizeof(TrackedRole), CacheMemoryContext);
	tr = hash_search(tracked_roles, &roleid, HASH_ENTER, &found);
	if (!found)
	{
		tr->hashvalue = GetSysCacheHashValue1(AUTHOID, ObjectIdGetDatum(roleid));
		tr->digest = role_digest(roleid);
	}
}

/*
 * An invalidation of pg_authid: note which role's entry changed (hashvalue 0:
 * any), for flp_roles_changed() to look at.
 */
void
flp_note_role_change(uint32 hashvalue)
{
	if (hashvalue == 0 || npending_roles >= MAX_PENDING_ROLES)
		pending_all_roles = true;
	else
		pending_roles[npending_roles++] = hashvalue;
}

/*
 * After invalidations of pg_authid: did something flp read of a tracked role
 * change (or is the role gone)?  Only inside a transaction, which reading
 * pg_authid needs; until then the changes stay pending.
 */
bool
flp_roles_changed(void)
{
	HASH_SEQ_STATUS status;
	TrackedRole *tr;
	bool		changed = false;

	if ((npending_roles == 0 && !pending_all_roles) || !IsTransactionState())
		return false;
	if (tracked_roles != NULL)
	{
		hash_seq_init(&status, tracked_roles);
		while ((tr = hash_seq_search(&status)) != NULL)
		{
			bool		concerned = pending_all_roles;
			uint32		digest;

			for (int i = 0; i < npending_roles && !concerned; i++)
				concerned = pending_roles[i] == tr->hashvalue;
			if (!concerned)
				continue;
			digest = role_digest(tr->roleid);
			if (digest != tr->digest)
			{
				changed = true;
				tr->digest = digest;
			}
		}
	}
	npending_roles = 0;
	pending_all_roles = false;
	return changed;
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
		(!stamp->with_records || stamp->records == record_generation);
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
	cache->stamp = flp_cache_stamp(cache->with_records);
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
 * Look up an OID of flp's schema by relation name, or fail the lookup.
 */
static bool
lookup_rel(const char *relname, Oid *oid)
{
	*oid = get_relname_relid(relname, catalog.namespace);
	return OidIsValid(*oid);
}

/*
 * Look up the OID of a label of one of flp's enums.
 */
static bool
lookup_label(Oid typid, const char *label, Oid *oid)
{
	*oid = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
						   ObjectIdGetDatum(typid), CStringGetDatum(label));
	return OidIsValid(*oid);
}

/*
 * The role whose members are super admins, by the OID flp.admin_role keeps
 * (not by name: a role renamed to flp_admin, or created as flp_admin after a
 * rename, is no super admin).  InvalidOid if it no longer exists.
 */
static Oid
read_admin_role(void)
{
	Oid			relid;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			roleid = InvalidOid;

	if (!lookup_rel("admin_role", &relid))
		return InvalidOid;
	rel = table_open(relid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, 2, RelationGetDescr(rel), &isnull);

		if (!isnull && SearchSysCacheExists1(AUTHOID, d))
			roleid = DatumGetObjectId(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return roleid;
}

/*
 * Find flp's catalog in the current database.  Sets catalog_present.
 */
static void
catalog_lookup(void)
{
	FlpCatalog	c;
	Oid			license_type;
	Oid			kind_type;
	bool		ok;
	uint64		start = catalog_forgotten;

	memset(&c, 0, sizeof(c));
	catalog_present = false;
	c.namespace = get_namespace_oid("flp", true);
	ok = OidIsValid(c.namespace) && OidIsValid(get_extension_oid("flp", true));
	if (ok)
	{
		catalog.namespace = c.namespace;
		ok = lookup_rel("governed_table", &c.governed_table) &&
			lookup_rel("excluded_field", &c.excluded_field) &&
			lookup_rel("excluded_field_pkey", &c.excluded_field_pkey) &&
			lookup_rel("field_mask", &c.field_mask) &&
			lookup_rel("field_mask_pkey", &c.field_mask_pkey) &&
			lookup_rel("inherited_field", &c.inherited_field) &&
			lookup_rel("inherited_field_pkey", &c.inherited_field_pkey) &&
			lookup_rel("bundle", &c.bundle) &&
			lookup_rel("bundle_pkey", &c.bundle_pkey) &&
			lookup_rel("table_permission", &c.table_permission) &&
			lookup_rel("table_permission_pkey", &c.table_permission_pkey) &&
			lookup_rel("table_permission_tbl_idx", &c.table_permission_tbl_idx) &&
			lookup_rel("field_permission", &c.field_permission) &&
			lookup_rel("field_permission_pkey", &c.field_permission_pkey) &&
			lookup_rel("assignment", &c.assignment) &&
			lookup_rel("assignment_role_idx", &c.assignment_role_idx) &&
			lookup_rel("rule", &c.rule) &&
			lookup_rel("registered_user", &c.registered_user) &&
			lookup_rel("registered_user_pkey", &c.registered_user_pkey) &&
			lookup_rel("partner_bundle", &c.partner_bundle) &&
			lookup_rel("partner_bundle_pkey", &c.partner_bundle_pkey) &&
			lookup_rel("area_table", &c.area_table) &&
			lookup_rel("area_table_tbl_idx", &c.area_table_tbl_idx);
	}
	if (ok)
	{
		c.permission_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
											CStringGetDatum("permission"),
											ObjectIdGetDatum(c.namespace));
		license_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum("license"),
									   ObjectIdGetDatum(c.namespace));
		kind_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									CStringGetDatum("bundle_kind"),
									ObjectIdGetDatum(c.namespace));
		ok = lookup_label(c.permission_type, "hide", &c.permission_label[FLP_HIDE]) &&
			lookup_label(c.permission_type, "read", &c.permission_label[FLP_READ]) &&
			lookup_label(c.permission_type, "edit", &c.permission_label[FLP_EDIT]) &&
			lookup_label(license_type, "viewer", &c.license_label[FLP_VIEWER]) &&
			lookup_label(license_type, "viewer_analytics",
						 &c.license_label[FLP_VIEWER_ANALYTICS]) &&
			lookup_label(license_type, "full", &c.license_label[FLP_FULL]) &&
			lookup_label(kind_type, "internal", &c.kind_label[FLP_INTERNAL]) &&
			lookup_label(kind_type, "partner", &c.kind_label[FLP_PARTNER]);
	}
	if (ok)
	{
		Oid			textarg = TEXTOID;
		Oid			visible_args[2] = {REGCLASSOID, TEXTOID};
		Oid			visible_key_args[2] = {REGCLASSOID, ANYELEMENTOID};

		c.admin_role = read_admin_role();
		if (OidIsValid(c.admin_role))
			flp_track_role(c.admin_role);
		c.guard_function = LookupFuncName(list_make2(makeString("flp"), makeString("guard")),
										  0, NULL, true);
		c.is_partner_user_function =
			LookupFuncName(list_make2(makeString("flp"), makeString("is_partner_user")), 0, NULL, true);
		c.current_partner_function =
			LookupFuncName(list_make2(makeString("flp"), makeString("current_partner")), 0, NULL, true);
		c.is_subject_function =
			LookupFuncName(list_make2(makeString("flp"), makeString("is_subject")), 0, NULL, true);
		c.has_bundle_function =
			LookupFuncName(list_make2(makeString("flp"), makeString("has_bundle")), 1, &textarg, true);
		c.record_visible_function =
			LookupFuncName(list_make2(makeString("flp"), makeString("record_visible")), 2,
						   visible_args, true);
		c.record_visible_key_function =
			LookupFuncName(list_make2(makeString("flp"), makeString("_record_visible_key")), 2,
						   visible_key_args, true);
		ok = OidIsValid(c.guard_function) && OidIsValid(c.is_partner_user_function) &&
			OidIsValid(c.current_partner_function) && OidIsValid(c.is_subject_function) &&
			OidIsValid(c.has_bundle_function) && OidIsValid(c.record_visible_function) &&
			OidIsValid(c.record_visible_key_function);
	}

	if (ok)
	{
		c.record_assignment = get_relname_relid("record_assignment", c.namespace);
		c.record_assignment_partner_idx =
			get_relname_relid("record_assignment_partner_idx", c.namespace);
	}
	catalog = c;
	catalog_present = ok;
	if (ok)
	{
		sentinel_relid = c.governed_table;
		assignments_relid = c.record_assignment;
	}
	/* an invalidation that arrived meanwhile makes us look again next time */
	catalog_valid = (start == catalog_forgotten);
}

/* Look up flp's catalog again before its next use. */
void
flp_catalog_forget(void)
{
	catalog_forgotten++;
	catalog_valid = false;
}

/* The same, if flp's catalog was absent (a new relation may create it). */
void
flp_catalog_forget_if_absent(void)
{
	if (catalog_valid && !catalog_present)
		catalog_valid = false;
}

/*
 * The relations whose invalidations concern flp: flp.governed_table (the
 * sentinel: flp's catalog changed) and flp.record_assignment, as last found
 * (kept while the lookup is redone); InvalidOid before.
 */
void
flp_catalog_watched(Oid *sentinel, Oid *assignments)
{
	*sentinel = sentinel_relid;
	*assignments = assignments_relid;
}

/*
 * flp's catalog in the current database, or NULL when flp is not installed
 * here (or is being installed by this very transaction, not yet complete).
 */
const FlpCatalog *
flp_catalog(void)
{
	if (!catalog_valid)
		catalog_lookup();
	return catalog_present ? &catalog : NULL;
}

/*
 * Translate enum label OIDs read from the catalog.  An unknown label cannot
 * happen (the enums are the extension's own); treat it as the most
 * restrictive value rather than failing open.
 */
FlpPermission
flp_permission_of(Oid label)
{
	if (label == catalog.permission_label[FLP_EDIT])
		return FLP_EDIT;
	if (label == catalog.permission_label[FLP_READ])
		return FLP_READ;
	return FLP_HIDE;
}

FlpLicense
flp_license_of(Oid label)
{
	if (label == catalog.license_label[FLP_FULL])
		return FLP_FULL;
	if (label == catalog.license_label[FLP_VIEWER_ANALYTICS])
		return FLP_VIEWER_ANALYTICS;
	return FLP_VIEWER;
}

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

/* The SQL value of a permission, for functions returning flp.permission. */
Datum
flp_permission_datum(FlpPermission permission)
{
	const FlpCatalog *c = flp_catalog();

	if (c == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"flp\" is not installed in this database")));
	return ObjectIdGetDatum(c->permission_label[permission]);
}

const char *
flp_permission_name(FlpPermission permission)
{
	switch (permission)
	{
		case FLP_EDIT:
			return "edit";
		case FLP_READ:
			return "read";
		default:
			return "hide";
	}
}

const char *
flp_license_name(FlpLicense license)
{
	switch (license)
	{
		case FLP_FULL:
			return "full";
		case FLP_VIEWER_ANALYTICS:
			return "viewer_analytics";
		default:
			return "viewer";
	}
}

/* ---------------------------------------------------------------------
 * Scanning helpers
 * ---------------------------------------------------------------------
 */

/*
 * Begin a scan of relid through index indexid (InvalidOid: a heap scan).
 *
 * The latest snapshot is used rather than the transaction's: a permission
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

void
flp_scan_begin(CatalogScan *cs, Oid relid, Oid indexid, int nkeys, ScanKey keys)
{
	cs->rel = table_open(relid, AccessShareLock);
	cs->snapshot = RegisterSnapshot(resolution_snapshot ? resolution_snapshot :
									flp_catalog_snapshot());
	cs->scan = systable_beginscan(cs->rel, indexid, OidIsValid(indexid),
								  cs->snapshot, nkeys, keys);
}

HeapTuple
flp_scan_next(CatalogScan *cs)
{
	return systable_getnext(cs->scan);
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
	return heap_getattr(tuple, attno, RelationGetDescr(cs->rel), isnull);
}

Oid
flp_column_oid(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	bool		isnull;
	Datum		d = flp_column(cs, tuple, attno, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(d);
}

char *
flp_column_text(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	bool		isnull;
	Datum		d = flp_column(cs, tuple, attno, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

char *
flp_column_name(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	bool		isnull;
	Datum		d = flp_column(cs, tuple, attno, &isnull);

	return isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
}

Jsonb *
flp_column_jsonb(CatalogScan *cs, HeapTuple tuple, AttrNumber attno)
{
	bool		isnull;
	Datum		d = flp_column(cs, tuple, attno, &isnull);

	return isnull ? NULL : DatumGetJsonbPCopy(d);
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

/* ---------------------------------------------------------------------
 * The governed set
 * ---------------------------------------------------------------------
 */

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
		CatalogScan cs;
		HeapTuple	tuple;

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

		if (c != NULL)
		{
			List	   *roots = NIL;
			ListCell   *lc;

			flp_scan_begin(&cs, c->governed_table, InvalidOid, 0, NULL);
			while ((tuple = flp_scan_next(&cs)) != NULL)
			{
				Oid			relid = flp_column_oid(&cs, tuple, Anum_governed_table_tbl);
				GovernedEntry *entry;

				entry = hash_search(governed, &relid, HASH_ENTER, NULL);
				entry->root = relid;
				entry->relkind = get_rel_relkind(relid);
				entry->guarded = rls_forced(relid);
				entry->default_permission =
					flp_permission_of(flp_column_oid(&cs, tuple,
											 Anum_governed_table_default_permission));
				roots = lappend_oid(roots, relid);
			}
			flp_scan_end(&cs);

			/* partitions and inheritance children follow their governed parent */
			foreach(lc, roots)
			{
				Oid			root = lfirst_oid(lc);
				GovernedEntry *parent = hash_search(governed, &root, HASH_FIND, NULL);
				FlpPermission def = parent->default_permission;
				ListCell   *lc2;

				if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(root)))
					continue;
				foreach(lc2, all_inheritors(root))
				{
					Oid			child = lfirst_oid(lc2);
					bool		found;
					GovernedEntry *entry;

					entry = hash_search(governed, &child, HASH_ENTER, &found);
					if (found)
						continue;	/* the root itself, or governed on its own */
					entry->root = root;
					entry->default_permission = def;
					entry->relkind = get_rel_relkind(child);
					entry->guarded = rls_forced(child);
				}
			}
		}

		if (flp_cache_stamp_valid(&stamp))
		{
			governed_stamp = stamp;
			return;
		}
	}
}

/*
 * Is relid a governed table, or a partition or child of one?  A hash probe
 * once the set is built: the planner's fast path for the many queries that
 * touch no governed table.
 */
/* The governed set, current as of the invalidations read so far. */
static void
governed_current(void)
{
	flp_read_invalidations();
	if (governed == NULL || !flp_cache_stamp_valid(&governed_stamp))
		governed_build();
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

/*
 * Which of flp's row rules exist in this database (FLP_RULES_DATA: data
 * rules, FLP_RULES_SCOPE: partner scope or inheritance rules), from their
 * policies in pg_policy; remembered until the catalog generation moves
 * (compiling policies invalidates the governed table's relcache).
 */
int
flp_row_rules_present(void)
{
	static FlpCacheStamp rules_stamp;
	static int	rules = 0;
	FlpCacheStamp stamp;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (flp_cache_stamp_valid(&rules_stamp))
		return rules;
	stamp = flp_cache_stamp(false);
	rules = 0;
	rel = table_open(PolicyRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		rules |= flp_policy_rule(NameStr(((Form_pg_policy) GETSTRUCT(tuple))->polname));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
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

/* ---------------------------------------------------------------------
 * Readers.  Each returns palloc'd data in the caller's memory context.
 * ---------------------------------------------------------------------
 */

/* The registration of a role; not registered: internal, full, no attributes. */
FlpUser
flp_read_user(Oid roleid)
{
	const FlpCatalog *c = flp_catalog();
	FlpUser		user = {false, FLP_FULL, NULL, NULL};
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;

	if (c == NULL)
		return user;
	flp_key_oid(&key, Anum_registered_user_role, roleid);
	flp_scan_begin(&cs, c->registered_user, c->registered_user_pkey, 1, &key);
	if ((tuple = flp_scan_next(&cs)) != NULL)
	{
		user.registered = true;
		user.license = flp_license_of(flp_column_oid(&cs, tuple, Anum_registered_user_license));
		user.attributes = flp_column_jsonb(&cs, tuple, Anum_registered_user_attributes);
		user.partner = flp_column_text(&cs, tuple, Anum_registered_user_partner);
	}
	flp_scan_end(&cs);
	return user;
}

/* Order C strings, for stable output. */
static int
cstring_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/* Names of the bundles assigned directly to roleid. */
List *
flp_read_assignments(Oid roleid)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;

	if (c == NULL)
		return NIL;
	flp_key_oid(&key, Anum_assignment_role, roleid);
	flp_scan_begin(&cs, c->assignment, c->assignment_role_idx, 1, &key);
	while ((tuple = flp_scan_next(&cs)) != NULL)
		result = lappend(result, flp_column_text(&cs, tuple, Anum_assignment_bundle));
	flp_scan_end(&cs);
	list_sort(result, cstring_cmp);
	return result;
}

/* Order rules by id so that explanations are stable. */
static int
rule_cmp(const ListCell *a, const ListCell *b)
{
	int64		x = ((FlpRule *) lfirst(a))->id;
	int64		y = ((FlpRule *) lfirst(b))->id;

	return (x > y) - (x < y);
}

/* Every criteria rule. */
List *
flp_read_rules(void)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	HeapTuple	tuple;

	if (c == NULL)
		return NIL;
	flp_scan_begin(&cs, c->rule, InvalidOid, 0, NULL);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		FlpRule    *rule = palloc(sizeof(FlpRule));
		bool		isnull;

		rule->id = DatumGetInt64(flp_column(&cs, tuple, Anum_rule_id, &isnull));
		rule->bundle = flp_column_text(&cs, tuple, Anum_rule_bundle);
		rule->criteria = flp_column_jsonb(&cs, tuple, Anum_rule_criteria);
		result = lappend(result, rule);
	}
	flp_scan_end(&cs);
	list_sort(result, rule_cmp);
	return result;
}

/*
 * Bundles, and the table-level permissions of a table, are read whole and
 * kept until the next catalog change: a cold resolution then costs hash
 * probes instead of an index scan per applicable bundle.
 */
typedef struct BundleEntry
{
	char		name[NAMEDATALEN * 2];	/* hash key (truncated names are still unique enough: see below) */
	FlpBundle	bundle;
} BundleEntry;

typedef struct TablePermEntry
{
	Oid			relid;			/* hash key */
	HTAB	   *by_bundle;		/* bundle name -> permission */
} TablePermEntry;

typedef struct BundlePerm
{
	char		name[NAMEDATALEN * 2];
	FlpPermission permission;
} BundlePerm;

static FlpCache read_cache = {"flp catalog reads"};
static HTAB *bundle_cache = NULL;
static HTAB *table_perm_cache = NULL;

static void
read_cache_prepare(void)
{
	if (!flp_cache_refresh(&read_cache))
		return;
	bundle_cache = NULL;
	table_perm_cache = NULL;
}

/* Bundle names longer than the cache key are read from the catalog. */
static bool
cacheable_name(const char *name)
{
	return strlen(name) < NAMEDATALEN * 2;
}

static bool read_bundle_uncached(const char *name, FlpBundle *bundle);

/* A bundle by name; false when it does not exist. */
bool
flp_read_bundle(const char *name, FlpBundle *bundle)
{
	const FlpCatalog *c = flp_catalog();
	BundleEntry *entry;
	char		key[NAMEDATALEN * 2];

	if (c == NULL)
		return false;
	if (!cacheable_name(name))
		return read_bundle_uncached(name, bundle);
	read_cache_prepare();
	if (bundle_cache == NULL)
	{
		FlpCacheStamp stamp = flp_cache_stamp(false);
		HTAB	   *cache = flp_hash_create("flp bundles", 256, sizeof(key),
											sizeof(BundleEntry), read_cache.context);
		CatalogScan cs;
		HeapTuple	tuple;

		flp_scan_begin(&cs, c->bundle, InvalidOid, 0, NULL);
		while ((tuple = flp_scan_next(&cs)) != NULL)
		{
			char	   *bname = flp_column_text(&cs, tuple, Anum_bundle_name);
			bool		isnull;
			BundleEntry *e;

			if (!cacheable_name(bname))
				continue;
			memset(key, 0, sizeof(key));
			strlcpy(key, bname, sizeof(key));
			e = hash_search(cache, key, HASH_ENTER, NULL);
			e->bundle.name = MemoryContextStrdup(read_cache.context, bname);
			e->bundle.kind = flp_column_oid(&cs, tuple, Anum_bundle_kind) ==
				c->kind_label[FLP_PARTNER] ? FLP_PARTNER : FLP_INTERNAL;
			e->bundle.license = flp_license_of(flp_column_oid(&cs, tuple, Anum_bundle_license));
			e->bundle.system = DatumGetBool(flp_column(&cs, tuple, Anum_bundle_system, &isnull));
		}
		flp_scan_end(&cs);
		if (!flp_cache_stamp_valid(&stamp))
			return read_bundle_uncached(name, bundle);	/* changed meanwhile */
		bundle_cache = cache;
	}
	memset(key, 0, sizeof(key));
	strlcpy(key, name, sizeof(key));
	entry = hash_search(bundle_cache, key, HASH_FIND, NULL);
	if (entry == NULL)
		return false;
	*bundle = entry->bundle;
	bundle->name = pstrdup(entry->bundle.name);
	return true;
}

static bool
read_bundle_uncached(const char *name, FlpBundle *bundle)
{
	const FlpCatalog *c = flp_catalog();
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		found = false;

	flp_key_text(&key, Anum_bundle_name, name);
	flp_scan_begin(&cs, c->bundle, c->bundle_pkey, 1, &key);
	if ((tuple = flp_scan_next(&cs)) != NULL)
	{
		bool		isnull;

		found = true;
		bundle->name = flp_column_text(&cs, tuple, Anum_bundle_name);
		bundle->kind = flp_column_oid(&cs, tuple, Anum_bundle_kind) ==
			c->kind_label[FLP_PARTNER] ? FLP_PARTNER : FLP_INTERNAL;
		bundle->license = flp_license_of(flp_column_oid(&cs, tuple, Anum_bundle_license));
		bundle->system = DatumGetBool(flp_column(&cs, tuple, Anum_bundle_system, &isnull));
	}
	flp_scan_end(&cs);
	return found;
}

/* The partner bundle assigned to a partner, or NULL. */
char *
flp_read_partner_bundle(const char *partner)
{
	const FlpCatalog *c = flp_catalog();
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;
	char	   *result = NULL;

	if (c == NULL)
		return NULL;
	flp_key_text(&key, Anum_partner_bundle_partner, partner);
	flp_scan_begin(&cs, c->partner_bundle, c->partner_bundle_pkey, 1, &key);
	if ((tuple = flp_scan_next(&cs)) != NULL)
		result = flp_column_text(&cs, tuple, Anum_partner_bundle_bundle);
	flp_scan_end(&cs);
	return result;
}

/* The table-level permission of a bundle; false when it does not grant it. */
static bool read_table_permission_uncached(const char *bundle, Oid relid,
										   FlpPermission *permission);

bool
flp_read_table_permission(const char *bundle, Oid relid, FlpPermission *permission)
{
	const FlpCatalog *c = flp_catalog();
	TablePermEntry *entry;
	BundlePerm *bp;
	bool		found;
	char		key[NAMEDATALEN * 2];

	if (c == NULL)
		return false;
	if (!cacheable_name(bundle))
		return read_table_permission_uncached(bundle, relid, permission);
	read_cache_prepare();
	if (table_perm_cache == NULL)
		table_perm_cache = flp_hash_create("flp table permissions", 64, sizeof(Oid),
										   sizeof(TablePermEntry), read_cache.context);
	entry = hash_search(table_perm_cache, &relid, HASH_FIND, &found);
	if (!found)
	{
		FlpCacheStamp stamp = flp_cache_stamp(false);
		HTAB	   *by_bundle = flp_hash_create("flp table permissions by bundle", 32,
												sizeof(key), sizeof(BundlePerm),
												read_cache.context);
		CatalogScan cs;
		ScanKeyData skey;
		HeapTuple	tuple;

		flp_key_oid(&skey, Anum_table_permission_tbl, relid);
		flp_scan_begin(&cs, c->table_permission, c->table_permission_tbl_idx, 1, &skey);
		while ((tuple = flp_scan_next(&cs)) != NULL)
		{
			char	   *bname = flp_column_text(&cs, tuple, Anum_table_permission_bundle);

			if (!cacheable_name(bname))
				continue;
			memset(key, 0, sizeof(key));
			strlcpy(key, bname, sizeof(key));
			bp = hash_search(by_bundle, key, HASH_ENTER, NULL);
			bp->permission = flp_permission_of(flp_column_oid(&cs, tuple,
													  Anum_table_permission_permission));
		}
		flp_scan_end(&cs);
		if (!flp_cache_stamp_valid(&stamp))
			return read_table_permission_uncached(bundle, relid, permission);
		entry = hash_search(table_perm_cache, &relid, HASH_ENTER, &found);
		entry->by_bundle = by_bundle;
	}
	memset(key, 0, sizeof(key));
	strlcpy(key, bundle, sizeof(key));
	bp = hash_search(entry->by_bundle, key, HASH_FIND, NULL);
	if (bp == NULL)
		return false;
	*permission = bp->permission;
	return true;
}

static bool
read_table_permission_uncached(const char *bundle, Oid relid, FlpPermission *permission)
{
	const FlpCatalog *c = flp_catalog();
	CatalogScan cs;
	ScanKeyData keys[2];
	HeapTuple	tuple;
	bool		found = false;

	flp_key_text(&keys[0], Anum_table_permission_bundle, bundle);
	flp_key_oid(&keys[1], Anum_table_permission_tbl, relid);
	flp_scan_begin(&cs, c->table_permission, c->table_permission_pkey, 2, keys);
	if ((tuple = flp_scan_next(&cs)) != NULL)
	{
		found = true;
		*permission = flp_permission_of(flp_column_oid(&cs, tuple,
											   Anum_table_permission_permission));
	}
	flp_scan_end(&cs);
	return found;
}

/* The field-level settings of a bundle on a table. */
List *
flp_read_field_permissions(const char *bundle, Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	ScanKeyData keys[2];
	HeapTuple	tuple;

	if (c == NULL)
		return NIL;
	flp_key_text(&keys[0], Anum_field_permission_bundle, bundle);
	flp_key_oid(&keys[1], Anum_field_permission_tbl, relid);
	flp_scan_begin(&cs, c->field_permission, c->field_permission_pkey, 2, keys);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		FlpFieldSetting *s = palloc(sizeof(FlpFieldSetting));

		s->field = flp_column_name(&cs, tuple, Anum_field_permission_field);
		s->permission = flp_permission_of(flp_column_oid(&cs, tuple,
												 Anum_field_permission_permission));
		result = lappend(result, s);
	}
	flp_scan_end(&cs);
	return result;
}

/* Names of the excluded fields of a table. */
List *
flp_read_excluded_fields(Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;

	if (c == NULL)
		return NIL;
	flp_key_oid(&key, Anum_excluded_field_tbl, relid);
	flp_scan_begin(&cs, c->excluded_field, c->excluded_field_pkey, 1, &key);
	while ((tuple = flp_scan_next(&cs)) != NULL)
		result = lappend(result, flp_column_name(&cs, tuple, Anum_excluded_field_field));
	flp_scan_end(&cs);
	return result;
}

/* The mask functions of a table's fields. */
List *
flp_read_masks(Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;

	if (c == NULL)
		return NIL;
	flp_key_oid(&key, Anum_field_mask_tbl, relid);
	flp_scan_begin(&cs, c->field_mask, c->field_mask_pkey, 1, &key);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		FlpMask    *m = palloc(sizeof(FlpMask));

		m->field = flp_column_name(&cs, tuple, Anum_field_mask_field);
		m->mask = flp_column_oid(&cs, tuple, Anum_field_mask_mask);
		result = lappend(result, m);
	}
	flp_scan_end(&cs);
	return result;
}

/* Is the table in a partner area? */
bool
flp_read_in_area(Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	CatalogScan cs;
	ScanKeyData key;
	bool		found;

	if (c == NULL)
		return false;
	flp_key_oid(&key, Anum_area_table_tbl, relid);
	flp_scan_begin(&cs, c->area_table, c->area_table_tbl_idx, 1, &key);
	found = flp_scan_next(&cs) != NULL;
	flp_scan_end(&cs);
	return found;
}

/* The inherited fields of a table. */
List *
flp_read_inheritances(Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	ScanKeyData key;
	HeapTuple	tuple;

	if (c == NULL)
		return NIL;
	flp_key_oid(&key, Anum_inherited_field_tbl, relid);
	flp_scan_begin(&cs, c->inherited_field, c->inherited_field_pkey, 1, &key);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		FlpInheritance *i = palloc(sizeof(FlpInheritance));

		i->field = flp_column_name(&cs, tuple, Anum_inherited_field_field);
		i->from_tbl = flp_column_oid(&cs, tuple, Anum_inherited_field_from_tbl);
		i->from_field = flp_column_name(&cs, tuple, Anum_inherited_field_from_field);
		result = lappend(result, i);
	}
	flp_scan_end(&cs);
	return result;
}

/*
 * The record keys of table tbl (char *) assigned to partner, or within it to
 * roleid, by an index scan of flp.record_assignment on (tbl, partner).
 */
List *
flp_read_record_keys(Oid tbl, const char *partner, Oid roleid)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result = NIL;
	CatalogScan cs;
	ScanKeyData keys[2];
	HeapTuple	tuple;

	if (c == NULL || !OidIsValid(c->record_assignment) ||
		!OidIsValid(c->record_assignment_partner_idx))
		return NIL;
	flp_key_oid(&keys[0], Anum_record_assignment_tbl, tbl);
	flp_key_text(&keys[1], Anum_record_assignment_partner, partner);
	flp_scan_begin(&cs, c->record_assignment, c->record_assignment_partner_idx, 2, keys);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		bool		isnull;
		Datum		user = flp_column(&cs, tuple, Anum_record_assignment_partner_user, &isnull);

		if (!isnull && DatumGetObjectId(user) != roleid)
			continue;			/* assigned to another user of the partner */
		result = lappend(result,
						 flp_column_text(&cs, tuple, Anum_record_assignment_record_key));
	}
	flp_scan_end(&cs);
	return result;
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
				 errmsg("function \"flp._catalog_changed\" must be called as a trigger")));

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
				 errmsg("function \"flp._governed_changed\" must be called as a row trigger")));

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
