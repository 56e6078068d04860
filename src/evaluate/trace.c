/*-------------------------------------------------------------------------
 *
 * trace.c
 *	  Recording the steps of flp.explain(): each step says what source gave
 *	  which permission to the field being explained, and why.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "flp.h"
#include "evaluate.h"


/* ---------------------------------------------------------------------
 * Tracing
 * ---------------------------------------------------------------------
 */

void
flp_trace_step(Trace *t, int permission, const char *source, const char *fmt,...)
{
	FlpTraceStep *step;
	StringInfoData buf;
	va_list		args;

	if (t == NULL)
		return;
	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	step = palloc(sizeof(FlpTraceStep));
	step->source = pstrdup(source);
	step->detail = buf.data;
	step->permission = permission;
	t->steps = lappend(t->steps, step);
}

const char *
flp_role_name(Oid roleid)
{
	char	   *name = GetUserNameFromId(roleid, true);

	return name ? psprintf("\"%s\"", name) : psprintf("%u", roleid);
}
