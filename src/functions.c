/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  The SQL-callable functions of flp written in C, as thin fmgr wrappers
 *	  over the plain C functions of the files that own the work:
 *
 *	  - introspection: flp.effective, flp.explain, flp.effective_permissions,
 *		flp.bundles, flp.is_super_admin (src/evaluate/);
 *	  - what row-level security policies call: flp.guard, flp.is_subject,
 *		flp.is_partner_user, flp.current_partner, flp.has_bundle
 *		(src/evaluate/roles.c), flp.record_visible and
 *		flp_internal.record_visible_key (src/evaluate/records.c);
 *	  - data rules: flp.attribute, flp_internal.create_data_policies,
 *		flp_internal.eval_rule (rules.c);
 *	  - trust checks for the install script: flp_internal.require_trusted_function,
 *		flp_internal.untrusted_reason (trust.c);
 *	  - flp_internal.loaded, for CREATE EXTENSION;
 *	  - flp_internal.run_script, the statements flp.preview_change tries.
 *
 * Trigger functions stay with their concern: the invalidation triggers in
 * src/catalog/invalidation.c, the reference triggers in
 * src/catalog/references.c, the data-rule check in rules.c.  The management
 * functions (protect, set_permission, assign, ...) are PL/pgSQL in the
 * install script: they validate input and write the catalog, whose triggers
 * tell every session about the change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "flp.h"

PG_FUNCTION_INFO_V1(flp_loaded);
PG_FUNCTION_INFO_V1(flp_is_super_admin_sql);
PG_FUNCTION_INFO_V1(flp_effective);
PG_FUNCTION_INFO_V1(flp_explain);
PG_FUNCTION_INFO_V1(flp_effective_permissions);
PG_FUNCTION_INFO_V1(flp_bundles);
PG_FUNCTION_INFO_V1(flp_attribute);
PG_FUNCTION_INFO_V1(flp_record_visible);
PG_FUNCTION_INFO_V1(flp_record_visible_key);
PG_FUNCTION_INFO_V1(flp_create_data_policies);
PG_FUNCTION_INFO_V1(flp_eval_rule);
PG_FUNCTION_INFO_V1(flp_require_trusted_function_sql);
PG_FUNCTION_INFO_V1(flp_run_script);

/*
 * Called by the install script so that the library (and its preload check)
 * is loaded by CREATE EXTENSION.
 */
Datum
flp_loaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(true);
}

/*
 * flp_internal.run_script(sql): runs every statement of sql, as the current user, in
 * the caller's (sub)transaction -- plpgsql's EXECUTE takes one statement, a
 * change a DBA previews is often several.  Transaction control is refused by
 * SPI (it runs atomically), so the caller's rollback undoes all of it.
 */
Datum
flp_run_script(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			rc;

	SPI_connect();
	rc = SPI_execute(sql, false, 0);
	if (rc == SPI_ERROR_TRANSACTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("a previewed change cannot start, commit or roll back transactions"),
				 errhint("Leave out BEGIN, COMMIT and ROLLBACK: the preview runs in a subtransaction that it rolls back.")));
	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a previewed change cannot run this statement: %s",
						SPI_result_code_string(rc))));
	SPI_finish();
	PG_RETURN_VOID();
}

/* flp.is_super_admin(role) */
Datum
flp_is_super_admin_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(flp_is_super_admin(PG_GETARG_OID(0)));
}

/*
 * The introspection functions answer for the current user, and for other
 * roles to super admins and to roles that have the privileges of the role
 * asked about (they could SET ROLE to it and ask).
 */
static void
check_may_inspect(Oid roleid)
{
	Oid			caller = GetUserId();

	if (!OidIsValid(roleid) || GetUserNameFromId(roleid, true) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", roleid)));
	if (roleid == caller || flp_is_super_admin(caller) ||
		has_privs_of_role(caller, roleid))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to inspect the permissions of role \"%s\"",
					GetUserNameFromId(roleid, false)),
			 errhint("Super admins may inspect any role; other roles only themselves and the roles whose privileges they have.")));
}

/* The relation named by a regclass argument, which must exist. */
static void
check_relation(Oid relid)
{
	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
}

