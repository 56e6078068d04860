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

	/* settings, each defined by the file that reads it */
	flp_denials_init();			/* flp.log_denials */
	flp_maintenance_init();		/* flp.maintenance */
	flp_explain_init();			/* defines flp.subject_explain */
	MarkGUCPrefixReserved("flp");

	flp_catalog_init();
	flp_governed_init();
	flp_published_init();
	flp_trust_init();

	/* hooks: planner, executor start, fmgr, relation info, utility */
	flp_hooks_init();
}
