/*-------------------------------------------------------------------------
 *
 * trees.c
 *	  The shape of a governed tree: every partition or inheritance child of a
 *	  governed table follows its rules, so it must be read only through the
 *	  tree, and compute its columns as the governed table does.
 *
 * flp decides the permissions of a partition or child from its governed
 * table, column by name (src/evaluate/permission.c), and masks a query of
 * the parent with the parent's permissions.  Two shapes would break that,
 * and are refused whenever a statement could make them (CREATE TABLE ...
 * PARTITION OF / INHERITS, any ALTER TABLE of a relation of the tree, and
 * flp.protect):
 *   - a member with a parent outside the tree: its rows would be read
 *     unmasked through that parent;
 *   - a member whose generated column is computed from a column the
 *     governed table's same column is not computed from: the value could
 *     show a hidden field that the governed table's permissions do not see.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_inherits.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "flp.h"
#include "utility/utility.h"

PG_FUNCTION_INFO_V1(flp_check_tree_sql);

/* The parents of a relation (pg_inherits). */
static List *
relation_parents(Oid relid)
{
	Relation	inherits = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *parents = NIL;

	ScanKeyInit(&key, Anum_pg_inherits_inhrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(inherits, InheritsRelidSeqnoIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		parents = lappend_oid(parents, ((Form_pg_inherits) GETSTRUCT(tuple))->inhparent);
	systable_endscan(scan);
	table_close(inherits, AccessShareLock);
	return parents;
}

/*
 * The columns (attribute numbers) a generated column of relid is computed
 * from, read from pg_attrdef: no relation of the tree is opened (a parallel
 * restore's workers alter the tree's relations at once, each holding its
 * own; opening another's would deadlock).
 */
static Bitmapset *
generation_sources(Oid relid, AttrNumber attnum)
{
	Relation	attrdef = table_open(AttrDefaultRelationId, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	Bitmapset  *varattnos = NULL;
	Bitmapset  *sources = NULL;
	int			k = -1;

	ScanKeyInit(&keys[0], Anum_pg_attrdef_adrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_attrdef_adnum, BTEqualStrategyNumber, F_INT2EQ,
				Int16GetDatum(attnum));
	scan = systable_beginscan(attrdef, AttrDefaultIndexId, true, NULL, 2, keys);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		bin = heap_getattr(tuple, Anum_pg_attrdef_adbin,
									   RelationGetDescr(attrdef), &isnull);

		if (!isnull)
			pull_varattnos(stringToNode(TextDatumGetCString(bin)), 1, &varattnos);
	}
	systable_endscan(scan);
	table_close(attrdef, AccessShareLock);
	while ((k = bms_next_member(varattnos, k)) >= 0)
		sources = bms_add_member(sources, k + FirstLowInvalidHeapAttributeNumber);
	return sources;
}

/* A live column of relid (pg_attribute), or NULL; the caller releases it. */
static HeapTuple
live_column(Oid relid, AttrNumber attnum)
{
	HeapTuple	tuple = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));

	if (HeapTupleIsValid(tuple) && ((Form_pg_attribute) GETSTRUCT(tuple))->attisdropped)
	{
		ReleaseSysCache(tuple);
		return NULL;
	}
	return HeapTupleIsValid(tuple) ? tuple : NULL;
}

/*
 * Is every column member's generated column attnum (named name) is computed
 * from one that root's column of the same name is computed from?  (A system
 * column or the whole row counts as one root's is not.)
 */
