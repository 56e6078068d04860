/*-------------------------------------------------------------------------
 *
 * permission.c
 *	  The effective permission of (role, table, field), and its cache.
 *
 * The rules (README, "How permissions are decided"):
 *	 1. super admin, or excluded field: edit;
 *	 2. the applicable bundles of the role: assigned to it or to a role whose
 *		privileges it inherits, or given by a criteria rule over its
 *		registered attributes; internal users get internal bundles of their
 *		own license, partner users their partner's bundle (or
 *		Default_Partner_Bundle);
 *	 3. per bundle that grants the table: the field setting, capped by the
 *		table-level permission; the union over bundles is the maximum;
 *	 4. no bundle grants the table: the table's default;
 *	 5. viewer licenses are capped at read;
 *	 6. an inherited field gets the minimum of its own result and its
 *		source's.
 *
 * One function computes all of it, for a whole table at once, optionally
 * recording the steps for one field (flp.explain, trace.c): roles.c gives
 * steps 1 and 2, bundles.c steps 2 to 5, inheritance.c step 6; this file
 * adds generated columns, masks, and partitions and children (which follow
 * their governed root).  Results are cached per backend by (role, table) as
 * an array indexed by attribute number, and per role as the list of
 * applicable bundles (roles.c).  The caches are thrown away when the
 * generation of src/catalog/invalidation.c moves; a warm lookup is one hash
 * probe.
 *
 * Invalidations can arrive in the middle of a computation (any lock taken on
 * a catalog table accepts them).  A result computed across an invalidation
 * is used once but never cached, and the outermost lookup starts over, so a
 * change is never missed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "access/relation.h"
#include "access/sysattr.h"
#include "optimizer/optimizer.h"

#include "flp.h"
#include "evaluate.h"


typedef struct TableKey
{
	Oid			roleid;
	Oid			relid;
} TableKey;

typedef struct TableEntry
{
	TableKey	key;			/* hash key */
	uint64		shapes;			/* flp_shape_generation() it holds for */
	FlpTablePermissions perms;
} TableEntry;

/* The entry found last (a query asks for the same table several times) */
static TableEntry *last_table = NULL;

static FlpCache eval_cache = {"flp permission cache", false, true};
static HTAB *table_cache = NULL;

static void permission_flags(TupleDesc desc, int natts, const uint8 *perm, bool all_edit,
							 bool *hides, bool *restricted);

/* ---------------------------------------------------------------------
 * Cache management
 * ---------------------------------------------------------------------
 */

/*
 * Make the caches current: if the generation moved since they were built,
 * start afresh.  Only the outermost lookup does this, so that pointers held
 * by a computation in progress stay valid.
 */
static void
cache_prepare(void)
{
	if (!flp_role_cache_prepare())
		return;
	if (!flp_cache_refresh(&eval_cache))
		return;

	last_table = NULL;
	table_cache = flp_hash_create("flp table permission cache", 1024,
								  sizeof(TableKey), sizeof(TableEntry), eval_cache.context);
}

/*
 * Does a cached entry still hold?  The cache as a whole follows flp's catalog
 * and roles; an entry also follows the shape of its table -- and, computed
 * from other tables too (its governed root, fields it inherits), the shape of
 * every governed table.
 */
static bool
entry_holds(TableEntry *entry)
{
	uint64		now = flp_shape_generation();

	if (entry->shapes == now)
		return true;
	if (entry->perms.crosses ||
		!flp_shape_unchanged_since(entry->shapes, entry->key.relid))
		return false;
	entry->shapes = now;
	return true;
}

/* May results computed now be cached? */
static bool
cache_current(void)
{
	return flp_cache_valid(&eval_cache);
}

/*
 * A generated column is at most as visible as the most restrictive column it
 * is computed from: upper(ssn) is as hidden as ssn.
 */
static void
generated_resolve(Relation rel, int natts, uint8 *perm, Trace *t)
{
	Oid			relid = RelationGetRelid(rel);
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			i;

	if (!flp_has_generated_columns(constr))
		return;
	for (i = 0; i < constr->num_defval; i++)
	{
		AttrDefault *def = &constr->defval[i];
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), def->adnum - 1);
		Bitmapset  *sources = NULL;
		int			k = -1;

		if (!att->attgenerated || def->adnum > natts)
			continue;
		pull_varattnos(stringToNode(def->adbin), 1, &sources);
		while ((k = bms_next_member(sources, k)) >= 0)
		{
			AttrNumber	src = k + FirstLowInvalidHeapAttributeNumber;

			if (src < 1 || src > natts || perm[src] >= perm[def->adnum])
				continue;
			perm[def->adnum] = perm[src];
			if (t != NULL && t->attnum == def->adnum)
				flp_trace_step(t, perm[src], "generated column",
						   "computed from field \"%s\", which is %s for the role",
						   flp_attname(relid, src), flp_permission_name(perm[src]));
		}
	}
}