/* The attribute number of a live user column, or a 42703 error. */
static AttrNumber
check_field(Oid relid, const char *field)
{
	AttrNumber	attnum = get_attnum(relid, field);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("field \"%s\" of table \"%s\" does not exist",
						field, get_rel_name(relid))));
	return attnum;
}

/*
 * A view's column: the least permission of the governed fields it is
 * computed from (edit when none is governed), as the planner applies them
 * when the role reads the view.
 */
static FlpPermission
least_of_sources(Oid roleid, Oid viewid, AttrNumber attnum)
{
	FlpPermission perm = FLP_EDIT;
	ListCell   *lc;

	foreach(lc, flp_view_column_sources(viewid, attnum))
	{
		FlpFieldRef *ref = lfirst(lc);

		if (flp_is_governed(ref->relid, NULL))
			perm = Min(perm, flp_field_permission(roleid, ref->relid, ref->attnum));
	}
	return perm;
}

/* The owner of a published view in force, or InvalidOid. */
static Oid
published_owner(Oid viewid)
{
	Oid			owner;

	if (flp_published_view_problem(viewid, NULL, false, &owner) != NULL)
		return InvalidOid;
	return owner;
}

/*
 * The permission of a column of a published view: what its owner sees of the
 * fields is what every reader reads (hide: the owner's mask), and writes
 * through the view are the reader's (edit only where the reader may edit).
 */
static FlpPermission
published_column_permission(Oid roleid, Oid owner, Oid viewid, AttrNumber attnum)
{
	FlpPermission shown = least_of_sources(owner, viewid, attnum);

	if (shown == FLP_HIDE)
		return FLP_HIDE;
	return least_of_sources(roleid, viewid, attnum) == FLP_EDIT ? FLP_EDIT : FLP_READ;
}

static FlpPermission
view_column_permission(Oid roleid, Oid viewid, AttrNumber attnum)
{
	Oid			owner = published_owner(viewid);

	if (OidIsValid(owner))
		return published_column_permission(roleid, owner, viewid, attnum);
	return least_of_sources(roleid, viewid, attnum);
}

/* flp.effective(tbl, field, role): the effective permission. */
Datum
flp_effective(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *field = NameStr(*PG_GETARG_NAME(1));
	Oid			roleid = PG_GETARG_OID(2);
	AttrNumber	attnum;

	check_relation(relid);
	check_may_inspect(roleid);
	attnum = check_field(relid, field);

	if (get_rel_relkind(relid) == RELKIND_VIEW)
		return flp_permission_datum(view_column_permission(roleid, relid, attnum));
	if (!flp_is_governed(relid, NULL))
		return flp_permission_datum(FLP_EDIT);
	return flp_permission_datum(flp_field_permission(roleid, relid, attnum));
}

/* One row of flp.explain's result. */
static void
put_step(ReturnSetInfo *rsinfo, int n, const char *source, const char *detail, int permission)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = Int32GetDatum(n);
	values[1] = CStringGetTextDatum(source);
	values[2] = CStringGetTextDatum(detail);
	if (permission == FLP_NO_PERMISSION)
		nulls[3] = true;
	else
		values[3] = flp_permission_datum((FlpPermission) permission);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* flp.explain of a published view's column: its owner's view of the fields. */
static void
explain_published_column(ReturnSetInfo *rsinfo, Oid roleid, Oid owner, Oid viewid,
						 AttrNumber attnum, const char *names)
{
	FlpPermission p = published_column_permission(roleid, owner, viewid, attnum);

	put_step(rsinfo, 1, "published view",
			 psprintf("view %s is published: its columns are computed from %s with the field permissions of its owner \"%s\", which sees them as %s; writes through it are role \"%s\"'s",
					  flp_table_name(viewid), names[0] != '\0' ? names : "no field of a table",
					  GetUserNameFromId(owner, false),
					  flp_permission_name(least_of_sources(owner, viewid, attnum)),
					  GetUserNameFromId(roleid, false)),
			 FLP_NO_PERMISSION);
	put_step(rsinfo, 2, "result",
			 psprintf("column \"%s\" of published view %s is %s for role \"%s\"",
					  get_attname(viewid, attnum, false), flp_table_name(viewid),
					  flp_permission_name(p), GetUserNameFromId(roleid, false)),
			 p);
}

