/*-------------------------------------------------------------------------
 *
 * maintenance.c
 *	  Maintenance commands a subject may not run on governed tables.
 *
 * The owner of a table, and since PostgreSQL 17 whoever holds MAINTAIN on
 * it or is a member of pg_maintain, may VACUUM, ANALYZE, CLUSTER, REINDEX
 * (and in 19 REPACK) it.  Two things of those commands read around flp:
 *
 *	  - CLUSTER and REPACK ... USING INDEX rewrite the table in the order of
 *		an index: on an index over a field hidden from the role, the rows'
 *		physical order (ctid, or a plain SELECT) is the hidden field's order;
 *	  - all of them count every row of the table, in VERBOSE messages and in
 *		the pg_stat_progress_* views the role reads: on a table whose rows
 *		flp's row rules scope, that is the number of rows out of scope; and
 *		they store the number of rows of each index in pg_class, which every
 *		role reads: for a partial index whose predicate reads a hidden field,
 *		the number of rows that match it (after deleting one row in its own
 *		transaction, a role would learn whether that row matches).
 *
 * So a role that is not a super admin may not run an ordering command on an
 * index that reads a field hidden from it, nor any of them on a governed
 * table with row rules or with a partial index over a field hidden from it
 * (autovacuum and administrators maintain those).  The
 * tables are those the statement names with their partitions and children;
 * a statement that names none (VACUUM; CLUSTER;) stands for every governed
 * table the role may maintain.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/sysattr.h"
#include "catalog/namespace.h"
#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"
#include "utility/utility.h"

/* What one maintenance statement does to the tables it names. */
typedef struct Maintenance
{
	const char *command;		/* for messages */
	List	   *tables;			/* RangeVar *; NIL: every table it may */
	Oid			schema;			/* with NIL: only those of this schema, if valid */
	const char *index;			/* ordering index, by name; NULL: none named */
	bool		orders;			/* rewrites in an index's order */
} Maintenance;

/*
 * Does the index (its pg_index row) read a field hidden by p: with its keys
 * (columns and expressions: its order) when keys, with its predicate (how
 * many rows it holds) otherwise?
 */
static bool
index_reads_hidden(HeapTuple indextuple, const FlpTablePermissions *p, bool keys)
{
	Form_pg_index index = (Form_pg_index) GETSTRUCT(indextuple);
	Bitmapset  *cols = NULL;
	bool		isnull;
	Datum		d;

	if (keys)
	{
		for (int i = 0; i < index->indnkeyatts; i++)
			cols = bms_add_member(cols, index->indkey.values[i] - FirstLowInvalidHeapAttributeNumber);
		d = SysCacheGetAttr(INDEXRELID, indextuple, Anum_pg_index_indexprs, &isnull);
	}
	else
		d = SysCacheGetAttr(INDEXRELID, indextuple, Anum_pg_index_indpred, &isnull);
	if (!isnull)
		pull_varattnos(stringToNode(TextDatumGetCString(d)), 1, &cols);
	return flp_attnos_hidden(cols, p->permission, p->natts);
}

/* The same, for an index by its OID. */
static bool
index_oid_reads_hidden(Oid indexoid, const FlpTablePermissions *p, bool keys)
{
	HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	bool		result;

	if (!HeapTupleIsValid(tuple))
		return false;
	result = index_reads_hidden(tuple, p, keys);
	ReleaseSysCache(tuple);
	return result;
}

/* The indexes of a table (pg_index rows, copied). */
static List *
table_indexes(Oid relid)
{
	Relation	rel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, IndexIndrelidIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		result = lappend(result, heap_copytuple(tuple));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* The index a table is clustered on (CLUSTER without USING), or InvalidOid. */
static Oid
clustered_index(Oid relid)
{
	ListCell   *lc;

	foreach(lc, table_indexes(relid))
	{
		Form_pg_index index = (Form_pg_index) GETSTRUCT((HeapTuple) lfirst(lc));

		if (index->indisclustered)
			return index->indexrelid;
	}
	return InvalidOid;
}

/* Refuse an ordering statement on an index over a field hidden from the role. */
static void
check_order(Maintenance *m, Oid relid, Oid roleid)
{
	const FlpTablePermissions *p;
	Oid			indexoid = InvalidOid;

	if (!m->orders || !flp_is_governed(relid, NULL))
		return;
	p = flp_table_permissions(roleid, relid);
	if (!p->hides)
		return;
	if (m->index != NULL)
		indexoid = get_relname_relid(m->index, get_rel_namespace(relid));
	if (!OidIsValid(indexoid))
		indexoid = clustered_index(relid);
	if (OidIsValid(indexoid) && index_oid_reads_hidden(indexoid, p, true))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s governed table \"%s\" on index \"%s\"",
						m->command, flp_table_name(relid), flp_table_name(indexoid)),
				 errdetail("The index reads a field hidden from role \"%s\": the table's physical order would show that field's order.",
						   GetUserNameFromId(roleid, false)),
				 errhint("Order the table by an index of visible fields, or leave it to flp's administrators."),
				 flp_errtablecol(relid, 0)));
}

/*
 * Refuse any maintenance statement on a governed table with row rules, or
 * with a partial index whose predicate reads a field hidden from the role:
 * the statement counts the rows (VERBOSE, progress views), and stores the
 * count of the index's rows in pg_class, where every role reads it.
 */
