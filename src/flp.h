/*-------------------------------------------------------------------------
 *
 * flp.h
 *	  Internal declarations of flp, field-level permissions for PostgreSQL.
 *
 * One header for the whole library; its externs are grouped by the source
 * file that defines them.  The layers, each using only those below it:
 *
 *	hooks.c (every hook flp installs), hook_order.c (other libraries' hooks
 *	around flp's), functions.c (every SQL-callable function)
 *	-> the planner passes (src/planner/, declared in planner/planner.h), the
 *	   handlers of utility statements (src/utility/, utility/utility.h),
 *	   explain.c, sequences.c
 *	-> refused_functions.c, data rules and trust (rules.c, trust.c)
 *	-> the evaluator (src/evaluate/)
 *	-> the catalog layer (src/catalog/), catalog_columns.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_H
#define FLP_H

#include "postgres.h"

#include "access/htup.h"
#include "nodes/bitmapset.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/snapshot.h"

#include "catalog_columns.h"
#include "compat.h"

/* Permission of a field: ordered, so that max() is the union. */
typedef enum FlpPermission
{
	FLP_HIDE = 0,
	FLP_READ = 1,
	FLP_EDIT = 2
} FlpPermission;

#define FLP_NO_PERMISSION (-1)	/* "no permission at this step" in a trace */

typedef enum FlpLicense
{
	FLP_VIEWER = 0,
	FLP_VIEWER_ANALYTICS = 1,
	FLP_FULL = 2
} FlpLicense;

typedef enum FlpBundleKind
{
	FLP_INTERNAL = 0,
	FLP_PARTNER = 1
} FlpBundleKind;

#define FLP_DEFAULT_PARTNER_BUNDLE "Default_Partner_Bundle"
#define FLP_ADMIN_ROLE "flp_admin"

/* OIDs of flp's catalog in the current database. */
typedef struct FlpCatalog
{
	Oid			namespace;
	Oid			governed_table;	/* also the "catalog changed" sentinel */
	Oid			excluded_field;
	Oid			excluded_field_pkey;
	Oid			field_mask;
	Oid			field_mask_pkey;
	Oid			inherited_field;
	Oid			inherited_field_pkey;
	Oid			bundle;
	Oid			bundle_pkey;
	Oid			table_permission;
	Oid			table_permission_pkey;
	Oid			table_permission_tbl_idx;
	Oid			field_permission;
	Oid			field_permission_pkey;
	Oid			assignment;
	Oid			assignment_role_idx;
	Oid			rule;
	Oid			registered_user;
	Oid			registered_user_pkey;
	Oid			partner_bundle;
	Oid			partner_bundle_pkey;
	Oid			area_table;
	Oid			area_table_tbl_idx;
	Oid			record_assignment;	/* InvalidOid if absent */
	Oid			record_assignment_partner_idx;	/* likewise */
	Oid			published_view;	/* likewise */
	Oid			permission_type;
	Oid			permission_label[3];	/* by FlpPermission */
	Oid			license_label[3];	/* by FlpLicense */
	Oid			kind_label[2];	/* by FlpBundleKind */
	Oid			admin_role;		/* flp_admin, or InvalidOid */
	Oid			guard_function;	/* flp.guard(), used by the fail-closed policy */
	Oid			is_partner_user_function;	/* the current user, in policies */
	Oid			current_partner_function;
	Oid			is_subject_function;
	Oid			has_bundle_function;
	Oid			record_visible_function;	/* flp.record_visible(regclass, text) */
	Oid			record_visible_key_function;	/* its typed twin, for plans */
} FlpCatalog;

/* A registered user, as read from flp.registered_user. */
typedef struct FlpUser
{
	bool		registered;
	FlpLicense	license;
	Jsonb	   *attributes;		/* NULL when not registered */
	char	   *partner;		/* NULL for internal users */
} FlpUser;

/* A bundle, as read from flp.bundle. */
typedef struct FlpBundle
{
	char	   *name;
	FlpBundleKind kind;
	FlpLicense	license;
	bool		system;
} FlpBundle;

