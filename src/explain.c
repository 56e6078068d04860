/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  What a subject may see of a plan that reads a governed table.
 *
 * A plan's figures are derived from rows and statistics the subject may not
 * see: EXPLAIN's estimates come from every row's statistics, and EXPLAIN
 * ANALYZE counts rows before row-level security filters them ("Rows Removed
 * by Filter" under an index condition on any field), per partition.  Each
 * is an oracle: bisecting an index condition recovers out-of-scope values.
 * flp.subject_explain, a superuser setting, decides:
 *
 *	 refuse  (default) EXPLAIN of a statement that reads a governed table is
 *			 refused to subjects;
 *	 plan	 the plan's shape only: no ANALYZE, no costs, no figures;
 *	 full	 PostgreSQL's EXPLAIN, all figures (the oracle is accepted).
 *
 * Super admins always get PostgreSQL's EXPLAIN.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "commands/prepare.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "portability/instr_time.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/syscache.h"

#include "flp.h"

/* Values of flp.subject_explain. */
typedef enum FlpSubjectExplain
{
	FLP_EXPLAIN_REFUSE,
	FLP_EXPLAIN_PLAN,
	FLP_EXPLAIN_FULL
} FlpSubjectExplain;

static const struct config_enum_entry subject_explain_options[] = {
	{"refuse", FLP_EXPLAIN_REFUSE, false},
	{"plan", FLP_EXPLAIN_PLAN, false},
	{"full", FLP_EXPLAIN_FULL, false},
	{NULL, 0, false}
};

static int	subject_explain = FLP_EXPLAIN_REFUSE;

/* The first governed table a (rewritten) query reads, at any level. */
static bool
governed_rte_walker(Node *node, Oid *found)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION && flp_is_governed(rte->relid, NULL))
		{
			*found = rte->relid;
			return true;
		}
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, governed_rte_walker, found,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, governed_rte_walker, found);
}

/* Refuse, or strip the figures from, a subject's EXPLAIN of a governed read. */
void
flp_restrict_explain(Query *query, ExplainState *es)
{
	Oid			governed = InvalidOid;

	if (subject_explain == FLP_EXPLAIN_FULL || flp_catalog() == NULL ||
		flp_is_super_admin(GetUserId()))
		return;
	if (es->analyze && flp_governs_any())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to EXPLAIN ANALYZE in a database where flp governs tables"),
				 errdetail("A run counts the rows and blocks read by everything the statement calls, functions that read governed tables included, before row-level security and field rules filter them."),
				 errhint("Use EXPLAIN without ANALYZE; a superuser can allow it with flp.subject_explain = 'full'.")));
	if (!governed_rte_walker((Node *) query, &governed))
		return;
	if (subject_explain == FLP_EXPLAIN_REFUSE)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to explain a statement that reads governed table \"%s\"",
						flp_table_name(governed)),
				 errdetail("A plan's estimates and row counts come from rows and values the role may not see."),
				 errhint("Run the statement itself; a superuser can allow plans without figures with flp.subject_explain = 'plan'."),
				 flp_errtablecol(governed, 0)));
	if (es->analyze)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to EXPLAIN ANALYZE a statement that reads governed table \"%s\"",
						flp_table_name(governed)),
				 errdetail("Row counts of a run count rows before row-level security and field rules filter them."),
				 errhint("Use EXPLAIN without ANALYZE: flp.subject_explain = 'plan' shows the plan's shape."),
				 flp_errtablecol(governed, 0)));
	es->costs = false;
	es->buffers = false;
	es->wal = false;
	es->timing = false;
	es->summary = false;
	es->settings = false;
}

/*
 * EXPLAIN EXECUTE name: PostgreSQL explains a prepared statement without
 * ExplainOneQuery_hook, so its options are checked here, from the utility
 * hook: refused under 'refuse'; under 'plan' only with COSTS OFF and without
 * ANALYZE, BUFFERS, WAL, TIMING, SUMMARY or SETTINGS (the options cannot be
 * changed underneath the statement as they are for other EXPLAINs).
 */
