/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Finding flp's catalog in the current database: the OIDs of its tables,
 *	  indexes, enum labels and of the functions the planner recognizes, and
 *	  the admin role; the translation of enum labels read from it.
 *
 * The OIDs differ per database, and the catalog may be absent (flp not
 * installed here, or being installed by this very transaction): then
 * flp_catalog() is NULL.  The lookup is kept until invalidation.c forgets it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "parser/parse_func.h"
#include "catalog/pg_enum.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"


/* The catalog's OIDs, valid while catalog_valid. */
static FlpCatalog catalog;
static bool catalog_valid = false;
static bool catalog_present = false;
static uint64 catalog_forgotten = 0;	/* moved by flp_catalog_forget() */

/* The last known OID of flp.governed_table, kept while the lookup is redone */
static Oid	sentinel_relid = InvalidOid;

/* Likewise flp.record_assignment, whose changes move record_generation */
static Oid	assignments_relid = InvalidOid;

static void catalog_lookup(void);

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
	CatalogScan cs;
	HeapTuple	tuple;
	Oid			roleid = InvalidOid;

	if (!lookup_rel("admin_role", &relid))
		return InvalidOid;
	flp_scan_begin(&cs, relid, InvalidOid, 0, NULL);
	if (HeapTupleIsValid(tuple = flp_scan_next(&cs)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, Anum_admin_role_role, RelationGetDescr(cs.rel), &isnull);

		if (!isnull && SearchSysCacheExists1(AUTHOID, d))
			roleid = DatumGetObjectId(d);
	}
	flp_scan_end(&cs);
	return roleid;
}

/* The OIDs of flp's tables and indexes; false when one is missing. */
static bool
lookup_relations(FlpCatalog *c)
{
	return lookup_rel("governed_table", &c->governed_table) &&
		lookup_rel("excluded_field", &c->excluded_field) &&
		lookup_rel("excluded_field_pkey", &c->excluded_field_pkey) &&
		lookup_rel("field_mask", &c->field_mask) &&
		lookup_rel("field_mask_pkey", &c->field_mask_pkey) &&
		lookup_rel("inherited_field", &c->inherited_field) &&
		lookup_rel("inherited_field_pkey", &c->inherited_field_pkey) &&
		lookup_rel("bundle", &c->bundle) &&
		lookup_rel("bundle_pkey", &c->bundle_pkey) &&
		lookup_rel("table_permission", &c->table_permission) &&
		lookup_rel("table_permission_pkey", &c->table_permission_pkey) &&
		lookup_rel("table_permission_tbl_idx", &c->table_permission_tbl_idx) &&
		lookup_rel("field_permission", &c->field_permission) &&
		lookup_rel("field_permission_pkey", &c->field_permission_pkey) &&
		lookup_rel("assignment", &c->assignment) &&
		lookup_rel("assignment_role_idx", &c->assignment_role_idx) &&
		lookup_rel("rule", &c->rule) &&
		lookup_rel("registered_user", &c->registered_user) &&
		lookup_rel("registered_user_pkey", &c->registered_user_pkey) &&
		lookup_rel("partner_bundle", &c->partner_bundle) &&
		lookup_rel("partner_bundle_pkey", &c->partner_bundle_pkey) &&
		lookup_rel("area_table", &c->area_table) &&
		lookup_rel("area_table_tbl_idx", &c->area_table_tbl_idx);
}

/* The OID of one of flp's types. */
static Oid
lookup_type(Oid namespace, const char *name)
{
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum(name), ObjectIdGetDatum(namespace));
}

/* The OIDs of the labels of flp's enums; false when one is missing. */
static bool
lookup_labels(FlpCatalog *c)
{
	Oid			license_type = lookup_type(c->namespace, "license");
	Oid			kind_type = lookup_type(c->namespace, "bundle_kind");

	c->permission_type = lookup_type(c->namespace, "permission");
	return lookup_label(c->permission_type, "hide", &c->permission_label[FLP_HIDE]) &&
		lookup_label(c->permission_type, "read", &c->permission_label[FLP_READ]) &&
		lookup_label(c->permission_type, "edit", &c->permission_label[FLP_EDIT]) &&
		lookup_label(license_type, "viewer", &c->license_label[FLP_VIEWER]) &&
		lookup_label(license_type, "viewer_analytics",
					 &c->license_label[FLP_VIEWER_ANALYTICS]) &&
		lookup_label(license_type, "full", &c->license_label[FLP_FULL]) &&
		lookup_label(kind_type, "internal", &c->kind_label[FLP_INTERNAL]) &&
		lookup_label(kind_type, "partner", &c->kind_label[FLP_PARTNER]);
}

/* Look up schema.name(argtypes) (flp or flp_internal), or fail the lookup. */
static bool
lookup_function_in(const char *schema, const char *name, int nargs, const Oid *argtypes, Oid *oid)
{
	*oid = LookupFuncName(list_make2(makeString(pstrdup(schema)), makeString(pstrdup(name))),
						  nargs, argtypes, true);
	return OidIsValid(*oid);
}

/* Look up flp.name(argtypes), or fail the lookup. */
static bool
lookup_function(const char *name, int nargs, const Oid *argtypes, Oid *oid)
{
	return lookup_function_in("flp", name, nargs, argtypes, oid);
}

/*
 * The functions of flp that the planner recognizes in policies, and the
 * admin role; false when a function is missing.
 */
static bool
lookup_functions(FlpCatalog *c)
{
	Oid			textarg = TEXTOID;
	Oid			visible_args[2] = {REGCLASSOID, TEXTOID};
	Oid			visible_key_args[2] = {REGCLASSOID, ANYELEMENTOID};

	c->admin_role = read_admin_role();
	if (OidIsValid(c->admin_role))
		flp_track_role(c->admin_role);
	return lookup_function("guard", 0, NULL, &c->guard_function) &&
		lookup_function("is_partner_user", 0, NULL, &c->is_partner_user_function) &&
		lookup_function("current_partner", 0, NULL, &c->current_partner_function) &&
		lookup_function("is_subject", 0, NULL, &c->is_subject_function) &&
		lookup_function("has_bundle", 1, &textarg, &c->has_bundle_function) &&
		lookup_function("record_visible", 2, visible_args, &c->record_visible_function) &&
		lookup_function_in("flp_internal", "record_visible_key", 2, visible_key_args,
						&c->record_visible_key_function);
}

/*
 * Find flp's catalog in the current database.  Sets catalog_present.
 */
static void
catalog_lookup(void)
{
	FlpCatalog	c;
	bool		ok;
	uint64		start = catalog_forgotten;

	memset(&c, 0, sizeof(c));
	catalog_present = false;
	c.namespace = get_namespace_oid("flp", true);
	ok = OidIsValid(c.namespace) && OidIsValid(get_extension_oid("flp", true));
	if (ok)
	{
		catalog.namespace = c.namespace;
		ok = lookup_relations(&c) && lookup_labels(&c) && lookup_functions(&c);
	}
	if (ok)
	{
		c.record_assignment = get_relname_relid("record_assignment", c.namespace);
		c.record_assignment_partner_idx =
			get_relname_relid("record_assignment_partner_idx", c.namespace);
		c.published_view = get_relname_relid("published_view", c.namespace);
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
