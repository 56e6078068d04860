/*-------------------------------------------------------------------------
 *
 * flp.c
 *	  Entry point of flp: _PG_init, GUCs and the installation of hooks.
 *
 * flp must be loaded through shared_preload_libraries: its hooks have to be
 * in place in every backend before any query is planned, or a subject could
 * read a governed table unmasked.  Loading it any other way is refused.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "flp.h"

PG_MODULE_MAGIC;

/*
 * Module load: refuse unless preloaded, reserve the GUC prefix, register the
 * invalidation callbacks and install the hooks.
 */
void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("flp must be loaded via shared_preload_libraries"),
				 errdetail("Field-level permissions are only enforced when flp's hooks are active in every session."),
				 errhint("Add flp to shared_preload_libraries in postgresql.conf and restart the server.")));

	/*
	 * flp.log_denials: an administrator turns it on to audit who tried to
	 * read or change what they may not; every refusal then writes a LOG
	 * line with the role, the table, the field and the clause.
	 */
	DefineCustomBoolVariable("flp.log_denials",
							 "Logs every refusal of flp (role, table, field, clause).",
							 NULL,
							 &flp_log_denials,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	/*
	 * flp.maintenance: set only by flp's own functions (SET clause) while
	 * they change flp's policies and row-level security settings, which
	 * flp otherwise refuses to change.  Not for administrators.
	 */
	DefineCustomBoolVariable("flp.maintenance",
							 "Set by flp's own functions while they change its policies.",
							 NULL,
							 &flp_maintenance,
							 false,
							 PGC_SUSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);
	flp_explain_init();			/* defines flp.subject_explain */
	MarkGUCPrefixReserved("flp");

	flp_catalog_init();
	flp_governed_init();
	flp_trust_init();

	/* hooks: the planner (mask and refuse), fmgr (no SQL SRF inlining), utility */
	flp_rewrite_init();
	flp_utility_init();
}
