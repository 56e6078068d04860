/*-------------------------------------------------------------------------
 *
 * utility.h
 *	  Declarations of flp's handling of utility statements (src/utility/).
 *
 * The ProcessUtility hook (src/hooks.c) calls these before and after it
 * runs a statement; they read the catalog and never call back into the hook.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_UTILITY_H
#define FLP_UTILITY_H

#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"

/* catalog_sync.c */
extern void flp_run_as_superuser(const char *sql, int nargs, Oid *argtypes, Datum *values);
extern void flp_follow_column_rename(Oid relid, const char *oldname, const char *newname);
extern void flp_forget_dropped_roles(void);

/* copy.c */
extern void flp_check_copy_from(CopyStmt *stmt, Oid relid);
extern PlannedStmt *flp_copy_to_as_query(PlannedStmt *pstmt);

/* partitions.c */
extern void flp_guard_new_child(Oid relid);
extern Oid	flp_created_child(CreateStmt *stmt);
extern Oid	flp_attached_child(AlterTableStmt *stmt);
extern void flp_check_attach(AlterTableStmt *stmt);

/* trees.c */
extern void flp_check_governed_tree(Oid relid);
extern void flp_follow_tree_changes(Node *parsetree);
extern Oid	flp_detached_child(AlterTableStmt *stmt);
extern void flp_govern_detached(Oid relid, Oid parent);

/* ddl_checks.c */
extern void flp_check_foreign_keys(Node *parsetree);
extern void flp_check_guard_changes(Node *parsetree);
extern void flp_warn_owner(AlterTableStmt *stmt);
extern bool flp_drops_flp(DropStmt *stmt);
extern void flp_check_trigger(CreateTrigStmt *stmt);
extern void flp_check_truncate(TruncateStmt *stmt);

/* maintenance.c */
extern void flp_check_maintenance(Node *parsetree);

/* admin_role.c */
extern void flp_check_admin_role_changes(Node *parsetree);

#endif							/* FLP_UTILITY_H */
