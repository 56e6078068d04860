/*-------------------------------------------------------------------------
 *
 * inheritance.c
 *	  Inherited fields (step 6 of the effective permission, see
 *	  permission.c): a field gets at most the permission of the field it
 *	  inherits from, along chains.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/lsyscache.h"

#include "flp.h"
#include "evaluate.h"


/* Is field among the excluded field names? */
bool
flp_field_excluded(List *excluded, const char *field)
{
	ListCell   *lc;

	foreach(lc, excluded)
		if (strcmp(lfirst(lc), field) == 0)
			return true;
	return false;
}

/*
 * Step 6: inherited fields.  A field inherits the more restrictive of its own
 * permission and that of the field it mirrors, along chains.  One memo per
 * table resolution keeps the work linear in the chains: each (table, field)
 * reached is resolved once, each table's bundles and inheritances are read
 * once, and the walk is a loop, not a recursion.  flp.inherit_field refuses
 * cycles; one stored anyway (by direct DML on the catalog) is found by the
 * memo and hides every field on it (fail closed).
 */
struct InheritMemo
{
	RoleInfo   *ri;
	HTAB	   *fields;			/* FieldMemo by "relid.field" */
	HTAB	   *tables;			/* TableMemo by relid */
};

typedef struct FieldMemo
{
	char		key[NAMEDATALEN + 16];
	bool		done;			/* false: on the walk now */
	bool		cycle;			/* hidden by a cycle it is on or leads to */
	FlpPermission permission;
} FieldMemo;

typedef struct TableMemo
{
	Oid			relid;
	List	   *inheritances;
	List	   *excluded;
	uint8	   *perm;			/* bundles' permissions, by attnum */
	bool		governed;
} TableMemo;

/* What the memo knows of a table, reading it once. */
static TableMemo *
memo_table(InheritMemo *memo, Oid relid)
{
	bool		found;
	TableMemo  *tm = hash_search(memo->tables, &relid, HASH_ENTER, &found);

	if (!found)
	{
		tm->inheritances = flp_read_inheritances(relid);
		tm->excluded = flp_read_excluded_fields(relid);
		tm->governed = flp_is_governed(relid, NULL);
		tm->perm = NULL;
	}
	return tm;
}

/* The bundles' permission of a field (steps 2 to 5), from the memo. */
static FlpPermission
memo_own(InheritMemo *memo, TableMemo *tm, AttrNumber att)
{
	if (tm->perm == NULL)
	{
		int			natts = flp_relnatts(tm->relid);

		tm->perm = palloc0(natts + 1);
		flp_bundles_resolve(memo->ri, tm->relid, natts, tm->perm, NULL);
	}
	return tm->perm[att];
}

/* The field a field inherits from, or NULL. */
static FlpInheritance *
inherits_from(TableMemo *tm, const char *field)
{
	ListCell   *lc;

	foreach(lc, tm->inheritances)
	{
		FlpInheritance *inh = lfirst(lc);

		if (strcmp(inh->field, field) == 0)
			return inh;
	}
	return NULL;
}

static FieldMemo *
memo_field(InheritMemo *memo, Oid relid, const char *field, bool *found)
{
	char		key[NAMEDATALEN + 16];
	FieldMemo  *fm;

	memset(key, 0, sizeof(key));	/* hashed as a blob */
	snprintf(key, sizeof(key), "%u.%s", relid, field);
	fm = hash_search(memo->fields, key, HASH_ENTER, found);
	if (!*found)
	{
		fm->done = false;
		fm->cycle = false;
		fm->permission = FLP_HIDE;
	}
	return fm;
}

/*
 * The end of a walk: the last field walked has value; each field before it
 * the minimum of that and its own permission (owns, in walk order).
 */
static void
walk_settle(List *walk, List *owns, FlpPermission value, bool cycle)
{
	int			i;

	for (i = list_length(walk) - 1; i >= 0; i--)
	{
		FieldMemo  *w = list_nth(walk, i);

		if (i < list_length(walk) - 1)
			value = Min((FlpPermission) list_nth_int(owns, i), value);
		w->done = true;
		w->cycle = cycle;
		w->permission = value;
	}
}

/*
 * Walk the chain from fm (field of relid, whose own permission is own),
 * resolving and memoizing every field on it.
 */