/* The name of a live column from the descriptor, or NULL (dropped, or none). */
static const char *
desc_attname(TupleDesc desc, AttrNumber att)
{
	Form_pg_attribute a;

	if (att < 1 || att > desc->natts)
		return NULL;
	a = TupleDescAttr(desc, att - 1);
	return a->attisdropped ? NULL : NameStr(a->attname);
}


/* The mask functions of a governed table, by attribute number. */
static Oid *
masks_resolve(Oid relid, int natts)
{
	Oid		   *mask = palloc0(sizeof(Oid) * (natts + 1));
	ListCell   *lc;

	foreach(lc, flp_read_masks(relid))
	{
		FlpMask    *m = lfirst(lc);
		AttrNumber	att = flp_attnum(relid, m->field);

		if (att != InvalidAttrNumber && att <= natts)
			mask[att] = m->mask;
	}
	return mask;
}

/*
 * A partition or inheritance child follows its governed root: its columns
 * are matched by name (attribute numbers may differ); a column the root does
 * not have is hidden.
 */
static bool
child_resolve(Oid roleid, TupleDesc desc, Oid root, int natts, uint8 *perm, Oid *mask)
{
	const FlpTablePermissions *rp = flp_table_permissions(roleid, root);
	AttrNumber	att;

	/* the root's columns from the catalog: its relation is not opened (nor locked) */
	for (att = 1; att <= natts; att++)
	{
		const char *name = desc_attname(desc, att);
		AttrNumber	ratt = name ? flp_attnum(root, name) : InvalidAttrNumber;

		if (ratt == InvalidAttrNumber || ratt > rp->natts)
		{
			perm[att] = rp->all_edit ? FLP_EDIT : FLP_HIDE;
			mask[att] = InvalidOid;
		}
		else
		{
			perm[att] = rp->all_edit ? FLP_EDIT : rp->permission[ratt];
			mask[att] = rp->mask[ratt];
		}
	}
	return rp->all_edit;
}

/*
 * The effective permission of every field of a governed table for a role.
 * perm has natts + 1 entries.  Returns true when nothing is restricted.
 */
static bool
table_resolve(RoleInfo *ri, Relation rel, int natts, uint8 *perm, Trace *t, bool *crosses)
{
	Oid			relid = RelationGetRelid(rel);
	bool		inherits = false;
	List	   *excluded;
	AttrNumber	att;
	InheritMemo *memo;

	if (ri->super_admin)
	{
		for (att = 1; att <= natts; att++)
			perm[att] = FLP_EDIT;
		return true;
	}

	excluded = flp_read_excluded_fields(relid);
	if (t != NULL && flp_field_excluded(excluded, get_attname(relid, t->attnum, false)))
	{
		flp_trace_step(t, FLP_EDIT, "excluded field",
				   "the field is excluded from field-level permissions: never restricted");
		t = NULL;
	}

	flp_bundles_resolve(ri, relid, natts, perm, t);

	/* no field of the table inherits (most tables): no walk, no memo */
	inherits = flp_read_inheritances(relid) != NIL;
	memo = (t != NULL || inherits) ? flp_inherit_memo_create(ri) : NULL;
	for (att = 1; att <= natts; att++)
	{
		const char *field = desc_attname(RelationGetDescr(rel), att);

		if (field == NULL)
			continue;			/* dropped column */
		if (flp_field_excluded(excluded, field))
		{
			perm[att] = FLP_EDIT;
			continue;
		}
		if (memo != NULL)
			perm[att] = flp_inheritance_resolve(memo, relid, field, perm[att],
											(t && t->attnum == att) ? t : NULL);
	}
	generated_resolve(rel, natts, perm, t);
	if (crosses != NULL)
		*crosses = inherits;
	return false;
}

/*
 * Compute the effective permissions of a role on a governed table (in the
 * current memory context), as one resolution.
 */
static void
permissions_compute(Oid roleid, Oid relid, FlpTablePermissions *p)
{
	Oid			root = flp_governed_root(relid);
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);

	p->roleid = roleid;
	p->relid = relid;
	p->natts = desc->natts;
	p->crosses = OidIsValid(root) && root != relid;
	p->permission = palloc0(p->natts + 1);
	p->mask = palloc0(sizeof(Oid) * (p->natts + 1));

	/* (an error ends the resolution: see src/catalog/scan.c) */
	flp_begin_resolution();
	if (OidIsValid(root) && root != relid)
		p->all_edit = child_resolve(roleid, desc, root, p->natts, p->permission, p->mask);
	else
	{
		RoleInfo   *ri = flp_role_lookup(roleid);

		p->all_edit = table_resolve(ri, rel, p->natts, p->permission, NULL, &p->crosses);
		if (!p->all_edit)
		{
			pfree(p->mask);
			p->mask = masks_resolve(relid, p->natts);
		}
	}
	flp_end_resolution();
	permission_flags(desc, p->natts, p->permission, p->all_edit, &p->hides,
					 &p->restricted);
	relation_close(rel, AccessShareLock);
}