static bool
same_sources(Oid member, Oid root, AttrNumber attnum, const char *name, char **culprit)
{
	AttrNumber	rootatt = get_attnum(root, name);
	Bitmapset  *theirs = NULL;
	Bitmapset  *ours = generation_sources(member, attnum);
	int			k = -1;

	*culprit = NULL;
	if (rootatt > 0 && get_attgenerated(root, rootatt))
	{
		Bitmapset  *root_sources = generation_sources(root, rootatt);
		int			r = -1;

		while ((r = bms_next_member(root_sources, r)) >= 0)
			if (r > 0)
				theirs = bms_add_member(theirs, r);
	}
	while ((k = bms_next_member(ours, k)) >= 0)
	{
		char	   *source = k > 0 ? get_attname(member, k, true) : NULL;
		AttrNumber	in_root = source ? get_attnum(root, source) : InvalidAttrNumber;

		if (in_root <= 0 || !bms_is_member(in_root, theirs))
		{
			*culprit = source ? source : pstrdup("(a system column or the row)");
			return false;
		}
	}
	return true;
}

/* Refuse a member of root's tree (the relids of tree) of a shape flp cannot follow. */
static void
check_member(Oid root, List *tree, Oid relid)
{
	ListCell   *lc;
	AttrNumber	att;
	int			natts;

	foreach(lc, relation_parents(relid))
		if (!list_member_oid(tree, lfirst_oid(lc)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("\"%s\", a partition or child of governed table \"%s\", cannot also be a child of table \"%s\"",
							flp_table_name(relid), flp_table_name(root),
							flp_table_name(lfirst_oid(lc))),
					 errdetail("Its rows would be read through that table, where flp's rules of \"%s\" do not apply.",
							   flp_table_name(root)),
					 errhint("A partition or child of a governed table may have parents only in its governed table's tree.")));
	if (relid == root)
		return;
	natts = flp_relnatts(relid);
	for (att = 1; att <= natts; att++)
	{
		HeapTuple	tuple = live_column(relid, att);
		char	   *name;
		char	   *culprit;
		bool		generated;

		if (tuple == NULL)
			continue;
		generated = ((Form_pg_attribute) GETSTRUCT(tuple))->attgenerated != '\0';
		name = pstrdup(NameStr(((Form_pg_attribute) GETSTRUCT(tuple))->attname));
		ReleaseSysCache(tuple);
		if (!generated || same_sources(relid, root, att, name, &culprit))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("\"%s\", a partition or child of governed table \"%s\", computes generated column \"%s\" from \"%s\", which \"%s\" does not compute it from",
						flp_table_name(relid), flp_table_name(root), name,
						culprit, flp_table_name(root)),
				 errdetail("flp decides the column's visibility from the governed table's expression: its values could show a field hidden from a role."),
				 errhint("Give the column the same expression as in \"%s\".", flp_table_name(root))));
	}
}

/*
 * Refuse a governed tree that relid (a relation of it, or none) and the
 * relations below it would give a shape flp cannot follow (see the header).
 */
void
flp_check_governed_tree(Oid relid)
{
	Oid			root;
	List	   *tree;
	ListCell   *lc;

	if (!OidIsValid(relid) || get_rel_relkind(relid) == '\0')
		return;
	root = flp_governed_root(relid);
	if (!OidIsValid(root))
		return;
	tree = find_all_inheritors(root, NoLock, NULL);
	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
		check_member(root, tree, lfirst_oid(lc));
}

/*
 * After CREATE TABLE or ALTER TABLE: a new partition or child of a governed
 * table is guarded (partitions.c), and the trees the statement touched are
 * checked.
 */
void
flp_follow_tree_changes(Node *parsetree)
{
	if (IsA(parsetree, CreateStmt))
	{
		Oid			created = flp_created_child((CreateStmt *) parsetree);

		flp_guard_new_child(created);
		flp_check_governed_tree(created);
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		Oid			attached = flp_attached_child(stmt);

		flp_guard_new_child(attached);
		flp_check_governed_tree(attached);
		flp_check_governed_tree(RangeVarGetRelid(stmt->relation, NoLock, true));
	}
}

/* flp_internal.check_tree(tbl regclass): flp_check_governed_tree, for flp.protect. */
Datum
flp_check_tree_sql(PG_FUNCTION_ARGS)
{
	flp_check_governed_tree(PG_GETARG_OID(0));
	PG_RETURN_VOID();
}
