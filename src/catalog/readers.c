/*-------------------------------------------------------------------------
 *
 * readers.c
 *	  Readers of flp's catalog tables (registered users, assignments, rules,
 *	  bundles, table and field permissions, excluded fields, masks, partner
 *	  areas, inherited fields, record assignments).  Each returns palloc'd
 *	  data in the caller's memory context; bundles and table-level
 *	  permissions are read whole and kept until the next catalog change.
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