/* A criteria rule, as read from flp.rule. */
typedef struct FlpRule
{
	int64		id;
	char	   *bundle;
	Jsonb	   *criteria;
} FlpRule;

/* A field-level setting, or an excluded field. */
typedef struct FlpFieldSetting
{
	char	   *field;
	FlpPermission permission;
} FlpFieldSetting;

/* A mask function of a field. */
typedef struct FlpMask
{
	char	   *field;
	Oid			mask;
} FlpMask;

/* An inherited field. */
typedef struct FlpInheritance
{
	char	   *field;
	Oid			from_tbl;
	char	   *from_field;
} FlpInheritance;

/*
 * The validity of a cache built from flp's catalog: see flp_cache_stamp()
 * in src/catalog/invalidation.c.
 */
typedef struct FlpCacheStamp
{
	uint64		generation;		/* flp_cache_generation() when stamped */
	uint64		records;		/* flp_record_generation(), if with_records */
	uint64		shapes;			/* flp_shape_generation(), unless catalog_only */
	bool		with_records;	/* record assignments concern the cache too */
	bool		catalog_only;	/* governed tables changing shape do not */
} FlpCacheStamp;

/*
 * A cache filled entry by entry in a memory context of its own, emptied when
 * stale (flp_cache_refresh).  Declare one as
 *		static FlpCache cache = {"name"};
 * or {"name", true} when changes of record assignments concern it too, and
 * {"name", false, true} when it holds only what flp's catalog and roles say
 * (not what governed tables look like: a relcache invalidation of one leaves
 * it alone).
 */
typedef struct FlpCache
{
	const char *name;			/* of its memory context */
	bool		with_records;
	bool		catalog_only;
	MemoryContext context;		/* NULL until first refreshed */
	FlpCacheStamp stamp;
} FlpCache;

/* flp.c */
extern void _PG_init(void);

/*
 * The catalog layer, src/catalog/ (its internals: src/catalog/flp_catalog.h).
 * Each file below uses only those listed before it.
 */

/* src/catalog/scan.c: scans, snapshots, the resolution state */
extern HTAB *flp_hash_create(const char *name, long nelem, Size keysize,
							 Size entrysize, MemoryContext cxt);
extern Snapshot flp_catalog_snapshot(void);
extern void flp_begin_resolution(void);
extern void flp_end_resolution(void);
extern bool flp_resolving(void);
extern int	flp_relnatts(Oid relid);
extern Oid	flp_relation_owner(Oid relid);
extern char *flp_attname(Oid relid, AttrNumber attnum);
extern AttrNumber flp_attnum(Oid relid, const char *field);

/* A memo of a yes-or-no question by OID (scan.c). */
typedef struct FlpOidMemo
{
	const char *name;			/* of its hash table */
	bool		(*question) (Oid oid);
	HTAB	   *answers;		/* NULL until asked, and after a change */
} FlpOidMemo;

extern bool flp_oid_memo_answer(FlpOidMemo *memo, Oid oid);
extern void flp_oid_memo_register(FlpOidMemo *memo, int cacheid);

/* src/catalog/roles.c: role tracking */
extern void flp_track_role(Oid roleid);

/* src/catalog/catalog.c: finding the catalog */
extern const FlpCatalog *flp_catalog(void);
extern Datum flp_permission_datum(FlpPermission permission);
extern const char *flp_permission_name(FlpPermission permission);
extern const char *flp_license_name(FlpLicense license);

/* src/catalog/invalidation.c: generations, cache validity */
extern void flp_catalog_init(void);
extern void flp_read_invalidations(void);
extern bool flp_set_invalidations_read(bool read);
extern uint64 flp_cache_generation(void);
extern uint64 flp_policy_generation(void);
extern uint64 flp_record_generation(void);
extern FlpCacheStamp flp_cache_stamp(bool with_records);
extern FlpCacheStamp flp_catalog_stamp(bool with_records);
extern uint64 flp_shape_generation(void);
extern bool flp_shape_unchanged_since(uint64 shapes, Oid relid);
extern bool flp_shapes_changed_since(uint64 shapes, List **relids);
extern bool flp_cache_stamp_valid(const FlpCacheStamp *stamp);
extern bool flp_cache_stamp_unmoved(const FlpCacheStamp *stamp);
extern bool flp_cache_refresh(FlpCache *cache);
extern bool flp_cache_valid(const FlpCache *cache);
extern void flp_flush_caches(void);
extern void flp_catalog_touch(void);