static void
inheritance_walk(InheritMemo *memo, FieldMemo *fm, Oid relid, const char *field,
				 FlpPermission own)
{
	List	   *walk = NIL;		/* FieldMemo of the fields walked */
	List	   *owns = NIL;		/* and their own permissions */
	FlpPermission value;
	bool		cycle = false;
	bool		found;
	Oid			t_rel = relid;
	const char *t_field = field;
	FlpPermission t_own = own;

	fm->done = false;
	walk = lappend(walk, fm);
	owns = lappend_int(owns, own);
	for (;;)
	{
		TableMemo  *tm = memo_table(memo, t_rel);
		FlpInheritance *inh = inherits_from(tm, t_field);
		TableMemo  *from;
		AttrNumber	from_att;

		CHECK_FOR_INTERRUPTS();
		if (inh == NULL)
		{
			value = t_own;
			break;
		}
		fm = memo_field(memo, inh->from_tbl, inh->from_field, &found);
		if (found && fm->done)
		{
			value = Min(t_own, fm->permission);
			cycle = fm->cycle;
			break;
		}
		if (found)
		{
			cycle = true;		/* back to a field of this walk */
			value = FLP_HIDE;
			break;
		}
		fm->done = false;
		from = memo_table(memo, inh->from_tbl);
		from_att = flp_attnum(inh->from_tbl, inh->from_field);
		if (from_att == InvalidAttrNumber || !from->governed ||
			flp_field_excluded(from->excluded, inh->from_field))
		{
			/* nothing to inherit: no such field, not governed, or excluded (Edit) */
			fm->done = true;
			fm->permission = FLP_EDIT;
			value = t_own;
			break;
		}
		walk = lappend(walk, fm);
		t_rel = inh->from_tbl;
		t_field = inh->from_field;
		t_own = memo_own(memo, from, from_att);
		owns = lappend_int(owns, t_own);
	}

	walk_settle(walk, owns, value, cycle);
}

/* The step of flp.explain() for an inheriting field, from the memo. */
static void
inheritance_trace(InheritMemo *memo, Oid relid, const char *field, Trace *t)
{
	FlpInheritance *inh = inherits_from(memo_table(memo, relid), field);
	bool		found;
	FieldMemo  *fm;
	FieldMemo  *source;

	if (inh == NULL || flp_attnum(inh->from_tbl, inh->from_field) == InvalidAttrNumber ||
		!memo_table(memo, inh->from_tbl)->governed)
		return;					/* nothing to inherit */
	fm = memo_field(memo, relid, field, &found);
	source = memo_field(memo, inh->from_tbl, inh->from_field, &found);
	if (fm->cycle)
		flp_trace_step(t, FLP_HIDE, "inheritance",
				   "a cycle of inherited fields reaches field \"%s\" of table \"%s\" again: hidden",
				   inh->from_field, get_rel_name(inh->from_tbl));
	else
		flp_trace_step(t, fm->permission, "inheritance",
				   "inherits from field \"%s\" of table \"%s\", which is %s for the role",
				   inh->from_field, get_rel_name(inh->from_tbl),
				   flp_permission_name(source->permission));
}

/*
 * The permission of field of relid after inheritance, given its own; t (the
 * field being explained, or NULL) gets the step.
 */
FlpPermission
flp_inheritance_resolve(InheritMemo *memo, Oid relid, const char *field,
					FlpPermission own, Trace *t)
{
	bool		found;
	FieldMemo  *fm = memo_field(memo, relid, field, &found);

	if (!(found && fm->done))
		inheritance_walk(memo, fm, relid, field, own);
	if (t != NULL)
		inheritance_trace(memo, relid, field, t);
	return fm->permission;
}

/* A memo for the inheritance walks of one table resolution. */
InheritMemo *
flp_inherit_memo_create(RoleInfo *ri)
{
	InheritMemo *memo = palloc(sizeof(InheritMemo));

	memo->ri = ri;
	memo->fields = flp_hash_create("flp inherited fields", 64, NAMEDATALEN + 16,
								   sizeof(FieldMemo), CurrentMemoryContext);
	memo->tables = flp_hash_create("flp inherited tables", 16, sizeof(Oid),
								   sizeof(TableMemo), CurrentMemoryContext);
	return memo;
}
