/*-------------------------------------------------------------------------
 *
 * planner.h
 *	  Declarations shared by the planner passes of flp (src/planner/).
 *
 * The hooks (src/hooks.c) run the passes; the passes read permissions
 * through the evaluator (src/evaluate/) and never call back into the hooks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_PLANNER_H
#define FLP_PLANNER_H

#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
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

/*
 * The planning of one query: what the passes share, handed from pass to pass
 * (no pass keeps state of its own between calls).
 */
typedef struct Rewriter
{
	Oid			roleid;
	List	   *rels;			/* RelPerms * */
	HTAB	   *rels_by_id;		/* relid -> RelPerms *, once rels is long */
	HTAB	   *memo;			/* Query * -> QueryTaint */
	List	   *created;		/* Query * whose taint is memoised, in order */
	List	   *untrusted;		/* securityQuals that are not policies (walk.c) */
	List	   *srf_calls;		/* FuncExpr * the planner may inline (inlining.c) */
	List	   *published;		/* Query * of published views in force (published.c) */
} Rewriter;

typedef struct GovernedWalk
{
	Rewriter   *rw;
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
 * An expression slot of a query level (walk.c): where it is, the name of its
 * clause in error messages, and what the query does with its values.
 */
typedef enum FlpSlotUse
{
	FLP_SLOT_SHOWN,				/* output: a SELECT's target list, RETURNING */
	FLP_SLOT_SOURCE,			/* rows read or counted: functions, VALUES, LIMIT */
	FLP_SLOT_FILTER,			/* decides which rows: no hidden value in it */
	FLP_SLOT_WRITTEN,			/* values written: none derived from a hidden one */
	FLP_SLOT_ALIASES			/* a join's output columns: plain Vars */
} FlpSlotUse;

typedef struct FlpSlot
{
	Query	   *query;			/* the level */
	RangeTblEntry *rte;			/* the entry it belongs to, or NULL */
	Node	  **expr;			/* never NULL where it points */
	const char *clause;
	FlpSlotUse	use;
} FlpSlot;

typedef void (*FlpSlotFn) (FlpSlot *slot, void *arg);
typedef void (*FlpOrderingFn) (Query *q, List *clauses, const char *clause, void *arg);
typedef bool (*FlpVarTest) (Var *var, void *arg);
typedef Node *(*FlpVarMap) (Var *var, void *arg);

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
extern void flp_deny_as(Oid roleid, Oid viewid);
extern void flp_deny_use(const Origin *o, const char *clause, bool source);
extern void flp_deny_view_use(const Origin *o, Oid viewid, AttrNumber attno,
							  const char *clause);
extern void flp_deny_write(Oid relid, AttrNumber attnum, FlpPermission perm,
						   const char *command);
extern void flp_deny_required(Oid relid, AttrNumber attnum,
							  FlpPermission perm, bool update);

/* taint.c */
extern const Origin *flp_expr_taint(Rewriter *rw, Level *lv, Node *expr);
extern const QueryTaint *flp_query_taint(Rewriter *rw, Query *q, Level *up);
extern bool flp_view_column_via(Rewriter *rw, Level *lv, Node *expr, Oid *viewid,
								AttrNumber *attno);

/* walk.c */
extern bool flp_is_untrusted_qual(Rewriter *rw, Node *qual);
extern void flp_note_untrusted_qual(Rewriter *rw, Node *qual);
extern void flp_query_slots(Rewriter *rw, Query *q, FlpSlotFn fn, void *arg);
extern void flp_query_orderings(Query *q, FlpOrderingFn fn, void *arg);
extern bool flp_is_published(Rewriter *rw, Query *q);
extern List *flp_child_queries(Rewriter *rw, Query *q);
extern void flp_for_each_rte(Query *query, RteCallback fn, void *arg);
extern bool flp_entry_vars_any(Node *node, Index rti, Index levelsup,
							   FlpVarTest test, void *arg);
extern Node *flp_entry_vars_map(Node *node, Index rti, Index levelsup,
								FlpVarMap map, void *arg);
extern FuncExpr *flp_inlinable_call(RangeTblEntry *rte);

/* refuse.c */
extern void flp_check_query(Rewriter *rw, Query *q, Level *up);

/* writes.c */
extern void flp_check_writes(Rewriter *rw, Level *lv);

/* mask_values.c */
extern void flp_mask_values_init(void);
extern Node *flp_mask_of(Var *var, Oid maskfn);
extern Node *flp_column_for_role(RelPerms *rp, const Var *like, Index varno,
								 AttrNumber att, Index levelsup, Form_pg_attribute a);

/* mask.c */
extern void flp_mask_query(Rewriter *rw, Query *q);

/* reader_rls.c */
extern bool flp_apply_reader_rls(Rewriter *rw, Query *q, bool fresh, int depth);

/* policies.c */
extern bool flp_is_guard_qual(Node *qual, Oid guard);
extern bool flp_is_statistics_catalog(Oid relid);
extern bool flp_governed_walker(Node *node, GovernedWalk *gw);

/* published.c */
extern void flp_published_views(Rewriter *rw, Query *q);

/* marks.c */
extern void flp_mark_plan(PlannedStmt *result, uint64 made_with, bool published);
extern bool flp_plan_reads_published(PlannedStmt *pstmt);
extern void flp_check_plan_marks(PlannedStmt *pstmt);
extern Oid	flp_unmarked_governed_relation(PlannedStmt *pstmt);

/* inlining.c */
extern bool flp_keep_function_call(Oid fn_oid, bool planning, List *calls);
extern void flp_inlining_init(void);

/* indexes.c */
extern bool flp_attnos_hidden(Bitmapset *attnos, const uint8 *perm, int natts);
extern void flp_hide_indexes(Rewriter *rw, Oid roleid, Oid relid, RelOptInfo *rel);

/* relations.c */
extern int	flp_row_rules(Oid relid);
extern void flp_subject_rte_checks(Query *q, Index rti, RangeTblEntry *rte, void *arg);

#endif							/* FLP_PLANNER_H */