void
flp_check_explain_execute(ExplainStmt *stmt)
{
	Query	   *query = (Query *) stmt->query;
	ExecuteStmt *execute;
	PreparedStatement *prepared;
	Oid			governed = InvalidOid;
	bool		costs = true;
	bool		figures = false;
	ListCell   *lc;

	if (subject_explain == FLP_EXPLAIN_FULL || !IsA(query, Query) ||
		flp_is_super_admin(GetUserId()))
		return;
	/* EXPLAIN CREATE TABLE ... AS EXECUTE name goes the same way */
	while (query->commandType == CMD_UTILITY && IsA(query->utilityStmt, CreateTableAsStmt) &&
		   IsA(((CreateTableAsStmt *) query->utilityStmt)->query, Query))
		query = (Query *) ((CreateTableAsStmt *) query->utilityStmt)->query;
	if (query->commandType != CMD_UTILITY || !IsA(query->utilityStmt, ExecuteStmt))
		return;
	execute = (ExecuteStmt *) query->utilityStmt;
	prepared = FetchPreparedStatement(execute->name, false);
	if (prepared == NULL || prepared->plansource->query_list == NIL)
		return;					/* PostgreSQL says it does not exist */
	foreach(lc, stmt->options)
		if (strcmp(((DefElem *) lfirst(lc))->defname, "analyze") == 0 &&
			defGetBoolean(lfirst(lc)) && flp_governs_any())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to EXPLAIN ANALYZE in a database where flp governs tables"),
					 errdetail("A run counts the rows and blocks read by everything the statement calls, functions that read governed tables included, before row-level security and field rules filter them."),
					 errhint("Use EXPLAIN without ANALYZE; a superuser can allow it with flp.subject_explain = 'full'.")));
	foreach(lc, prepared->plansource->query_list)
		if (governed_rte_walker(lfirst(lc), &governed))
			break;
	if (!OidIsValid(governed))
		return;
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst(lc);

		if (strcmp(opt->defname, "costs") == 0)
			costs = defGetBoolean(opt);
		else if (strcmp(opt->defname, "analyze") == 0 || strcmp(opt->defname, "buffers") == 0 ||
				 strcmp(opt->defname, "wal") == 0 || strcmp(opt->defname, "timing") == 0 ||
				 strcmp(opt->defname, "summary") == 0 || strcmp(opt->defname, "settings") == 0)
			figures |= defGetBoolean(opt);
	}
	if (subject_explain == FLP_EXPLAIN_REFUSE || costs || figures)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to explain a statement that reads governed table \"%s\"",
						flp_table_name(governed)),
				 errdetail("A plan's estimates and row counts come from rows and values the role may not see."),
				 subject_explain == FLP_EXPLAIN_REFUSE ?
				 errhint("Run the statement itself; a superuser can allow plans without figures with flp.subject_explain = 'plan'.") :
				 errhint("Use EXPLAIN (COSTS OFF) EXECUTE, without ANALYZE.")));
}

static bool
counter_checker(Oid funcid, void *context)
{
	/* also an operator's function, or a support function of a user's aggregate */
	return (flp_refused_kind(funcid) & REFUSED_COUNTER) != 0;
}

static bool
counter_walker(Node *node, Oid *found)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, counter_walker, found, 0);
	if (IsA(node, FuncExpr) && flp_is_counter_function(((FuncExpr *) node)->funcid))
	{
		*found = ((FuncExpr *) node)->funcid;
		return true;
	}
	/* the parameter defaults the call leaves to the planner */
	if (IsA(node, FuncExpr) &&
		counter_walker((Node *) flp_omitted_defaults(((FuncExpr *) node)->funcid,
													 list_length(((FuncExpr *) node)->args)),
					   found))
		return true;
	if (check_functions_in_node(node, counter_checker, NULL))
	{
		*found = InvalidOid;
		return true;
	}
	return expression_tree_walker(node, counter_walker, found);
}

/* The value of flp.subject_explain (for memos that depend on it). */
int
flp_subject_explain(void)
{
	return subject_explain;
}

/* Do flp's row rules scope the role, so that counters are refused to it? */
bool
flp_counters_refused(Oid roleid)
{
	int			rules;

	if (subject_explain == FLP_EXPLAIN_FULL)
		return false;			/* the same oracle as EXPLAIN ANALYZE, accepted */
	rules = flp_row_rules_present();
	return rules != 0 && !flp_is_super_admin(roleid) &&
		((rules & FLP_RULES_DATA) ||
		 ((rules & FLP_RULES_SCOPE) && flp_role_partner(roleid) != NULL));
}

/* Refuse a query that reads activity counters (for a role they are refused to). */
void
flp_check_counter_calls(Node *tree)
{
	Oid			found = InvalidOid;

	if (counter_walker(tree, &found))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s",
						OidIsValid(found) ? get_func_name(found) : "pg_stat_get_*"),
				 errdetail("Activity counters, lock views and WAL positions see the rows and blocks a query read before flp's row rules filter them, which would tell which or how many rows outside the role's scope match a condition."),
				 errhint("Ask a super admin; a superuser can accept the oracle with flp.subject_explain = 'full'.")));
}

/* Define flp.subject_explain; from _PG_init. */
void
flp_explain_init(void)
{
	/*
	 * flp.subject_explain: an administrator who accepts that plans tell
	 * subjects how many rows (out of their scope too) match a condition --
	 * or wants subjects to see plan shapes for tuning -- sets 'plan' or
	 * 'full'; the default refuses subjects EXPLAIN of governed reads.
	 */
	DefineCustomEnumVariable("flp.subject_explain",
							 "What subjects may see of plans that read governed tables: refuse, plan (shape only) or full.",
							 NULL,
							 &subject_explain,
							 FLP_EXPLAIN_REFUSE,
							 subject_explain_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}