/*
 * flp.explain of a view's column: the fields it is computed from, each
 * governed one's own explanation (its steps, indented under it), and the
 * least of them.
 */
static void
explain_view_column(ReturnSetInfo *rsinfo, Oid roleid, Oid viewid, AttrNumber attnum)
{
	List	   *sources = flp_view_column_sources(viewid, attnum);
	StringInfoData names;
	FlpPermission perm = FLP_EDIT;
	int			n = 0;
	ListCell   *lc;
	Oid			owner;

	initStringInfo(&names);
	foreach(lc, sources)
	{
		FlpFieldRef *ref = lfirst(lc);

		appendStringInfo(&names, "%s%s.%s", names.len > 0 ? ", " : "",
						 flp_table_name(ref->relid), get_attname(ref->relid, ref->attnum, false));
	}
	if (OidIsValid(owner = published_owner(viewid)))
	{
		explain_published_column(rsinfo, roleid, owner, viewid, attnum, names.data);
		return;
	}
	put_step(rsinfo, ++n, "view",
			 names.len > 0 ?
			 psprintf("column \"%s\" of view %s is computed from %s",
					  get_attname(viewid, attnum, false), flp_table_name(viewid), names.data) :
			 psprintf("column \"%s\" of view %s reads no field of a table",
					  get_attname(viewid, attnum, false), flp_table_name(viewid)),
			 FLP_NO_PERMISSION);
	foreach(lc, sources)
	{
		FlpFieldRef *ref = lfirst(lc);
		char	   *field = get_attname(ref->relid, ref->attnum, false);
		FlpPermission p;
		ListCell   *lc2;

		if (!flp_is_governed(ref->relid, NULL))
		{
			put_step(rsinfo, ++n, psprintf("%s.%s", flp_table_name(ref->relid), field),
					 "not governed by flp: edit", FLP_EDIT);
			continue;
		}
		foreach(lc2, flp_explain_field(roleid, ref->relid, ref->attnum))
		{
			FlpTraceStep *step = lfirst(lc2);

			put_step(rsinfo, ++n,
					 psprintf("%s.%s: %s", flp_table_name(ref->relid), field, step->source),
					 step->detail, step->permission);
		}
		p = flp_field_permission(roleid, ref->relid, ref->attnum);
		perm = Min(perm, p);
	}
	put_step(rsinfo, ++n, "result",
			 psprintf("column \"%s\" of view %s is %s for role \"%s\": the least of its governed fields",
					  get_attname(viewid, attnum, false), flp_table_name(viewid),
					  perm == FLP_HIDE ? "hide" : perm == FLP_READ ? "read" : "edit",
					  GetUserNameFromId(roleid, false)),
			 perm);
}

/* flp.explain(tbl, field, role): one row per step. */
Datum
flp_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	char	   *field = NameStr(*PG_GETARG_NAME(1));
	Oid			roleid = PG_GETARG_OID(2);
	AttrNumber	attnum;
	List	   *steps;
	ListCell   *lc;
	int			n = 0;

	check_relation(relid);
	check_may_inspect(roleid);
	attnum = check_field(relid, field);

	InitMaterializedSRF(fcinfo, 0);

	if (get_rel_relkind(relid) == RELKIND_VIEW)
	{
		explain_view_column(rsinfo, roleid, relid, attnum);
		PG_RETURN_NULL();
	}
	if (!flp_is_governed(relid, NULL))
	{
		put_step(rsinfo, 1, "table",
				 psprintf("table %s is not governed by flp: every field is edit", get_rel_name(relid)),
				 FLP_EDIT);
		PG_RETURN_NULL();
	}

	steps = flp_explain_field(roleid, relid, attnum);
	foreach(lc, steps)
	{
		FlpTraceStep *step = lfirst(lc);

		put_step(rsinfo, ++n, step->source, step->detail, step->permission);
	}
	PG_RETURN_NULL();
}

/*
 * Begin the rows of an introspection function about the role of argument 0,
 * which the caller must be allowed to inspect: a materialized set.
 */
static ReturnSetInfo *
role_rows_begin(FunctionCallInfo fcinfo, Oid *roleid)
{
	*roleid = PG_GETARG_OID(0);
	check_may_inspect(*roleid);
	InitMaterializedSRF(fcinfo, 0);
	return (ReturnSetInfo *) fcinfo->resultinfo;
}