static void
check_counts(Maintenance *m, Oid relid, Oid roleid)
{
	const FlpTablePermissions *p;
	ListCell   *lc;

	if (!flp_is_governed(relid, NULL))
		return;
	if (flp_has_row_rules(relid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s governed table \"%s\"", m->command,
						flp_table_name(relid)),
				 errdetail("Its rows are scoped by flp's row rules, and the command counts all of them, also those outside the role's scope."),
				 errhint("Leave the table to autovacuum and to flp's administrators."),
				 flp_errtablecol(relid, 0)));
	p = flp_table_permissions(roleid, relid);
	if (!p->hides)
		return;
	foreach(lc, table_indexes(relid))
	{
		Form_pg_index index = (Form_pg_index) GETSTRUCT((HeapTuple) lfirst(lc));

		if (!heap_attisnull(lfirst(lc), Anum_pg_index_indpred, NULL) &&
			index_reads_hidden(lfirst(lc), p, false))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to %s governed table \"%s\"", m->command,
							flp_table_name(relid)),
					 errdetail("Its partial index \"%s\" selects rows by a field hidden from role \"%s\", and the command would count the rows it holds.",
							   flp_table_name(index->indexrelid), GetUserNameFromId(roleid, false)),
					 errhint("Leave the table to autovacuum and to flp's administrators."),
				 flp_errtablecol(relid, 0)));
	}
}

/*
 * Check the tables the statement names (with their partitions and children
 * for the row rules; a partitioned table's partitions follow its index), or
 * every governed table the role may maintain.
 */
static void
check_maintenance(Maintenance *m)
{
	Oid			roleid = GetUserId();
	ListCell   *lc;

	if (flp_catalog() == NULL || flp_is_super_admin(roleid))
		return;
	if (m->tables == NIL)
	{
		foreach(lc, flp_governed_relids())
		{
			Oid			relid = lfirst_oid(lc);

			if ((!OidIsValid(m->schema) || get_rel_namespace(relid) == m->schema) &&
				flp_may_maintain(relid, roleid))
			{
				check_counts(m, relid, roleid);
				check_order(m, relid, roleid);
			}
		}
		return;
	}
	foreach(lc, m->tables)
	{
		Oid			relid = RangeVarGetRelid(lfirst(lc), NoLock, true);
		ListCell   *lc2;

		if (!OidIsValid(relid))
			continue;
		foreach(lc2, find_all_inheritors(relid, NoLock, NULL))
			check_counts(m, lfirst_oid(lc2), roleid);
		check_order(m, relid, roleid);
	}
}

/* The tables of VACUUM and ANALYZE (VacuumRelation *). */
static List *
vacuum_tables(List *rels)
{
	List	   *tables = NIL;
	ListCell   *lc;

	foreach(lc, rels)
		if (((VacuumRelation *) lfirst(lc))->relation != NULL)
			tables = lappend(tables, ((VacuumRelation *) lfirst(lc))->relation);
	return tables;
}

#if PG_VERSION_NUM >= 190000
/* CLUSTER, REPACK and VACUUM FULL are one statement in 19. */
static void
read_ordering(Node *parsetree, Maintenance *m)
{
	RepackStmt *stmt = (RepackStmt *) parsetree;

	m->command = stmt->command == REPACK_COMMAND_CLUSTER ? "cluster" :
		stmt->command == REPACK_COMMAND_VACUUMFULL ? "vacuum" : "repack";
	m->tables = stmt->relation != NULL && stmt->relation->relation != NULL ?
		list_make1(stmt->relation->relation) : NIL;
	m->index = stmt->indexname;
	m->orders = stmt->usingindex || stmt->command == REPACK_COMMAND_CLUSTER;
}
#else
static void
read_ordering(Node *parsetree, Maintenance *m)
{
	ClusterStmt *stmt = (ClusterStmt *) parsetree;

	m->command = "cluster";
	m->tables = stmt->relation != NULL ? list_make1(stmt->relation) : NIL;
	m->index = stmt->indexname;
	m->orders = true;
}
#endif

/*
 * flp_check_maintenance: refuse a VACUUM, ANALYZE, CLUSTER, REPACK or
 * REINDEX of governed tables that would tell a subject what flp hides (see
 * the file header).
 */
void
flp_check_maintenance(Node *parsetree)
{
	Maintenance m = {NULL, NIL, InvalidOid, NULL, false};

	if (IsA(parsetree, VacuumStmt))
	{
		VacuumStmt *stmt = (VacuumStmt *) parsetree;

		ListCell   *lc;

		foreach(lc, stmt->options)
			if (strcmp(((DefElem *) lfirst(lc))->defname, "only_database_stats") == 0)
				return;			/* reads no table */
		m.command = stmt->is_vacuumcmd ? "vacuum" : "analyze";
		m.tables = vacuum_tables(stmt->rels);
		if (stmt->rels != NIL && m.tables == NIL)
			return;
	}
	else if (IsA(parsetree, ReindexStmt))
	{
		ReindexStmt *stmt = (ReindexStmt *) parsetree;

		m.command = "reindex";
		if (stmt->kind == REINDEX_OBJECT_SYSTEM)
			return;				/* system catalogs only */
		if (stmt->kind == REINDEX_OBJECT_SCHEMA)
			m.schema = get_namespace_oid(stmt->name, false);
		else if (stmt->kind == REINDEX_OBJECT_INDEX)
		{
			Oid			indexoid = RangeVarGetRelid(stmt->relation, NoLock, true);
			char		relkind = get_rel_relkind(indexoid);

			if (relkind != RELKIND_INDEX && relkind != RELKIND_PARTITIONED_INDEX)
				return;			/* no index: PostgreSQL's error */
			m.tables = list_make1(makeRangeVar(get_namespace_name(get_rel_namespace(indexoid)),
											   get_rel_name(IndexGetRelation(indexoid, false)), -1));
		}
		else if (stmt->relation != NULL)
			m.tables = list_make1(stmt->relation);
	}
	else
		read_ordering(parsetree, &m);
	check_maintenance(&m);
}
