/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The audit trail of flp's catalog: every change of one of its tables,
 *	  by a management function or by direct DML, as a row of flp.audit_log.
 *
 * flp_internal.audit() is an AFTER row trigger (INSERT, UPDATE, DELETE) and an
 * AFTER statement trigger (TRUNCATE) on each catalog table.  It records who
 * (the session user and the current user), when (the transaction's and the
 * statement's time, the transaction id), what (the table, the operation, the
 * old and new rows as jsonb) and the statement of the client's message that
 * made it (not the message's other statements).  The row is
 * written as the owner of flp.audit_log, which nobody else may write: super
 * admins read the trail, only a superuser changes it.  The rows of a
 * rolled-back transaction go with it.  A COPY FROM into a catalog table (a
 * restore by a superuser) is not recorded: the restore brings the trail
 * along.  The key of flp.mask_secret is never written to the trail, nor a
 * statement that names that table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "flp_catalog.h"

PG_FUNCTION_INFO_V1(flp_audit);

/* The changes this session recorded (flp.audit_log.seq). */
static int64 recorded = 0;

/*
 * The statement of the client's message that runs now (set by the utility
 * and executor hooks for each top-level statement): the trail records it
 * rather than the whole message, whose other statements may carry secrets
 * (a password, say).  A pointer into the message, with the statement's
 * place in it; used only while it is still the message being run.
 */
static const char *statement_source = NULL;
static int	statement_location = -1;
static int	statement_length = 0;

void
flp_audit_note_statement(const char *source, int location, int length)
{
	statement_source = source;
	statement_location = location;
	statement_length = length;
}

/* Whether text names flp.mask_secret, in any case. */
static bool
names_mask_secret(const char *text)
{
	char	   *lower = pstrdup(text);

	for (char *c = lower; *c; c++)
		*c = pg_tolower((unsigned char) *c);
	return strstr(lower, "mask_secret") != NULL;
}

/* The statement that runs now, as text, or NULL if unknown. */
static char *
current_statement(void)
{
	int			total;
	int			start;
	int			length;

	if (statement_source == NULL || statement_source != debug_query_string)
		return NULL;
	total = strlen(statement_source);
	start = statement_location < 0 ? 0 : Min(statement_location, total);
	length = statement_length <= 0 ? total - start : Min(statement_length, total - start);
	while (length > 0 && isspace((unsigned char) statement_source[start]))
	{
		start++;
		length--;
	}
	while (length > 0 && isspace((unsigned char) statement_source[start + length - 1]))
		length--;
	return pnstrdup(statement_source + start, length);
}

/* The owner of flp.audit_log (in schema nspid), who writes the trail. */
static Oid
audit_owner(Oid nspid)
{
	Oid			relid = get_relname_relid("audit_log", nspid);
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "flp: table \"audit_log\" of flp's catalog is missing");
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "flp: cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/* The operation of a trigger event, as the trail writes it. */
static const char *
operation_of(TriggerEvent event)
{
	if (TRIGGER_FIRED_BY_INSERT(event))
		return "INSERT";
	if (TRIGGER_FIRED_BY_UPDATE(event))
		return "UPDATE";
	if (TRIGGER_FIRED_BY_DELETE(event))
		return "DELETE";
	return "TRUNCATE";
}

/*
 * Write one row of the trail with SPI, as the owner of flp.audit_log.  old
 * and new are rows of rel (or NULL); rows of flp.mask_secret lose their key.
 */
static void
write_row(Relation rel, const char *operation, HeapTuple old, HeapTuple new)
{
	Oid			rowtype = RelationGetDescr(rel)->tdtypeid;
	bool		secret = strcmp(RelationGetRelationName(rel), "mask_secret") == 0;
	const char *row = secret ? "pg_catalog.to_jsonb(%s) OPERATOR(pg_catalog.-) 'secret'" :
		"pg_catalog.to_jsonb(%s)";
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			types[8] = {NAMEOID, NAMEOID, TEXTOID, rowtype, rowtype, TEXTOID, TEXTOID, INT8OID};
	Datum		values[8];
	char		nulls[8] = {' ', ' ', ' ', old ? ' ' : 'n', new ? ' ' : 'n', ' ', ' ', ' '};
	Oid			owner;
	Oid			saved_user;
	int			saved_context;
	char		query[1024];
	char		old_expr[128];
	char		new_expr[128];
	char	   *statement;

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetSessionUserId(), false)));
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[2] = CStringGetTextDatum(operation);
	values[3] = old ? heap_copy_tuple_as_datum(old, desc) : (Datum) 0;
	values[4] = new ? heap_copy_tuple_as_datum(new, desc) : (Datum) 0;
	statement = secret ? NULL : current_statement();
	/* a statement that also writes the key of flp.mask_hash is not kept */
	if (statement != NULL && names_mask_secret(statement))
		statement = NULL;
	values[5] = CStringGetTextDatum(statement ? statement : "");
	if (statement == NULL)
		nulls[5] = 'n';
	values[6] = CStringGetTextDatum(RelationGetRelationName(rel));
	values[7] = Int64GetDatum(++recorded);
	snprintf(old_expr, sizeof(old_expr), row, "$4");
	snprintf(new_expr, sizeof(new_expr), row, "$5");
	snprintf(query, sizeof(query),
			 "INSERT INTO %s.audit_log (session_role, role, tbl, operation, old_row, new_row, statement, seq)"
			 " VALUES ($1, $2, $7, $3, %s, %s, $6, $8)",
			 quote_identifier(get_namespace_name(RelationGetNamespace(rel))),
			 old_expr, new_expr);

	owner = audit_owner(RelationGetNamespace(rel));
	GetUserIdAndSecContext(&saved_user, &saved_context);
	SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "flp: SPI_connect failed");
		if (SPI_execute_with_args(query, 8, types, values, nulls, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "flp: could not write the audit trail");
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(saved_user, saved_context);
	}
	PG_END_TRY();
}

/*
 * Trigger of every catalog table: AFTER INSERT OR UPDATE OR DELETE each row,
 * and AFTER TRUNCATE each statement.
 */
Datum
flp_audit(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TriggerEvent event;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"flp_internal.audit\" must be called as an AFTER trigger")));
	event = td->tg_event;
	if (RelationGetRelid(td->tg_relation) == flp_bulk_load_target())
		PG_RETURN_POINTER(NULL);
	if (TRIGGER_FIRED_BY_TRUNCATE(event))
		write_row(td->tg_relation, "TRUNCATE", NULL, NULL);
	else if (TRIGGER_FIRED_BY_INSERT(event))
		write_row(td->tg_relation, operation_of(event), NULL, td->tg_trigtuple);
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		write_row(td->tg_relation, operation_of(event), td->tg_trigtuple, td->tg_newtuple);
	else
		write_row(td->tg_relation, operation_of(event), td->tg_trigtuple, NULL);
	PG_RETURN_POINTER(NULL);
}