/* src/catalog/governed.c: the governed set, row rules */
extern void flp_governed_init(void);
extern bool flp_is_governed(Oid relid, FlpPermission *default_permission);
extern bool flp_mandatory_on_update(Oid relid);

/* A field of a table (evaluate/views.c) */
typedef struct FlpFieldRef
{
	Oid			relid;
	AttrNumber	attnum;
} FlpFieldRef;

extern List *flp_view_column_sources(Oid viewid, AttrNumber attnum);
extern char flp_governed_relkind(Oid relid);
extern bool flp_governed_guarded(Oid relid);
extern Oid	flp_governed_root(Oid relid);
extern List *flp_governed_tables(void);
extern List *flp_governed_relids(void);
extern bool flp_governs_any(void);
#define FLP_RULES_DATA 1
#define FLP_RULES_SCOPE 2
extern int	flp_policy_rule(const char *polname);
extern int	flp_row_rules_present(void);

/* src/catalog/readers.c: readers of flp.* tables */
extern FlpUser flp_read_user(Oid roleid);
extern List *flp_read_assignments(Oid roleid);
extern List *flp_read_rules(void);
extern bool flp_read_bundle(const char *name, FlpBundle *bundle);
extern char *flp_read_partner_bundle(const char *partner);
extern bool flp_read_table_permission(const char *bundle, Oid relid,
									  FlpPermission *permission);
extern List *flp_read_field_permissions(const char *bundle, Oid relid);
extern List *flp_read_excluded_fields(Oid relid);
extern List *flp_read_inheritances(Oid relid);
extern List *flp_read_masks(Oid relid);
extern bool flp_read_in_area(Oid relid);
extern List *flp_read_record_keys(Oid tbl, const char *partner, Oid roleid);

/* src/catalog/published.c: published report views */
extern void flp_published_init(void);
extern char *flp_view_definition(Oid viewid);
extern char *flp_view_definition_of(Oid viewid, List **views);
extern bool flp_view_published(Oid viewid, const char **change);

/* src/catalog/references.c: references between catalog tables */
extern void flp_set_bulk_load(Oid relid);
extern Oid	flp_bulk_load_target(void);

/* src/catalog/audit.c: the audit trail */
extern void flp_audit_note_statement(const char *source, int location, int length);

/*
 * The evaluator, src/evaluate/ (its internals: src/evaluate/evaluate.h):
 * permission.c, with roles.c for flp_is_super_admin, flp_role_partner,
 * flp_role_has_bundle and flp_applicable_bundles.
 */

/* One step of flp.explain(). */
typedef struct FlpTraceStep
{
	char	   *source;
	char	   *detail;
	int			permission;		/* FlpPermission or FLP_NO_PERMISSION */
} FlpTraceStep;

/* The effective permissions of one role on one governed table. */
typedef struct FlpTablePermissions
{
	Oid			roleid;
	Oid			relid;
	int			natts;
	bool		all_edit;		/* nothing restricted: super admin */
	bool		hides;			/* some live field is hidden */
	bool		restricted;		/* some live field is not edit */
	uint8	   *permission;		/* [1..natts], by attribute number */
	Oid		   *mask;			/* [1..natts]: mask function, or InvalidOid */
	bool		crosses;		/* computed from other tables too (a root, inherited fields) */
} FlpTablePermissions;

/* A bundle that applies to a role, and why. */
typedef struct FlpAppliedBundle
{
	char	   *name;
	char	   *source;
} FlpAppliedBundle;

extern bool flp_is_super_admin(Oid roleid);
extern const FlpTablePermissions *flp_table_permissions(Oid roleid, Oid relid);
extern FlpPermission flp_field_permission(Oid roleid, Oid relid, AttrNumber attnum);
extern List *flp_explain_field(Oid roleid, Oid relid, AttrNumber attnum);
extern List *flp_applicable_bundles(Oid roleid);
extern const char *flp_role_partner(Oid roleid);
extern bool flp_role_has_bundle(Oid roleid, const char *bundle);

