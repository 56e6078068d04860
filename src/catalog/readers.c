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


#include "flp.h"
#include "flp_catalog.h"


/* A reader of one row of a scan: what to add to the result, or NULL. */
typedef void *(*RowReader) (CatalogScan *cs, HeapTuple tuple, void *arg);

/*
 * The rows of relid through index indexid (InvalidOid: a heap scan) that
 * match the keys, each as reader makes it (NULL: left out).
 */
static List *
read_rows(Oid relid, Oid indexid, int nkeys, ScanKey keys, RowReader reader,
		  void *arg)
{
	List	   *result = NIL;
	CatalogScan cs;
	HeapTuple	tuple;

	flp_scan_begin(&cs, relid, indexid, nkeys, keys);
	while ((tuple = flp_scan_next(&cs)) != NULL)
	{
		void	   *row = reader(&cs, tuple, arg);

		if (row != NULL)
			result = lappend(result, row);
	}
	flp_scan_end(&cs);
	return result;
}

/* read_rows() of the rows whose column attno is the OID value. */
static List *
read_rows_by_oid(Oid relid, Oid indexid, AttrNumber attno, Oid value,
				 RowReader reader, void *arg)
{
	ScanKeyData key;

	flp_key_oid(&key, attno, value);
	return read_rows(relid, indexid, 1, &key, reader, arg);
}

/* The registration of a role; not registered: internal, full, no attributes. */
static void *
user_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	FlpUser    *user = palloc(sizeof(FlpUser));

	user->registered = true;
	user->license = flp_license_of(flp_column_oid(cs, tuple, Anum_registered_user_license));
	user->attributes = flp_column_jsonb(cs, tuple, Anum_registered_user_attributes);
	user->partner = flp_column_text(cs, tuple, Anum_registered_user_partner);
	return user;
}

FlpUser
flp_read_user(Oid roleid)
{
	const FlpCatalog *c = flp_catalog();
	FlpUser		user = {false, FLP_FULL, NULL, NULL};
	List	   *rows;

	if (c == NULL)
		return user;
	rows = read_rows_by_oid(c->registered_user, c->registered_user_pkey,
							Anum_registered_user_role, roleid, user_row, NULL);
	return rows == NIL ? user : *(FlpUser *) linitial(rows);
}

/* Order C strings, for stable output. */
static int
cstring_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/* A text or name column of a row, its number in arg. */
static void *
text_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	return flp_column_text(cs, tuple, *(AttrNumber *) arg);
}

static void *
name_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	return flp_column_name(cs, tuple, *(AttrNumber *) arg);
}

/* Names of the bundles assigned directly to roleid. */
List *
flp_read_assignments(Oid roleid)
{
	const FlpCatalog *c = flp_catalog();
	AttrNumber	bundle = Anum_assignment_bundle;
	List	   *result;

	if (c == NULL)
		return NIL;
	result = read_rows_by_oid(c->assignment, c->assignment_role_idx,
							  Anum_assignment_role, roleid, text_row, &bundle);
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

static void *
rule_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	FlpRule    *rule = palloc(sizeof(FlpRule));
	bool		isnull;

	rule->id = DatumGetInt64(flp_column(cs, tuple, Anum_rule_id, &isnull));
	rule->bundle = flp_column_text(cs, tuple, Anum_rule_bundle);
	rule->criteria = flp_column_jsonb(cs, tuple, Anum_rule_criteria);
	return rule;
}

/* Every criteria rule. */
List *
flp_read_rules(void)
{
	const FlpCatalog *c = flp_catalog();
	List	   *result;

	if (c == NULL)
		return NIL;
	result = read_rows(c->rule, InvalidOid, 0, NULL, rule_row, NULL);
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
	int			nbundles;
	struct BundlePerm *bundles;	/* the bundles that say something of it */
	HTAB	   *by_bundle;		/* name -> BundlePerm, once there are many */
} TablePermEntry;

/* Bundles of a table looked up by a list search, up to this many. */
#define FLP_BUNDLES_LISTED 16

/*
 * What a bundle says of a table: its table-level permission and, once read,
 * its field-level settings (FlpFieldSetting *).
 */
typedef struct BundlePerm
{
	char		name[NAMEDATALEN * 2];
	bool		grants;
	FlpPermission permission;
	bool		fields_read;
	List	   *fields;
} BundlePerm;

static FlpCache read_cache = {"flp catalog reads", false, true};
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