/*
 * The effective permissions of a role on a governed table, from the cache
 * or computed.  The result stays valid until the next lookup.
 */
const FlpTablePermissions *
flp_table_permissions(Oid roleid, Oid relid)
{
	TableKey	key;
	TableEntry *entry;
	FlpTablePermissions *result;
	bool		found;

	cache_prepare();
	if (last_table != NULL && last_table->key.roleid == roleid &&
		last_table->key.relid == relid && cache_current() && entry_holds(last_table))
		return &last_table->perms;
	key.roleid = roleid;
	key.relid = relid;
	if (cache_current())
	{
		entry = hash_search(table_cache, &key, HASH_FIND, &found);
		if (found && entry_holds(entry))
		{
			last_table = entry;
			return &entry->perms;
		}
	}

	for (;;)
	{
		FlpCacheStamp stamp = flp_cache_stamp(false);
		FlpTablePermissions computed;

		permissions_compute(roleid, relid, &computed);
		if (!flp_cache_stamp_valid(&stamp) || !cache_current())
		{
			if (!flp_resolving())
			{
				/* something changed meanwhile: start over from a fresh cache */
				cache_prepare();
				continue;
			}
			/* nested: use this result once, uncached */
			result = palloc(sizeof(FlpTablePermissions));
			*result = computed;
			return result;
		}

		entry = hash_search(table_cache, &key, HASH_ENTER, &found);
		entry->shapes = stamp.shapes;
		entry->perms = computed;
		entry->perms.permission = MemoryContextAlloc(eval_cache.context, computed.natts + 1);
		memcpy(entry->perms.permission, computed.permission, computed.natts + 1);
		entry->perms.mask = MemoryContextAlloc(eval_cache.context,
											   sizeof(Oid) * (computed.natts + 1));
		memcpy(entry->perms.mask, computed.mask, sizeof(Oid) * (computed.natts + 1));
		pfree(computed.permission);
		pfree(computed.mask);
		last_table = entry;
		return &entry->perms;
	}
}

/* Whether some live field is hidden, or not editable. */
static void
permission_flags(TupleDesc desc, int natts, const uint8 *perm, bool all_edit,
				 bool *hides, bool *restricted)
{
	AttrNumber	att;

	*hides = *restricted = false;
	if (all_edit)
		return;
	for (att = 1; att <= natts; att++)
	{
		if (perm[att] == FLP_EDIT || desc_attname(desc, att) == NULL)
			continue;
		*restricted = true;
		if (perm[att] == FLP_HIDE)
			*hides = true;
	}
}

/* The effective permission of one field of a governed table. */
FlpPermission
flp_field_permission(Oid roleid, Oid relid, AttrNumber attnum)
{
	const FlpTablePermissions *p = flp_table_permissions(roleid, relid);

	if (p->all_edit)
		return FLP_EDIT;
	if (attnum < 1 || attnum > p->natts)
		return FLP_HIDE;
	return (FlpPermission) p->permission[attnum];
}

/*
 * The steps by which a role gets its permission on one field of a governed
 * table, the last one being the result (FlpTraceStep *).  Computed afresh,
 * without the cache.
 */
List *
flp_explain_field(Oid roleid, Oid relid, AttrNumber attnum)
{
	Trace		t;
	RoleInfo   *ri;
	Oid			root = flp_governed_root(relid);
	int			natts;
	uint8	   *perm;
	Relation	rel;

	t.attnum = attnum;
	t.steps = NIL;
	if (OidIsValid(root) && root != relid)
	{
		char	   *name = get_attname(relid, attnum, false);
		AttrNumber	ratt = flp_attnum(root, name);

		flp_trace_step(&t, FLP_NO_PERMISSION, "table",
				   "table \"%s\" is a partition or child of governed table \"%s\", whose rules apply",
				   get_rel_name(relid), get_rel_name(root));
		if (ratt == InvalidAttrNumber)
		{
			FlpPermission p = flp_is_super_admin(roleid) ? FLP_EDIT : FLP_HIDE;

			flp_trace_step(&t, p, "result",
					   "field \"%s\" exists only in the child: %s for role %s",
					   name, flp_permission_name(p), flp_role_name(roleid));
			return t.steps;
		}
		t.steps = list_concat(t.steps, flp_explain_field(roleid, root, ratt));
		return t.steps;
	}
	rel = relation_open(relid, AccessShareLock);
	natts = RelationGetDescr(rel)->natts;
	perm = palloc0(natts + 1);
	ri = flp_role_resolve(roleid, &t);
	(void) table_resolve(ri, rel, natts, perm, &t, NULL);
	relation_close(rel, AccessShareLock);
	if (ri->super_admin)
		perm[attnum] = FLP_EDIT;

	flp_trace_step(&t, perm[attnum], "result", "field \"%s\" is %s for role %s",
			   get_attname(relid, attnum, false),
			   flp_permission_name(perm[attnum]), flp_role_name(roleid));
	return t.steps;
}
