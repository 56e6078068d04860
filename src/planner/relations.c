/*-------------------------------------------------------------------------
 *
 * relations.c
 *	  Checks of each relation a subject's query reads.
 *
 * A governed relation must carry flp's guard; statistics catalogs are filtered
 * so that no statistics of governed tables show; a subject with BYPASSRLS may
 * neither read a table with row rules nor write one that hides fields from it;
 * a SERIALIZABLE read by a role that row rules scope locks such tables whole.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "rewrite/rowsecurity.h"
#include "storage/predicate.h"
#include "utils/lsyscache.h"
#include "utils/relcache.h"

#include "flp.h"
#include "planner/planner.h"

/* Plan a query that touches a governed table (see the file header). */
/* The OIDs as a constant oid[]. */
static Const *
oid_array_const(List *oids)
{
	Datum	   *items = palloc(sizeof(Datum) * Max(list_length(oids), 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, oids)
		items[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	return makeConst(OIDARRAYOID, -1, InvalidOid, -1,
					 PointerGetDatum(construct_array(items, n, OIDOID, sizeof(Oid), true,
													 TYPALIGN_INT)),
					 false, false);
}

/*
 * A subject reads no statistics of governed tables, whatever its row-level
 * attributes: PostgreSQL's pg_stats hides them only where row-level security
 * is active for the reader, which BYPASSRLS skips.  Every scan of a
 * statistics catalog in a subject's query gets the security qual
 * "<its table> <> ALL (governed tables and their children)".
 */
static void
filter_statistics(Query *q, Index rti, RangeTblEntry *rte, void *arg)
{
	List	  **governed = (List **) arg;
	ScalarArrayOpExpr *qual;

	if (rte->rtekind != RTE_RELATION || !flp_is_statistics_catalog(rte->relid))
		return;
	if (*governed == NIL)
		*governed = flp_governed_relids();	/* only for queries that read statistics */
	qual = makeNode(ScalarArrayOpExpr);
	qual->opno = OpernameGetOprid(list_make2(makeString("pg_catalog"), makeString("<>")),
								  OIDOID, OIDOID);
	qual->opfuncid = get_opcode(qual->opno);
	qual->useOr = false;
	qual->inputcollid = InvalidOid;
	qual->args = list_make2(makeVar(rti, rte->relid == StatisticRelationId ?
									Anum_pg_statistic_starelid : Anum_pg_statistic_ext_stxrelid,
									OIDOID, -1, InvalidOid, 0),
							oid_array_const(*governed));
	qual->location = -1;
	rte->securityQuals = lappend(rte->securityQuals, qual);
}

/*
 * Which of flp's row rules a governed relation carries: FLP_RULES_DATA (data
 * rules, for every subject), FLP_RULES_SCOPE (partner scope and inheritance
 * rules, for partner users).
 */
int
flp_row_rules(Oid relid)
{
	Relation	rel = relation_open(relid, AccessShareLock);	/* held already when planning */
	int			rules = 0;
	ListCell   *lc;

	if (rel->rd_rsdesc != NULL)
		foreach(lc, rel->rd_rsdesc->policies)
			rules |= flp_policy_rule(((RowSecurityPolicy *) lfirst(lc))->policy_name);
	relation_close(rel, NoLock);
	return rules;
}

/* Does a governed relation carry one of flp's row rules? */
bool
flp_has_row_rules(Oid relid)
{
	return flp_row_rules(relid) != 0;
}

/*
 * A subject with BYPASSRLS skips row-level security, on which PostgreSQL
 * relies to keep hidden values out of constraint errors and flp relies to
 * scope rows.  Such a subject may read governed tables without row rules
 * (masked as for anyone), but neither read a table with row rules nor write
 * one that hides fields from it.
 */
static void
check_bypassrls(Query *q, Index rti, RangeTblEntry *rte, Oid roleid)
{
	const char *why = NULL;

	if (flp_has_row_rules(rte->relid))
		why = "Its rows are scoped by flp's row rules, which row-level security enforces.";
	else if (rti == (Index) q->resultRelation &&
			 flp_table_permissions(roleid, rte->relid)->hides)
		why = "Constraint errors of a write would show its hidden fields, which only row-level security keeps out of error messages.";
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" bypasses row-level security and cannot %s governed table \"%s\"",
						GetUserNameFromId(roleid, false),
						rti == (Index) q->resultRelation ? "write" : "read",
						flp_table_name(rte->relid)),
				 errdetail_internal("%s", why),
				 errhint("Remove the attribute with ALTER ROLE ... NOBYPASSRLS, or make the role a super admin."),
				 flp_errtablecol(rte->relid, 0)));
}


/*
 * Every range table entry of a subject's query: statistics catalogs are
 * filtered; a governed relation must be guarded (fail closed where flp's
 * row-level security is missing, e.g. a table governed by direct DML); a
 * BYPASSRLS subject's entries are checked as above.
 */
void
flp_subject_rte_checks(Query *q, Index rti, RangeTblEntry *rte, void *arg)
{
	SubjectChecks *sc = (SubjectChecks *) arg;

	if (rte->rtekind != RTE_RELATION || rte->relkind == RELKIND_COMPOSITE_TYPE)
		return;
	if (flp_is_statistics_catalog(rte->relid))
	{
		filter_statistics(q, rti, rte, &sc->governed);
		return;
	}
	if (!flp_is_governed(rte->relid, NULL))
		return;
	if (!flp_governed_guarded(rte->relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("governed table \"%s\" has no guard", flp_table_name(rte->relid)),
				 errdetail("Its row-level security is not enabled and forced: PostgreSQL would show its values in error messages and skip flp's row rules."),
				 errhint("A super admin puts the guard back with flp.protect('%s').",
						 flp_table_name(flp_governed_root(rte->relid)))));
	if (sc->bypassrls)
		check_bypassrls(q, rti, rte, sc->roleid);
}

/*
 * A SERIALIZABLE scan takes a predicate (SIRead) lock on every row and index
 * page it fetches, before row-level security filters the rows out: which
 * writes then conflict with it -- a serialization failure (40001) between
 * two of a subject's own sessions -- tells which rows outside its scope
 * matched a condition, as pg_locks would.  For a role that row rules scope,
 * flp locks each governed table with row rules that the statement reads,
 * and its indexes, whole: PostgreSQL then takes no finer lock under them,
 * and a conflict says only that the table was written.  (More conflicts,
 * never fewer: serializability holds.)
 */
void
flp_coarsen_predicate_locks(PlannedStmt *stmt, Snapshot snapshot)
{
	ListCell   *lc;

	if (!IsolationIsSerializable() || snapshot == NULL || stmt->rtable == NIL ||
		!flp_counters_refused(GetUserId()))
		return;
	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);
		Relation	rel;
		ListCell   *lc2;

		if (rte->rtekind != RTE_RELATION || !flp_is_governed(rte->relid, NULL) ||
			!flp_has_row_rules(rte->relid))
			continue;
		rel = relation_open(rte->relid, AccessShareLock);
		PredicateLockRelation(rel, snapshot);
		foreach(lc2, RelationGetIndexList(rel))
		{
			Relation	index = index_open(lfirst_oid(lc2), AccessShareLock);

			PredicateLockRelation(index, snapshot);
			index_close(index, AccessShareLock);
		}
		relation_close(rel, AccessShareLock);
	}
}