/* The hash key of a bundle name (hashed as a blob: zero-padded). */
static void
name_key(char *key, const char *name)
{
	memset(key, 0, NAMEDATALEN * 2);
	strlcpy(key, name, NAMEDATALEN * 2);
}

/* A row of flp.bundle (arg: the catalog). */
static void *
bundle_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	const FlpCatalog *c = arg;
	FlpBundle  *bundle = palloc(sizeof(FlpBundle));
	bool		isnull;

	bundle->name = flp_column_text(cs, tuple, Anum_bundle_name);
	bundle->kind = flp_column_oid(cs, tuple, Anum_bundle_kind) ==
		c->kind_label[FLP_PARTNER] ? FLP_PARTNER : FLP_INTERNAL;
	bundle->license = flp_license_of(flp_column_oid(cs, tuple, Anum_bundle_license));
	bundle->system = DatumGetBool(flp_column(cs, tuple, Anum_bundle_system, &isnull));
	return bundle;
}

static bool
read_bundle_uncached(const char *name, FlpBundle *bundle)
{
	const FlpCatalog *c = flp_catalog();
	ScanKeyData key;
	List	   *rows;

	flp_key_text(&key, Anum_bundle_name, name);
	rows = read_rows(c->bundle, c->bundle_pkey, 1, &key, bundle_row, (void *) c);
	if (rows == NIL)
		return false;
	*bundle = *(FlpBundle *) linitial(rows);
	return true;
}

/* Every bundle of a cacheable name, by name, in the read cache. */
static HTAB *
bundles_read(const FlpCatalog *c)
{
	HTAB	   *cache = flp_hash_create("flp bundles", 256, NAMEDATALEN * 2,
										sizeof(BundleEntry), read_cache.context);
	ListCell   *lc;

	foreach(lc, read_rows(c->bundle, InvalidOid, 0, NULL, bundle_row, (void *) c))
	{
		FlpBundle  *b = lfirst(lc);
		char		key[NAMEDATALEN * 2];
		BundleEntry *e;

		if (!cacheable_name(b->name))
			continue;
		name_key(key, b->name);
		e = hash_search(cache, key, HASH_ENTER, NULL);
		e->bundle = *b;
		e->bundle.name = MemoryContextStrdup(read_cache.context, b->name);
	}
	return cache;
}

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
		HTAB	   *cache = bundles_read(c);

		if (!flp_cache_stamp_valid(&stamp))
			return read_bundle_uncached(name, bundle);	/* changed meanwhile */
		bundle_cache = cache;
	}
	name_key(key, name);
	entry = hash_search(bundle_cache, key, HASH_FIND, NULL);
	if (entry == NULL)
		return false;
	*bundle = entry->bundle;
	bundle->name = pstrdup(entry->bundle.name);
	return true;
}

/* The partner bundle assigned to a partner, or NULL. */
char *
flp_read_partner_bundle(const char *partner)
{
	const FlpCatalog *c = flp_catalog();
	AttrNumber	bundle = Anum_partner_bundle_bundle;
	ScanKeyData key;
	List	   *rows;

	if (c == NULL)
		return NULL;
	flp_key_text(&key, Anum_partner_bundle_partner, partner);
	rows = read_rows(c->partner_bundle, c->partner_bundle_pkey, 1, &key, text_row, &bundle);
	return rows == NIL ? NULL : linitial(rows);
}

/* A row of flp.table_permission: its bundle and permission. */
static void *
table_permission_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	BundlePerm *bp = palloc0(sizeof(BundlePerm));
	char	   *bname = flp_column_text(cs, tuple, Anum_table_permission_bundle);

	if (arg != NULL && !cacheable_name(bname))
		return NULL;			/* (arg: for the cache) */
	strlcpy(bp->name, bname, sizeof(bp->name));
	bp->grants = true;
	bp->permission = flp_permission_of(flp_column_oid(cs, tuple,
													  Anum_table_permission_permission));
	return bp;
}

static bool
read_table_permission_uncached(const char *bundle, Oid relid, FlpPermission *permission)
{
	const FlpCatalog *c = flp_catalog();
	ScanKeyData keys[2];
	List	   *rows;

	flp_key_text(&keys[0], Anum_table_permission_bundle, bundle);
	flp_key_oid(&keys[1], Anum_table_permission_tbl, relid);
	rows = read_rows(c->table_permission, c->table_permission_pkey, 2, keys,
					 table_permission_row, NULL);
	if (rows == NIL)
		return false;
	*permission = ((BundlePerm *) linitial(rows))->permission;
	return true;
}

