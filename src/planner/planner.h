/*-------------------------------------------------------------------------
 *
 * planner.h
 *	  Declarations shared by the planner passes of flp (src/planner/).
 *
 * The hooks (src/hooks.c) run the passes; the passes read permissions
 * through the evaluator (evaluate.c) and never call back into the hooks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_PLANNER_H
#define FLP_PLANNER_H

#include "nodes/parsenodes.h"
#include "utils/rel.h"

#include "flp.h"

/* A relation's permissions, copied for the duration of one planning. */
typedef struct RelPerms
{
	Oid			relid;
	bool		governed;
	bool		restricted;		/* some field is not edit */
	bool		hides;			/* some field is hidden */
	AttrNumber	hidden_partkey;	/* a hidden column of its partition key, or 0 */
	FlpTablePermissions p;
} RelPerms;

/* A hidden field a value comes from. */
typedef struct Origin
{
	Oid			relid;
	AttrNumber	attnum;
} Origin;

/* The taint of each output column of a query. */
typedef struct QueryTaint
{
	Query	   *query;			/* hash key */
	int			ncols;
	const Origin **cols;		/* [1..ncols] */
	bool		in_progress;
	bool		self_referenced;
} QueryTaint;

/* One query level of the tree being analysed, with its parent. */
typedef struct Level
{
	Query	   *query;
	struct Level *up;
} Level;

typedef struct Rewriter
{
	Oid			roleid;
	List	   *rels;			/* RelPerms * */
	HTAB	   *memo;			/* Query * -> QueryTaint */
	List	   *created;		/* Query * whose taint is memoised, in order */
} Rewriter;

typedef struct GovernedWalk
{
	const FlpCatalog *catalog;
	Oid			guard;
	bool		found;
	bool		classify;		/* first walk: find untrusted quals */
} GovernedWalk;

/* What the per-entry checks of a subject's query need. */
typedef struct SubjectChecks
{
	Oid			roleid;
	bool		bypassrls;		/* the role has BYPASSRLS */
	List	   *governed;		/* governed relations, once a statistics catalog is read */
} SubjectChecks;

/*
 * Call fn on every expression tree of one query level, but not on trusted
 * row-level security quals nor inside subqueries of the range table or CTEs
 * (they are levels of their own).
 */
typedef void (*level_expr_fn) (Node *expr, void *arg);

/*
 * Call fn for every range table entry of every query level of node (sublinks,
 * subqueries and CTEs included), with the query and its index there.
 */
typedef void (*RteCallback) (Query *q, Index rti, RangeTblEntry *rte, void *arg);

/* permissions.c */
extern RelPerms *flp_rel_perms(Rewriter *rw, Oid relid);
extern FlpPermission flp_perm_of(RelPerms *rp, AttrNumber att);
extern const Origin *flp_make_origin(Oid relid, AttrNumber attnum);

/* denials.c */
extern void flp_log_denial(const char *role, const char *table, const char *field,
						   const char *what);
extern void flp_deny_use(const Origin *o, const char *clause, bool source);
extern void flp_deny_write(Oid relid, AttrNumber attnum, FlpPermission perm,
						   const char *command);
extern void flp_deny_required(Oid relid, AttrNumber attnum,
							  FlpPermission perm);

/* taint.c */
extern const Origin *flp_expr_taint(Rewriter *rw, Level *lv, Node *expr);
extern const QueryTaint *flp_query_taint(Rewriter *rw, Query *q, Level *up);

/* walk.c */
extern List *flp_untrusted_quals;
extern bool flp_is_untrusted_qual(Node *qual);
extern bool flp_trusted_rte_quals(RangeTblEntry *rte);
extern bool flp_trusted_check_option(Query *q, WithCheckOption *wco);
extern void flp_for_level_expressions(Query *q, level_expr_fn fn, void *arg);
extern List *flp_child_queries(Query *q);
extern void flp_for_each_rte(Query *query, RteCallback fn, void *arg);

/* refuse.c */
extern void flp_check_query(Rewriter *rw, Query *q, Level *up);

/* writes.c */
extern void flp_check_writes(Rewriter *rw, Level *lv);

/* mask_values.c */
extern void flp_mask_cache_reset(Datum arg, int cacheid, uint32 hashvalue);
extern Node *flp_mask_of(Var *var, Oid maskfn);
extern Node *flp_column_for_role(RelPerms *rp, Index varno, AttrNumber att,
								 Index levelsup, Form_pg_attribute a);

/* mask.c */
extern void flp_mask_query(Rewriter *rw, Query *q);

/* reader_rls.c */
extern uint64 flp_reader_rls_added;
extern void flp_apply_reader_rls(Query *q, bool fresh, int depth);

/* policies.c */
extern bool flp_is_guard_qual(Node *qual, Oid guard);
extern bool flp_is_statistics_catalog(Oid relid);
extern bool flp_governed_walker(Node *node, GovernedWalk *gw);

/* relations.c */
extern int	flp_row_rules(Oid relid);
extern void flp_subject_rte_checks(Query *q, Index rti, RangeTblEntry *rte, void *arg);

#endif							/* FLP_PLANNER_H */
