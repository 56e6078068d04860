/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  SQL-callable functions of flp written in C: introspection (effective,
 *	  explain, effective_permissions, bundles), flp.is_super_admin and
 *	  flp.attribute.
 *
 * The management functions (protect, set_permission, assign, ...) are
 * PL/pgSQL in the install script: they validate input and write the catalog,
 * whose triggers tell every session about the change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "flp.h"

PG_FUNCTION_INFO_V1(flp_loaded);
PG_FUNCTION_INFO_V1(flp_is_super_admin_sql);
PG_FUNCTION_INFO_V1(flp_effective);
PG_FUNCTION_INFO_V1(flp_explain);
PG_FUNCTION_INFO_V1(flp_effective_permissions);
PG_FUNCTION_INFO_V1(flp_bundles);
PG_FUNCTION_INFO_V1(flp_attribute);

/*
 * Called by the install script so that the library (and its preload check)
 * is loaded by CREATE EXTENSION.
 */
Datum
flp_loaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(true);
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

	if (!flp_is_governed(relid, NULL))
		return flp_permission_datum(FLP_EDIT);
	return flp_permission_datum(flp_field_permission(roleid, relid, attnum));
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

	if (!flp_is_governed(relid, NULL))
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(1);
		values[1] = CStringGetTextDatum("table");
		values[2] = CStringGetTextDatum(psprintf("table %s is not governed by flp: every field is edit",
												 get_rel_name(relid)));
		values[3] = flp_permission_datum(FLP_EDIT);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		PG_RETURN_NULL();
	}

	steps = flp_explain_field(roleid, relid, attnum);
	foreach(lc, steps)
	{
		FlpTraceStep *step = lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(++n);
		values[1] = CStringGetTextDatum(step->source);
		values[2] = CStringGetTextDatum(step->detail);
		if (step->permission == FLP_NO_PERMISSION)
			nulls[3] = true;
		else
			values[3] = flp_permission_datum((FlpPermission) step->permission);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

/* flp.effective_permissions(role): every field of every governed table. */
Datum
flp_effective_permissions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			roleid = PG_GETARG_OID(0);
	ListCell   *lc;

	check_may_inspect(roleid);
	InitMaterializedSRF(fcinfo, 0);

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
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			roleid = PG_GETARG_OID(0);
	ListCell   *lc;

	check_may_inspect(roleid);
	InitMaterializedSRF(fcinfo, 0);

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
 * them into constants in flp's own policies (see rewrite.c); elsewhere they
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