/* An entry of TablePermEntry.by_bundle. */
typedef struct BundlePermRef
{
	char		name[NAMEDATALEN * 2];	/* hash key */
	BundlePerm *bp;
} BundlePermRef;

/* What a bundle says of the table of entry, or NULL. */
static BundlePerm *
find_bundle_perm(TablePermEntry *entry, const char *key)
{
	int			i;

	if (entry->by_bundle != NULL)
	{
		BundlePermRef *ref = hash_search(entry->by_bundle, key, HASH_FIND, NULL);

		return ref ? ref->bp : NULL;
	}
	for (i = 0; i < entry->nbundles; i++)
		if (strcmp(entry->bundles[i].name, key) == 0)
			return &entry->bundles[i];
	return NULL;
}

/*
 * What every bundle says of a table at the table level, into entry (in the
 * read cache): one scan of flp.table_permission.  An array searched in order
 * while the bundles are few (a hash table costs some 24 kB per table),
 * hashed by name once they are many.  Field-level settings are read per
 * bundle when first asked for (flp_read_field_permissions).
 */
static void
table_permissions_read(const FlpCatalog *c, Oid relid, TablePermEntry *entry)
{
	List	   *tables = read_rows_by_oid(c->table_permission, c->table_permission_tbl_idx,
										  Anum_table_permission_tbl, relid,
										  table_permission_row, &entry);
	MemoryContext old = MemoryContextSwitchTo(read_cache.context);
	ListCell   *lc;
	int			i;

	entry->nbundles = 0;
	entry->by_bundle = NULL;
	entry->bundles = tables != NIL ? palloc0(sizeof(BundlePerm) * list_length(tables)) : NULL;
	foreach(lc, tables)
		entry->bundles[entry->nbundles++] = *(BundlePerm *) lfirst(lc);
	if (entry->nbundles > FLP_BUNDLES_LISTED)
	{
		HTAB	   *by_bundle = flp_hash_create("flp table permissions by bundle",
												entry->nbundles, NAMEDATALEN * 2,
												sizeof(BundlePermRef), read_cache.context);

		for (i = 0; i < entry->nbundles; i++)
		{
			BundlePermRef *ref = hash_search(by_bundle, entry->bundles[i].name, HASH_ENTER, NULL);

			ref->bp = &entry->bundles[i];
		}
		entry->by_bundle = by_bundle;
	}
	MemoryContextSwitchTo(old);
}

/* What a bundle says of a table from the read cache; NULL when it is not cached. */
static BundlePerm *
cached_bundle_perm(const FlpCatalog *c, const char *bundle, Oid relid, bool *cached)
{
	TablePermEntry *entry;
	bool		found;
	char		key[NAMEDATALEN * 2];

	*cached = false;
	if (!cacheable_name(bundle))
		return NULL;
	read_cache_prepare();
	if (table_perm_cache == NULL)
		table_perm_cache = flp_hash_create("flp table permissions", 64, sizeof(Oid),
										   sizeof(TablePermEntry), read_cache.context);
	entry = hash_search(table_perm_cache, &relid, HASH_FIND, &found);
	if (!found)
	{
		FlpCacheStamp stamp = flp_cache_stamp(false);
		TablePermEntry read;

		table_permissions_read(c, relid, &read);
		if (!flp_cache_stamp_valid(&stamp))
			return NULL;		/* changed meanwhile: read it uncached */
		entry = hash_search(table_perm_cache, &relid, HASH_ENTER, &found);
		entry->nbundles = read.nbundles;
		entry->bundles = read.bundles;
		entry->by_bundle = read.by_bundle;
	}
	*cached = true;
	name_key(key, bundle);
	return find_bundle_perm(entry, key);
}

/* The table-level permission of a bundle; false when it does not grant it. */
bool
flp_read_table_permission(const char *bundle, Oid relid, FlpPermission *permission)
{
	const FlpCatalog *c = flp_catalog();
	BundlePerm *bp;
	bool		cached;

	if (c == NULL)
		return false;
	bp = cached_bundle_perm(c, bundle, relid, &cached);
	if (!cached)
		return read_table_permission_uncached(bundle, relid, permission);
	if (bp == NULL || !bp->grants)
		return false;
	*permission = bp->permission;
	return true;
}

static void *
field_permission_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	FlpFieldSetting *s = palloc(sizeof(FlpFieldSetting));

	s->field = flp_column_name(cs, tuple, Anum_field_permission_field);
	s->permission = flp_permission_of(flp_column_oid(cs, tuple,
													 Anum_field_permission_permission));
	return s;
}