/* flp.effective_permissions(role): every field of every governed table. */
Datum
flp_effective_permissions(PG_FUNCTION_ARGS)
{
	Oid			roleid;
	ReturnSetInfo *rsinfo = role_rows_begin(fcinfo, &roleid);
	ListCell   *lc;

	foreach(lc, flp_governed_tables())
	{
		Oid			relid = lfirst_oid(lc);
		int			natts = flp_relnatts(relid);
		AttrNumber	att;

		for (att = 1; att <= natts; att++)
		{
			char	   *name = flp_attname(relid, att);
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			if (name == NULL)
				continue;		/* dropped column */
			values[0] = ObjectIdGetDatum(relid);
			values[1] = DirectFunctionCall1(namein, CStringGetDatum(name));
			values[2] = flp_permission_datum(flp_field_permission(roleid, relid, att));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_NULL();
}

/* flp.bundles(role): the bundles that apply to a role, and why. */
Datum
flp_bundles(PG_FUNCTION_ARGS)
{
	Oid			roleid;
	ReturnSetInfo *rsinfo = role_rows_begin(fcinfo, &roleid);
	ListCell   *lc;

	foreach(lc, flp_applicable_bundles(roleid))
	{
		FlpAppliedBundle *b = lfirst(lc);
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(b->name);
		values[1] = CStringGetTextDatum(b->source);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

/*
 * flp.attribute(key): the current user's registered attribute as text, NULL
 * when the user is not registered or has no such attribute.
 */
Datum
flp_attribute(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	FlpUser		user = flp_read_user(flp_attribute_subject());
	Datum		value;
	LOCAL_FCINFO(inner, 2);

	if (user.attributes == NULL)
		PG_RETURN_NULL();

	InitFunctionCallInfoData(*inner, NULL, 2, InvalidOid, NULL, NULL);
	inner->args[0].value = JsonbPGetDatum(user.attributes);
	inner->args[0].isnull = false;
	inner->args[1].value = PointerGetDatum(key);
	inner->args[1].isnull = false;
	value = jsonb_object_field_text(inner);
	if (inner->isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}

/*
 * flp.guard(): the fail-closed guard of governed tables.  Where flp is
 * active the planner removes it from every query; should it still be called,
 * flp is loaded and there is nothing to refuse.
 */
PG_FUNCTION_INFO_V1(flp_guard);

Datum
flp_guard(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(true);
}

/*
 * flp.is_partner_user(), flp.current_partner(), flp.has_bundle(bundle): the
 * current user as row-level security policies see it.  The planner folds
 * them into constants in flp's own policies (see planner/policies.c); elsewhere they
 * answer from the per-session role cache.
 */
PG_FUNCTION_INFO_V1(flp_is_partner_user);
PG_FUNCTION_INFO_V1(flp_current_partner);
PG_FUNCTION_INFO_V1(flp_has_bundle);
PG_FUNCTION_INFO_V1(flp_is_subject);

Datum
flp_is_subject(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!flp_is_super_admin(GetUserId()));
}

Datum
flp_is_partner_user(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(flp_role_partner(GetUserId()) != NULL);
}

Datum
flp_current_partner(PG_FUNCTION_ARGS)
{
	const char *partner = flp_role_partner(GetUserId());

	if (partner == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(partner));
}

Datum
flp_has_bundle(PG_FUNCTION_ARGS)
{
	char	   *bundle = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BOOL(flp_role_has_bundle(GetUserId(), bundle));
}

/* flp.record_visible(tbl regclass, record_key text): see record_key_visible. */
Datum
flp_record_visible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(flp_record_key_visible(PG_GETARG_OID(0),
									  text_to_cstring(PG_GETARG_TEXT_PP(1))));
}

/* How flp_internal.record_visible_key turns the key of one call site into text. */
typedef struct KeyOutput
{
	Oid			type;
	FmgrInfo	output;			/* unless an integer type */
} KeyOutput;

/*
 * flp_internal.record_visible_key(tbl regclass, record_key anyelement): the same as
 * flp.record_visible(tbl, record_key::text) where that cast is an I/O
 * conversion, which the planner hook puts in its place (planner/policies.c).  The
 * key becomes text through its type's output function, as the cast does;
 * integers are written without a function call and without allocating.
 */
Datum
flp_record_visible_key(PG_FUNCTION_ARGS)
{
	KeyOutput  *out = (KeyOutput *) fcinfo->flinfo->fn_extra;
	char		buf[MAXINT8LEN + 1];
	const char *key;

	if (out == NULL)
	{
		Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);

		if (!OidIsValid(type))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("could not determine the type of the record key"),
					 errdetail("flp_internal.record_visible_key takes its key's type from the call."),
					 errhint("Call flp.record_visible(tbl, key::text) instead.")));
		out = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KeyOutput));
		out->type = type;
		if (type != INT2OID && type != INT4OID && type != INT8OID)
		{
			Oid			typoutput;
			bool		isvarlena;

			getTypeOutputInfo(type, &typoutput, &isvarlena);
			fmgr_info_cxt(typoutput, &out->output, fcinfo->flinfo->fn_mcxt);
		}
		fcinfo->flinfo->fn_extra = out;
	}
	switch (out->type)
	{
		case INT2OID:
			pg_itoa(PG_GETARG_INT16(1), buf);
			key = buf;
			break;
		case INT4OID:
			pg_ltoa(PG_GETARG_INT32(1), buf);
			key = buf;
			break;
		case INT8OID:
			pg_lltoa(PG_GETARG_INT64(1), buf);
			key = buf;
			break;
		default:
			key = OutputFunctionCall(&out->output, PG_GETARG_DATUM(1));
			break;
	}
	PG_RETURN_BOOL(flp_record_key_visible(PG_GETARG_OID(0), key));
}

