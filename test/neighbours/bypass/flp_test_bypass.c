/*-------------------------------------------------------------------------
 *
 * flp_test_bypass.c
 *	  Test-only library: a planner hook that never calls the hook it saved.
 *
 * It plans every query with standard_planner() itself, as a careless library
 * would.  Listed after flp in shared_preload_libraries (or LOADed into a
 * session) it wraps flp's planner hook and bypasses it: flp must name it at
 * start and refuse its plans of governed tables.  Listed before flp it is
 * the hook flp calls, and harmless.  Built with PGXS into a temporary
 * directory by test/shell/47-planner-bypass.sh; never installed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/explain.h"
#include "fmgr.h"
#include "optimizer/planner.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

#if PG_VERSION_NUM >= 190000
static PlannedStmt *
bypass_planner(Query *parse, const char *query_string, int cursorOptions,
			   ParamListInfo boundParams, ExplainState *es)
{
	return standard_planner(parse, query_string, cursorOptions, boundParams, es);
}
#else
static PlannedStmt *
bypass_planner(Query *parse, const char *query_string, int cursorOptions,
			   ParamListInfo boundParams)
{
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}
#endif

/* Install the planner hook, dropping whichever hook was there before. */
void
_PG_init(void)
{
	planner_hook = bypass_planner;
}
