/*-------------------------------------------------------------------------
 *
 * hook_order.c
 *	  Other libraries' hooks that run before flp's: named at start, and
 *	  plans that bypassed flp's planner hook refused.
 *
 * PostgreSQL loads shared_preload_libraries in the order they are listed,
 * and each library saves the hook it finds before it installs its own: a
 * library listed after flp runs its hooks before flp's, and flp's run only
 * if that library calls the hook it saved.  pg_stat_statements, auto_explain
 * and pgaudit do; a library whose planner hook called standard_planner()
 * itself would plan a subject's query as it was written, unmasked.
 *
 * Once every preloaded library is loaded (shmem_request_hook, which the
 * postmaster calls right after loading them), flp names in the server log
 * each library whose hook wraps one of flp's.  At run time, whenever
 * planner_hook is not flp's -- a library preloaded after flp, or one LOADed
 * into the session --, flp's ExecutorStart hook refuses a plan that reads a
 * governed table but lacks the mark flp's planner hook puts on every such
 * plan (marks.c): such a plan did not pass through flp.  With flp's planner
 * hook outermost nothing is checked, and it costs nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifndef WIN32
#include <dlfcn.h>
#endif

#include "utils/lsyscache.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * The shared object that defines the function at fn (its path), or NULL
 * where that cannot be told.
 */
static const char *
library_of(const void *fn)
{
#ifndef WIN32
	Dl_info		info;

	if (fn != NULL && dladdr((void *) fn, &info) != 0 && info.dli_fname != NULL)
		return info.dli_fname;
#endif
	return NULL;
}

/*
 * At start, once every preloaded library is loaded: a WARNING for each hook
 * of flp's that another library's hook now wraps, naming the library and
 * what of flp depends on that library calling the hook it saved.
 */
void
flp_warn_outer_hooks(const FlpOwnHook *hooks, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		const char *library;

		if (hooks[i].current == hooks[i].ours)
			continue;
		library = library_of(hooks[i].current);
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s of library \"%s\" runs before flp's",
						hooks[i].name, library ? library : "(unknown)"),
				 errdetail("The library was loaded after flp. %s",
						   hooks[i].depends),
				 errhint("List flp last in shared_preload_libraries, so that its hooks run first; "
						 "pg_stat_statements, auto_explain and pgaudit call flp's hooks in either order.")));
	}
}

/*
 * At ExecutorStart, while planner_hook is another library's (outer): refuse
 * a plan that reads a governed table but was not made through flp's planner
 * hook, so was neither masked nor checked.
 */
void
flp_refuse_bypassing_plan(PlannedStmt *pstmt, const void *outer)
{
	Oid			relid = flp_unmarked_governed_relation(pstmt);
	const char *library;
	const char *relname;

	if (!OidIsValid(relid))
		return;
	library = library_of(outer);
	relname = get_rel_name(relid);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("plan reading governed table \"%s\" was not made through flp's planner hook",
					relname ? relname : "?"),
			 errdetail("The planner hook of library \"%s\" runs before flp's and did not call it for this query: "
					   "its plan would read the table without flp's masks and checks.",
					   library ? library : "(unknown)"),
			 errhint("Make that library call the planner hook it saved, or remove it.")));
}