/*
 * flp_internal.create_data_policies(rel regclass, root regclass): the policies of
 * root's data rules on rel (see flp_create_data_rule_policies).
 */
Datum
flp_create_data_policies(PG_FUNCTION_ARGS)
{
	flp_create_data_rule_policies(PG_GETARG_OID(0), PG_GETARG_OID(1));
	PG_RETURN_VOID();
}

/*
 * flp_internal.eval_rule(tbl, key_field, record_key, predicate, role): a data rule's
 * predicate on one row as it would be for role, for flp.explain_record()
 * (see flp_evaluate_data_rule).  NULL when there is no such row.
 */
Datum
flp_eval_rule(PG_FUNCTION_ARGS)
{
	bool		found;
	bool		result;

	result = flp_evaluate_data_rule(PG_GETARG_OID(0), NameStr(*PG_GETARG_NAME(1)),
									PG_GETARG_TEXT_PP(2),
									text_to_cstring(PG_GETARG_TEXT_PP(3)),
									PG_GETARG_OID(4), &found);
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(result);
}

/*
 * flp_internal.require_trusted_function(fn regprocedure, what text): the check, for
 * the install script (flp.set_mask and the trigger on flp.field_mask).
 */
Datum
flp_require_trusted_function_sql(PG_FUNCTION_ARGS)
{
	flp_require_trusted_function(PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(flp_untrusted_reason_sql);

/*
 * flp_internal.untrusted_reason(fn regprocedure, allow_volatile boolean): why flp
 * would not run the function on hidden values, or NULL (for
 * flp.security_check()).
 */
Datum
flp_untrusted_reason_sql(PG_FUNCTION_ARGS)
{
	char	   *reason = flp_function_untrusted_reason(PG_GETARG_OID(0), PG_GETARG_BOOL(1));

	if (reason == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(reason));
}

PG_FUNCTION_INFO_V1(flp_view_definition_sql);

/*
 * flp_internal.view_definition(view oid): a view's definition as publishing compares
 * it (flp.publish_view keeps it).
 */
Datum
flp_view_definition_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(flp_view_definition(PG_GETARG_OID(0))));
}

PG_FUNCTION_INFO_V1(flp_published_view_problem_sql);

/*
 * flp_internal.published_view_problem(view oid, code_only boolean): why the view is
 * not in force as a published view, or NULL (for flp.publish_view and
 * flp.published_views).
 */
Datum
flp_published_view_problem_sql(PG_FUNCTION_ARGS)
{
	Oid			owner;
	char	   *problem = flp_published_view_problem(PG_GETARG_OID(0), NULL,
													 PG_GETARG_BOOL(1), &owner);

	if (problem == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(problem));
}