/*
 * The field-level settings of a bundle on a table (from the read cache: the
 * list is not the caller's to change).
 */
List *
flp_read_field_permissions(const char *bundle, Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	ScanKeyData keys[2];
	BundlePerm *bp;
	bool		cached;
	List	   *fields;

	if (c == NULL)
		return NIL;
	bp = cached_bundle_perm(c, bundle, relid, &cached);
	if (cached && bp != NULL && bp->fields_read)
		return bp->fields;
	flp_key_text(&keys[0], Anum_field_permission_bundle, bundle);
	flp_key_oid(&keys[1], Anum_field_permission_tbl, relid);
	fields = read_rows(c->field_permission, c->field_permission_pkey, 2, keys,
					   field_permission_row, NULL);
	if (cached && bp != NULL)
	{
		/* kept for the next role (an invalidation meanwhile empties the cache) */
		MemoryContext old = MemoryContextSwitchTo(read_cache.context);
		ListCell   *lc;

		bp->fields = NIL;
		foreach(lc, fields)
		{
			FlpFieldSetting *kept = palloc(sizeof(FlpFieldSetting));

			kept->field = pstrdup(((FlpFieldSetting *) lfirst(lc))->field);
			kept->permission = ((FlpFieldSetting *) lfirst(lc))->permission;
			bp->fields = lappend(bp->fields, kept);
		}
		bp->fields_read = true;
		MemoryContextSwitchTo(old);
	}
	return fields;
}

/* Names of the excluded fields of a table. */
List *
flp_read_excluded_fields(Oid relid)
{
	const FlpCatalog *c = flp_catalog();
	AttrNumber	field = Anum_excluded_field_field;

	if (c == NULL)
		return NIL;
	return read_rows_by_oid(c->excluded_field, c->excluded_field_pkey,
							Anum_excluded_field_tbl, relid, name_row, &field);
}

static void *
mask_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	FlpMask    *m = palloc(sizeof(FlpMask));

	m->field = flp_column_name(cs, tuple, Anum_field_mask_field);
	m->mask = flp_column_oid(cs, tuple, Anum_field_mask_mask);
	return m;
}

/* The mask functions of a table's fields. */
List *
flp_read_masks(Oid relid)
{
	const FlpCatalog *c = flp_catalog();

	if (c == NULL)
		return NIL;
	return read_rows_by_oid(c->field_mask, c->field_mask_pkey, Anum_field_mask_tbl,
							relid, mask_row, NULL);
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

static void *
inheritance_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	FlpInheritance *i = palloc(sizeof(FlpInheritance));

	i->field = flp_column_name(cs, tuple, Anum_inherited_field_field);
	i->from_tbl = flp_column_oid(cs, tuple, Anum_inherited_field_from_tbl);
	i->from_field = flp_column_name(cs, tuple, Anum_inherited_field_from_field);
	return i;
}

/* The inherited fields of a table. */
List *
flp_read_inheritances(Oid relid)
{
	const FlpCatalog *c = flp_catalog();

	if (c == NULL)
		return NIL;
	return read_rows_by_oid(c->inherited_field, c->inherited_field_pkey,
							Anum_inherited_field_tbl, relid, inheritance_row, NULL);
}

/* A record key assigned to the partner, or to the role (arg) within it. */
static void *
record_key_row(CatalogScan *cs, HeapTuple tuple, void *arg)
{
	bool		isnull;
	Datum		user = flp_column(cs, tuple, Anum_record_assignment_partner_user, &isnull);

	if (!isnull && DatumGetObjectId(user) != *(Oid *) arg)
		return NULL;			/* assigned to another user of the partner */
	return flp_column_text(cs, tuple, Anum_record_assignment_record_key);
}

/*
 * The record keys of table tbl (char *) assigned to partner, or within it to
 * roleid, by an index scan of flp.record_assignment on (tbl, partner).
 */
List *
flp_read_record_keys(Oid tbl, const char *partner, Oid roleid)
{
	const FlpCatalog *c = flp_catalog();
	ScanKeyData keys[2];

	if (c == NULL || !OidIsValid(c->record_assignment) ||
		!OidIsValid(c->record_assignment_partner_idx))
		return NIL;
	flp_key_oid(&keys[0], Anum_record_assignment_tbl, tbl);
	flp_key_text(&keys[1], Anum_record_assignment_partner, partner);
	return read_rows(c->record_assignment, c->record_assignment_partner_idx, 2, keys,
					 record_key_row, &roleid);
}
