/*-------------------------------------------------------------------------
 *
 * messages.c
 *	  How flp's errors name things, and errors of flp's management
 *	  functions as a DBA should read them.
 *
 * flp_table_name names a relation as the user would write it, and
 * flp_errtablecol fills an error's schema, table and column fields, for
 * every refusal of flp.
 *
 * Two things PostgreSQL says about a management call are noise for its
 * caller, and flp's emit_log_hook (hooks.c) mends both with
 * flp_mend_error before the error is logged and sent:
 *
 * - A misspelt value of one of flp's enums (flp.permission, flp.license,
 *   flp.bundle_kind) fails in the enum's input function before flp's code
 *   runs, with "invalid input value for enum": flp adds a HINT listing the
 *   valid values.
 * - An error raised inside flp's PL/pgSQL functions carries their call
 *   stack as CONTEXT ("PL/pgSQL function flp_internal.require_bundle(...) line 5
 *   at RAISE", "SQL statement "SELECT flp_internal.require_bundle(...)""): flp
 *   drops the lines of its own functions, and keeps those of the caller's.
 *
 * Errors are matched by their untranslated message format, so that
 * lc_messages changes nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "lib/stringinfo.h"
#include "storage/ipc.h"
#include "utils/elog.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "flp.h"

/*
 * flp's enums and their labels, as sql/parts/10-catalog.sql creates them
 * (the hook runs while an error is reported, where the catalog must not be
 * read).
 */
static const struct
{
	const char *type;
	const char *labels;
}			flp_enums[] = {
	{"flp.permission", "hide, read, edit"},
	{"flp.license", "viewer, viewer_analytics, full"},
	{"flp.bundle_kind", "internal, partner"},
};

/*
 * The labels of the flp enum an "invalid input value for enum" error names
 * (schema-qualified, as format_type_be names it where schema flp is not on
 * the search_path), or NULL.
 */
static const char *
misspelt_flp_enum(const ErrorData *edata, const char **type)
{
	if (edata->message_id == NULL || edata->message == NULL ||
		strcmp(edata->message_id, "invalid input value for enum %s: \"%s\"") != 0)
		return NULL;
	for (int i = 0; i < (int) lengthof(flp_enums); i++)
	{
		if (strstr(edata->message, flp_enums[i].type) != NULL)
		{
			*type = flp_enums[i].type;
			return flp_enums[i].labels;
		}
	}
	return NULL;
}

/*
 * Is a CONTEXT line one of flp's own frames: a PL/pgSQL function of schema
 * flp or flp_internal, or a statement of one of them calling or changing flp's objects?
 * (SQL functions' frames do not name their schema: they are kept.)
 */
static bool
flp_frame(const char *line, size_t len)
{
	static const char *const prefixes[] = {
		"PL/pgSQL function flp.", "SQL statement \"SELECT flp.",
		"SQL statement \"INSERT INTO flp.", "SQL statement \"UPDATE flp.",
		"SQL statement \"DELETE FROM flp.", "PL/pgSQL expression \"flp.",
		"PL/pgSQL function flp_internal.", "SQL statement \"SELECT flp_internal.",
		"PL/pgSQL expression \"flp_internal.",
	};

	for (int i = 0; i < (int) lengthof(prefixes); i++)
	{
		size_t		plen = strlen(prefixes[i]);

		if (len >= plen && strncmp(line, prefixes[i], plen) == 0)
			return true;
	}
	return false;
}

/* The CONTEXT without flp's own frames; NULL when nothing else is left. */
static char *
context_without_flp(const char *context)
{
	StringInfoData buf;
	const char *p = context;

	initStringInfo(&buf);
	while (*p)
	{
		const char *nl = strchr(p, '\n');
		size_t		len = nl ? (size_t) (nl - p) : strlen(p);

		if (!flp_frame(p, len))
			appendStringInfo(&buf, "%s%.*s", buf.len > 0 ? "\n" : "", (int) len, p);
		p += len + (nl ? 1 : 0);
	}
	return buf.len > 0 ? buf.data : NULL;
}

/* Does the innermost frame belong to flp: was the error raised by flp's code? */
static bool
raised_by_flp(const char *context)
{
	const char *nl = strchr(context, '\n');

	return flp_frame(context, nl ? (size_t) (nl - context) : strlen(context));
}

/*
 * Mend an error about to be reported (flp's emit_log_hook, in hooks.c):
 * the HINT of a misspelt enum value, the CONTEXT without flp's frames.  It
 * reads no catalog: it runs while the error is being reported.
 */
void
flp_mend_error(ErrorData *edata)
{
	MemoryContext old;
	const char *type = NULL;
	const char *labels;

	if (edata->elevel < ERROR || proc_exit_inprogress)
		return;
	old = MemoryContextSwitchTo(ErrorContext);
	labels = misspelt_flp_enum(edata, &type);
	if (labels != NULL && edata->hint == NULL)
		edata->hint = psprintf("Valid values of %s are: %s.", type, labels);
	if (edata->context != NULL && raised_by_flp(edata->context))
		edata->context = context_without_flp(edata->context);
	MemoryContextSwitchTo(old);
}

/*
 * A data exception (SQLSTATE class 22) raised while a subject's query that
 * reads a published report view ran may come from inside the view, where
 * values are as its owner sees them ("invalid input syntax for type date:
 * \"21/01/2024\"", under the reader's DateStyle): withhold its message,
 * keeping its SQLSTATE.  Called on a copy of the error before it is thrown
 * on (hooks.c), so that no exception handler of the reader's reads it.  False
 * for any other error, left as it is.
 */
bool
flp_withhold_published_value(ErrorData *edata)
{
	if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
		return false;
	edata->message = pstrdup("a value could not be computed in a query that reads a published report view");
	edata->detail = NULL;
	edata->detail_log = NULL;
	edata->context = NULL;
	edata->hint = pstrdup("The message is withheld: it could quote a value the view does not show. "
						  "Write the view's expressions so that they cannot fail, or ask a super admin to run the query.");
	return true;
}

/*
 * A relation as flp's messages name it: as the user would write it -- its
 * name where the search_path finds it, schema-qualified otherwise.
 */
char *
flp_table_name(Oid relid)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		return psprintf("%u", relid);
	if (RelationIsVisible(relid))
		return name;
	return psprintf("%s.%s", get_namespace_name(get_rel_namespace(relid)), name);
}

/*
 * The schema, table and (attnum > 0) column diagnostic fields of an error,
 * as errtablecol() fills them, from OIDs: what psycopg's Diagnostics and
 * node-postgres' error.schema/.table/.column report to a tool.
 */
int
flp_errtablecol(Oid relid, AttrNumber attnum)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		return 0;
	err_generic_string(PG_DIAG_SCHEMA_NAME, get_namespace_name(get_rel_namespace(relid)));
	err_generic_string(PG_DIAG_TABLE_NAME, name);
	if (attnum > 0)
	{
		char	   *field = get_attname(relid, attnum, true);

		if (field != NULL)
			err_generic_string(PG_DIAG_COLUMN_NAME, field);
	}
	return 0;
}