/* explain.c */
extern void flp_explain_init(void);
extern void flp_check_explain_execute(ExplainStmt *stmt);
struct ExplainState;
extern void flp_restrict_explain(Query *query, struct ExplainState *es);
extern int	flp_subject_explain(void);
extern bool flp_counters_refused(Oid roleid);
extern void flp_check_counter_calls(Node *tree);

/* rules.c */
extern Oid	flp_attribute_subject(void);
extern void flp_create_data_rule_policies(Oid relid, Oid root);
extern bool flp_evaluate_data_rule(Oid tbl, const char *key_field, text *record_key,
								   const char *predicate, Oid roleid, bool *found_row);

/* src/evaluate/records.c */
extern bool flp_record_key_visible(Oid tbl, const char *key);

/* hooks.c and src/planner/ */
extern void flp_denials_init(void);

/* messages.c */
extern char *flp_table_name(Oid relid);
extern bool flp_withhold_published_value(ErrorData *edata);
extern int	flp_errtablecol(Oid relid, AttrNumber attnum);
extern void flp_mend_error(ErrorData *edata);
extern void flp_hooks_init(void);

/* hook_order.c: one of flp's hooks, as another library may have wrapped it */
typedef struct FlpOwnHook
{
	const char *name;			/* the hook variable, "planner_hook" */
	const void *current;		/* its value once every library is loaded */
	const void *ours;			/* flp's hook function */
	const char *depends;		/* what of flp runs only if it is called */
} FlpOwnHook;
struct PlannedStmt;
extern void flp_warn_outer_hooks(const FlpOwnHook *hooks, int n);
extern void flp_refuse_bypassing_plan(struct PlannedStmt *pstmt, const void *outer);
extern void flp_coarsen_predicate_locks(PlannedStmt *stmt, Snapshot snapshot);
extern bool flp_has_row_rules(Oid relid);

/* What every query of a role is checked for (flp_role_checks) */
#define CHECK_COUNTERS 1		/* activity counters refused to it */
#define CHECK_SEQUENCES 2		/* some sequence fills a governed field */
#define CHECK_HIDDEN_SEQUENCE 4	/* one fills a field hidden from it */
#define CHECK_BYPASSRLS 8		/* it has BYPASSRLS */
extern int	flp_role_checks(Oid roleid);
extern void flp_check_insert_columns(Oid relid, Bitmapset *attnums, const char *command);

/* sequences.c */
extern bool flp_sequences_fill_fields(void);
extern bool flp_check_sequence_use(Node *tree, Oid roleid);
extern bool flp_role_has_hidden_sequence(Oid roleid);
extern bool flp_sql_function_calls_refused(HeapTuple proctup);
extern bool flp_tree_calls_refused(Node *tree);
extern void flp_check_copy_defaults(Oid copy_target, int checks);
extern void flp_check_utility_expressions(Node *parsetree, int checks);

/* refused_functions.c */
#define REFUSED_SEQUENCE 1		/* flp_refused_kind: a sequence function */
#define REFUSED_COUNTER 2		/* an activity counter */
extern int	flp_refused_kind(Oid funcid);
extern bool flp_is_sequence_function(Oid funcid);
extern bool flp_is_counter_function(Oid funcid);
extern List *flp_omitted_defaults(Oid funcid, int nargs);

/* trust.c */
extern char *flp_untrusted_reason(Oid funcid);
extern char *flp_function_untrusted_reason(Oid funcid, bool allow_volatile);
extern void flp_require_trusted_function(Oid funcid, const char *what);
extern void flp_require_trusted_expression(Node *expr, const char *what);
extern bool flp_function_trusted(Oid funcid);
extern char *flp_published_view_problem(Oid viewid, Query *expanded, bool code_only,
										Oid *owner);
extern void flp_trust_init(void);

/* utility/ddl_checks.c */
extern void flp_maintenance_init(void);

#endif							/* FLP_H */
